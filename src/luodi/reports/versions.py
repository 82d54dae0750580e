"""The report version of an organization: what voids stored trend points.

A stored point (a trend date before today) depends on the check-ins made by the end of
that day and on today's structure: objectives (weight, state, cycle, unit, visibility,
owner), key results (weight, kind, state, objective) and alignments. Every write to that
structure bumps the version in its own transaction, so a reader that reads the version
before the data never keeps points under a version they do not belong to. What a viewer
may see and the unit tree are part of the stored entry's key instead (`trend.py`), and
today's point is never stored.

The writes are caught by model signals rather than calls in every service:
- objectives: every save and delete (alignments are replaced only inside an objective's
  create or update, which saves the objective in the same transaction);
- key results: every save except a check-in's (it writes only the progress columns, and
  check-ins made today change no past point), every delete;
- alignments: every save and delete made one by one;
- units: every save and delete (the dashboard's stored parts are per block of units, and a
  full save writes a unit's progress counter back as it was read);
- strategic themes: every save and delete (the stored alignment map places objectives
  under them, `web.map_frames`);
- check-ins: a check-in saved with a time before today (backdated) moves past points.
  Check-ins are never deleted on their own, only with their key result (which bumps).
"""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.db.models.signals import post_delete, post_save

from luodi.checkins.models import CheckIn
from luodi.okrs.models import Alignment, KeyResult, Objective
from luodi.okrs.rebuild import KR_FIELDS
from luodi.okrs.selectors import Clock
from luodi.orgs.models import Organization, Theme, Unit
from luodi.reports.models import ReportVersion

# What a check-in writes on its key result (checkins.services saves exactly these): no
# stored point depends on them.
PROGRESS_FIELDS = frozenset({*KR_FIELDS, "updated_at"})


def current(organization: Organization) -> int | None:
    """The organization's report version; None when it has no version row yet (one is
    made then, and nothing should be stored under it in this request)."""
    version = (
        ReportVersion.objects.filter(organization=organization)
        .values_list("version", flat=True)
        .first()
    )
    if version is None:
        ReportVersion.objects.get_or_create(organization=organization)
    return version


def bump(organization_id: int) -> None:
    ReportVersion.objects.filter(organization_id=organization_id).update(version=F("version") + 1)


def _organization_saved(instance: Organization, created: bool, raw: bool, **_: Any) -> None:
    if created:
        ReportVersion.objects.get_or_create(organization=instance)


def _structure_changed(instance: Objective | Alignment | Unit | Theme, **_: Any) -> None:
    bump(instance.organization_id)


def _key_result_saved(instance: KeyResult, update_fields: frozenset[str] | None, **_: Any) -> None:
    if update_fields is not None and update_fields <= PROGRESS_FIELDS:
        return
    bump(instance.organization_id)


def _checkin_saved(instance: CheckIn, **_: Any) -> None:
    clock = Clock.for_org(instance.organization)
    if instance.created_at < clock.start_of(clock.today):
        bump(instance.organization_id)


def connect() -> None:
    """Called once from the app config."""
    uid = "luodi.reports.versions"
    post_save.connect(_organization_saved, sender=Organization, dispatch_uid=f"{uid}.org")
    for model in (Objective, Alignment, Unit, Theme):
        post_save.connect(_structure_changed, sender=model, dispatch_uid=f"{uid}.{model.__name__}")
        post_delete.connect(
            _structure_changed, sender=model, dispatch_uid=f"{uid}.{model.__name__}.delete"
        )
    post_save.connect(_key_result_saved, sender=KeyResult, dispatch_uid=f"{uid}.kr")
    post_delete.connect(_structure_changed, sender=KeyResult, dispatch_uid=f"{uid}.kr.delete")
    post_save.connect(_checkin_saved, sender=CheckIn, dispatch_uid=f"{uid}.checkin")
