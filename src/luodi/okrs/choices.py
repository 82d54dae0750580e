from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    COMPANY = "company", _("Company")
    UNIT = "unit", _("Unit")
    INDIVIDUAL = "individual", _("Individual")


class Visibility(models.TextChoices):
    ORGANIZATION = "organization", _("Whole organization")
    UNIT = "unit", _("Unit only")
    PRIVATE = "private", _("Private")


class ObjectiveState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


# Objectives in these states count in roll-ups and take check-ins.
COUNTING_OBJECTIVE_STATES = (ObjectiveState.ACTIVE, ObjectiveState.CLOSED)


class KeyResultKind(models.TextChoices):
    METRIC = "metric", _("Metric")
    PERCENTAGE = "percentage", _("Percentage")
    THRESHOLD = "threshold", _("Threshold")
    MILESTONE = "milestone", _("Milestones")
    BOOLEAN = "boolean", _("Done / not done")
    ROLLUP = "rollup", _("Roll-up of child objectives")


class Direction(models.TextChoices):
    INCREASE = "increase", _("Increase")
    DECREASE = "decrease", _("Decrease")
    AT_LEAST = "at_least", _("Stay at or above")
    AT_MOST = "at_most", _("Stay at or below")


METRIC_DIRECTIONS = (Direction.INCREASE, Direction.DECREASE)
THRESHOLD_DIRECTIONS = (Direction.AT_LEAST, Direction.AT_MOST)


class KeyResultState(models.TextChoices):
    ACTIVE = "active", _("Active")
    CANCELLED = "cancelled", _("Cancelled")


class AlignmentType(models.TextChoices):
    CONTRIBUTES = "contributes", _("Contributes (counts in progress)")
    SUPPORTS = "supports", _("Supports (shown, not counted)")


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")
    DONE = "done", _("Done")
