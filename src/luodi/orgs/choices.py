from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    MEMBER = "member", _("Member")
    VIEWER = "viewer", _("Viewer")


MANAGER_ROLES = frozenset({Role.OWNER, Role.ADMIN})


class UnitKind(models.TextChoices):
    COMPANY = "company", _("Company")
    DEPARTMENT = "department", _("Department")
    TEAM = "team", _("Team")


class CycleState(models.TextChoices):
    PLANNING = "planning", _("Planning")
    ACTIVE = "active", _("Active")
    REVIEWING = "reviewing", _("Reviewing")
    CLOSED = "closed", _("Closed")


class PolicyMode(models.TextChoices):
    ADVISE = "advise", _("Advise (warn)")
    ENFORCE = "enforce", _("Enforce (refuse)")


class ThemeKind(models.TextChoices):
    VISION = "vision", _("Long-term vision")
    MID_TERM = "mid_term", _("Mid-term goal")
    SHORT_TERM = "short_term", _("Short-term plan")
