"""The tenant (Organization) and its structure: members, units, strategic themes, cycles."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from tree_queries.models import TreeNode

from luodi.orgs.choices import CycleState, PolicyMode, Role, ThemeKind, UnitKind

slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$",
    _("Use 1–50 lowercase letters, digits and hyphens, not starting or ending with a hyphen."),
)


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.CharField(_("slug"), max_length=50, unique=True, validators=[slug_validator])
    locale = models.CharField(_("locale"), max_length=10, default="zh-hans")
    timezone = models.CharField(_("timezone"), max_length=64, default="Asia/Shanghai")
    checkin_weekday = models.PositiveSmallIntegerField(
        _("check-in day"),
        default=4,
        validators=[MinValueValidator(0), MaxValueValidator(6)],
        help_text=_("0 = Monday … 6 = Sunday"),
    )
    status_tolerance = models.DecimalField(
        _("status tolerance"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.100"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal("0.5"))],
    )
    policy_mode = models.CharField(
        _("OKR policy mode"), max_length=10, choices=PolicyMode.choices, default=PolicyMode.ADVISE
    )
    policy_objectives_min = models.PositiveSmallIntegerField(
        _("objectives per owner, min"), default=3
    )
    policy_objectives_max = models.PositiveSmallIntegerField(
        _("objectives per owner, max"), default=5
    )
    policy_key_results_min = models.PositiveSmallIntegerField(
        _("key results per objective, min"), default=2
    )
    policy_key_results_max = models.PositiveSmallIntegerField(
        _("key results per objective, max"), default=3
    )
    requires_approval = models.BooleanField(_("new member objectives need approval"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        constraints = [
            models.CheckConstraint(
                condition=Q(policy_objectives_min__lte=F("policy_objectives_max")),
                name="org_policy_objectives_range",
            ),
            models.CheckConstraint(
                condition=Q(policy_key_results_min__lte=F("policy_key_results_max")),
                name="org_policy_key_results_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Unit(TreeNode):
    """A node of the organization tree: company → department → team, any depth."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="units")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=UnitKind.choices)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_units",
        verbose_name=_("leader"),
    )
    # Bumped by every progress write to an objective of this unit (okrs.engine): the
    # dashboard's stored parts (reports.parts) of the unit's block are void after it.
    progress_version = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        indexes = [models.Index(fields=["organization", "parent"])]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="memberships"
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_memberships",
        verbose_name=_("manager"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="membership_unique"),
            models.CheckConstraint(
                condition=~Q(manager=F("user")), name="membership_not_own_manager"
            ),
        ]
        indexes = [models.Index(fields=["organization", "manager"])]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"


class Theme(models.Model):
    """A strategic theme: vision, mid-term goal or short-term plan of the company strategy."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="themes")
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=12, choices=ThemeKind.choices, default=ThemeKind.MID_TERM
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("strategic theme")
        verbose_name_plural = _("strategic themes")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class Cycle(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="cycles")
    name = models.CharField(_("name"), max_length=100)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    state = models.CharField(
        _("state"), max_length=10, choices=CycleState.choices, default=CycleState.PLANNING
    )

    class Meta:
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")
        ordering = ["-start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gt=F("start_date")), name="cycle_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name
