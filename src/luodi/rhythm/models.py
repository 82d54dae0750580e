"""The weekly rhythm: weekly reports, monthly summaries, review meetings, action items and
the log that keeps hourly reminder runs from sending anything twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from luodi.okrs.models import KeyResult
from luodi.orgs.models import Organization, Unit

MAX_REPORT_TEXT = 20_000


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class ReportBase(models.Model):
    """Progress, problems, plans (Weekdone's PPP) in markdown, for one person and period."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    progress = models.TextField(_("progress"), blank=True, max_length=MAX_REPORT_TEXT)
    problems = models.TextField(_("problems"), blank=True, max_length=MAX_REPORT_TEXT)
    plans = models.TextField(_("plans"), blank=True, max_length=MAX_REPORT_TEXT)
    state = models.CharField(
        _("state"), max_length=10, choices=ReportState.choices, default=ReportState.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class WeeklyReport(ReportBase):
    week = models.CharField(_("week"), max_length=8)  # ISO week, "2026-W48"

    class Meta:
        verbose_name = _("weekly report")
        verbose_name_plural = _("weekly reports")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user", "week"], name="weekly_report_unique"
            )
        ]
        indexes = [models.Index(fields=["organization", "week", "state"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.week}"


class MonthlySummary(ReportBase):
    month = models.CharField(_("month"), max_length=7)  # "2026-11"

    class Meta:
        verbose_name = _("monthly summary")
        verbose_name_plural = _("monthly summaries")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user", "month"], name="monthly_summary_unique"
            )
        ]
        indexes = [models.Index(fields=["organization", "month", "state"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.month}"


class MeetingKind(models.TextChoices):
    WEEKLY = "weekly", _("Weekly review")
    MONTHLY = "monthly", _("Monthly review")
    QUARTERLY = "quarterly", _("Quarterly review")


class Meeting(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(_("kind"), max_length=10, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=300)
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=60)
    # Items made when the meeting is scheduled (and on refresh): key results off track,
    # at risk, stale or moved a lot. Filtered by visibility each time they are shown.
    agenda = models.JSONField(_("agenda"), default=list, blank=True)
    agenda_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=MAX_REPORT_TEXT)
    decisions = models.TextField(_("decisions"), blank=True, max_length=MAX_REPORT_TEXT)
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uid = models.CharField(max_length=100, unique=True)  # iCalendar UID
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("review meeting")
        verbose_name_plural = _("review meetings")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["organization", "unit", "starts_at"])]

    def __str__(self) -> str:
        return self.title


class ActionItem(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items")
    title = models.CharField(_("title"), max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    due_date = models.DateField(_("due date"), null=True, blank=True)
    key_result = models.ForeignKey(
        KeyResult, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["id"]
        indexes = [models.Index(fields=["organization", "owner", "done_at"])]

    def __str__(self) -> str:
        return self.title


class ReminderLog(models.Model):
    """One reminder sent to one person for one period: the unique row is the guard."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=60)  # "2026-W48", "kr12:2026-W48", "cycle3:end"
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "user", "period"], name="reminder_log_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id} ({self.period})"
