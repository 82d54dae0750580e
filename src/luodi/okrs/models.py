"""Objectives, key results, their alignment and their history.

Progress fractions (0.0–1.0, raw values may leave that range) are floats; measured values
(start, target, current) are decimals so counts and money are exact.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from luodi.okrs.choices import (
    AlignmentType,
    Direction,
    KeyResultKind,
    KeyResultState,
    Level,
    ObjectiveState,
    Visibility,
)
from luodi.orgs.models import Cycle, Organization, Theme, Unit


class ApprovalStatus(models.TextChoices):
    NONE = "none", _("Not submitted")
    SUBMITTED = "submitted", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Sent back")


class AlignmentRequestState(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


VALUE_DIGITS = {"max_digits": 24, "decimal_places": 6}
WEIGHT_DIGITS = {"max_digits": 12, "decimal_places": 4}
non_negative = MinValueValidator(Decimal(0))
score_range = [MinValueValidator(0.0), MaxValueValidator(1.0)]


class Objective(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="objectives")
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True, max_length=10000)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="objectives"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="objectives",
    )
    weight = models.DecimalField(
        _("weight"), default=Decimal(1), validators=[non_negative], **WEIGHT_DIGITS
    )
    visibility = models.CharField(
        _("visibility"), max_length=12, choices=Visibility.choices, default=Visibility.ORGANIZATION
    )
    state = models.CharField(
        _("state"), max_length=10, choices=ObjectiveState.choices, default=ObjectiveState.ACTIVE
    )
    themes = models.ManyToManyField(
        Theme, through="ObjectiveTheme", blank=True, related_name="objectives"
    )
    # Denormalized by the progress engine; None means nothing to average yet.
    progress = models.FloatField(null=True, blank=True)
    # Latest check-in on its key results or on contributing children (None: not started).
    last_checkin_at = models.DateTimeField(null=True, blank=True)
    self_score = models.FloatField(null=True, blank=True, validators=score_range)
    final_score = models.FloatField(null=True, blank=True, validators=score_range)
    # Approval of a draft where the organization requires it (okrs.approvals).
    approval_status = models.CharField(
        _("approval"), max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.NONE
    )
    approval_note = models.TextField(_("note for the approver"), blank=True, max_length=2000)
    approval_comment = models.TextField(_("approver's comment"), blank=True, max_length=2000)
    approval_submitted_at = models.DateTimeField(null=True, blank=True)
    approval_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approval_decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=0), name="objective_weight_non_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "cycle", "state"]),
            models.Index(fields=["organization", "owner", "cycle"]),
            models.Index(fields=["organization", "unit", "cycle"]),
            models.Index(fields=["organization", "approval_status"]),
        ]

    def __str__(self) -> str:
        return self.title


class ObjectiveTheme(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE)
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["objective", "theme"], name="objective_theme_unique")
        ]


class KeyResult(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="key_results")
    # The objective's cycle, copied (set on save, moved with the objective by
    # okrs.services): reports read a cycle's key results through one narrow index.
    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="+", db_index=False, editable=False
    )
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=12, choices=KeyResultKind.choices)
    start = models.DecimalField(_("start"), null=True, blank=True, **VALUE_DIGITS)
    target = models.DecimalField(_("target"), null=True, blank=True, **VALUE_DIGITS)
    current = models.DecimalField(_("current"), null=True, blank=True, **VALUE_DIGITS)
    measure_unit = models.CharField(_("unit of measure"), max_length=30, blank=True)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, blank=True
    )
    weight = models.DecimalField(
        _("weight"), default=Decimal(1), validators=[non_negative], **WEIGHT_DIGITS
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="key_results",
    )
    contributors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="KeyResultContributor", blank=True, related_name="+"
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=KeyResultState.choices, default=KeyResultState.ACTIVE
    )
    position = models.PositiveIntegerField(default=0)
    # Denormalized by the progress engine from the check-ins.
    raw_progress = models.FloatField(null=True, blank=True)
    progress = models.FloatField(null=True, blank=True)
    last_confidence = models.PositiveSmallIntegerField(null=True, blank=True)
    last_checkin_at = models.DateTimeField(null=True, blank=True)
    checkin_count = models.PositiveIntegerField(default=0)
    threshold_met_count = models.PositiveIntegerField(default=0)
    self_score = models.FloatField(null=True, blank=True, validators=score_range)
    final_score = models.FloatField(null=True, blank=True, validators=score_range)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("key result")
        verbose_name_plural = _("key results")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=0), name="key_result_weight_non_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "owner"]),
            models.Index(fields=["objective", "state"]),
            # Covers the dashboard's pass over a cycle's key results (reports.aggregates):
            # everything the status, stale and owner rules read, no table row. The cycle
            # leads, not the organization: led by the organization, SQLite (no statistics)
            # took this covering index for "key results of objective X in organization O"
            # and read every key result of the organization (objective page: 3 × 80 ms).
            models.Index(
                fields=[
                    "cycle",
                    "state",
                    "objective",
                    "organization",
                    "kind",
                    "owner",
                    "start_date",
                    "due_date",
                    "raw_progress",
                    "progress",
                    "last_confidence",
                    "last_checkin_at",
                ],
                name="key_result_cycle_status",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        if self.cycle_id is None and self.objective_id is not None:
            self.cycle_id = self.objective.cycle_id
        super().save(*args, **kwargs)


class KeyResultContributor(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key_result", "user"], name="kr_contributor_unique")
        ]
        indexes = [models.Index(fields=["organization", "user"])]


class Milestone(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=300)
    weight = models.DecimalField(
        _("weight"), default=Decimal(1), validators=[non_negative], **WEIGHT_DIGITS
    )
    done = models.BooleanField(_("done"), default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=0), name="milestone_weight_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PhaseTarget(models.Model):
    """A phased target: the value a key result should have reached by a date."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    key_result = models.ForeignKey(KeyResult, on_delete=models.CASCADE, related_name="phases")
    date = models.DateField(_("date"))
    target = models.DecimalField(_("target"), **VALUE_DIGITS)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["key_result", "date"], name="phase_target_unique_date")
        ]


class Alignment(models.Model):
    """A link from a child objective up to a parent objective or a parent key result."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="parent_links")
    parent_objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, null=True, blank=True, related_name="child_links"
    )
    parent_key_result = models.ForeignKey(
        KeyResult, on_delete=models.CASCADE, null=True, blank=True, related_name="child_links"
    )
    type = models.CharField(
        _("type"), max_length=12, choices=AlignmentType.choices, default=AlignmentType.CONTRIBUTES
    )
    weight = models.DecimalField(
        _("weight"), default=Decimal(1), validators=[non_negative], **WEIGHT_DIGITS
    )

    class Meta:
        verbose_name = _("alignment")
        verbose_name_plural = _("alignments")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(parent_objective__isnull=False, parent_key_result__isnull=True)
                    | Q(parent_objective__isnull=True, parent_key_result__isnull=False)
                ),
                name="alignment_exactly_one_parent",
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=0), name="alignment_weight_non_negative"
            ),
            models.CheckConstraint(
                condition=~Q(child=models.F("parent_objective")), name="alignment_not_self"
            ),
            models.UniqueConstraint(
                fields=["child", "parent_objective"], name="alignment_unique_parent_objective"
            ),
            models.UniqueConstraint(
                fields=["child", "parent_key_result"], name="alignment_unique_parent_key_result"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} → {self.parent_objective_id or self.parent_key_result_id}"


class Revision(models.Model):
    """Append-only history of every change to an objective or a key result."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, null=True, blank=True, related_name="revisions"
    )
    key_result = models.ForeignKey(
        KeyResult, on_delete=models.CASCADE, null=True, blank=True, related_name="revisions"
    )
    field = models.CharField(_("field"), max_length=50)
    old = models.TextField(_("old value"), blank=True, null=True)
    new = models.TextField(_("new value"), blank=True, null=True)
    reason = models.TextField(_("reason"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.field}: {self.old} → {self.new}"


class AlignmentRequest(models.Model):
    """One team asks another to support or contribute to its objective (okrs.alignment_requests)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, related_name="alignment_requests"
    )
    from_unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    to_unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(
        _("type"), max_length=12, choices=AlignmentType.choices, default=AlignmentType.CONTRIBUTES
    )
    message = models.TextField(_("message"), blank=True, max_length=2000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=AlignmentRequestState.choices,
        default=AlignmentRequestState.PENDING,
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answer_comment = models.TextField(_("answer"), blank=True, max_length=2000)
    # The to_unit objective linked (or created) as a child of `objective` on acceptance.
    child_objective = models.ForeignKey(
        Objective, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("alignment request")
        verbose_name_plural = _("alignment requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["objective", "to_unit"],
                condition=Q(state="pending"),
                name="alignment_request_one_pending",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "to_unit", "state"]),
            models.Index(fields=["organization", "objective"]),
        ]

    def __str__(self) -> str:
        return f"{self.objective_id} → {self.to_unit_id} ({self.state})"
