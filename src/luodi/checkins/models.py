"""Check-ins: the append-only record of progress on a key result."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from luodi.okrs.models import VALUE_DIGITS, KeyResult
from luodi.orgs.models import Organization


class Source(models.TextChoices):
    MANUAL = "manual", _("Manual")
    API = "api", _("API")
    IMPORT = "import", _("Import")
    SYNC = "sync", _("Data source sync")


class CheckIn(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE, related_name="checkins")
    value = models.DecimalField(_("value"), null=True, blank=True, **VALUE_DIGITS)
    done = models.BooleanField(_("done"), null=True, blank=True)
    milestone_ids_done = models.JSONField(_("milestones done"), null=True, blank=True)
    confidence = models.PositiveSmallIntegerField(
        _("confidence"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    note = models.TextField(_("note"), blank=True, max_length=10000)
    # The key result's raw progress right after this check-in: a snapshot for history
    # and trend charts, never read back by the engine.
    progress = models.FloatField(null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.MANUAL
    )
    created_at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["key_result", "created_at"]),
            # Covers a week's check-ins of an organization with their key result and
            # author: the dashboard's check-in rate reads no check-in row.
            models.Index(
                fields=["organization", "created_at", "key_result", "author"],
                name="checkin_org_time_kr_author",
            ),
            # A person's check-ins of a week: whether they checked in, without reading
            # everybody's (the dashboard's check-in rate, reports.aggregates).
            models.Index(
                fields=["organization", "author", "created_at", "key_result"],
                name="checkin_org_author_time_kr",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(confidence__isnull=True) | models.Q(confidence__lte=10),
                name="checkin_confidence_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.key_result_id} @ {self.created_at:%Y-%m-%d}"


class IdempotencyRecord(models.Model):
    """Remembers which check-in an Idempotency-Key produced, so a retry makes no second one."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user", "key"], name="idempotency_unique"
            )
        ]
