"""Background work of the reports: rebuilding a dashboard trend's stored past points."""

from __future__ import annotations

from datetime import date

from huey.contrib.djhuey import HUEY, db_task
from huey.exceptions import TaskLockedException

from luodi.okrs.selectors import Clock
from luodi.orgs.models import Cycle, Organization
from luodi.reports import parts, trend


@db_task()
def rebuild_trend(
    organization_id: int, cycle_id: int, unit_ids: list[int] | None, past: list[str]
) -> None:
    """Sweep one scope's trend again after its stored points were voided.

    Several views of a voided scope each ask for it: one sweep runs at a time per scope,
    and a request that finds the entry already rebuilt does nothing.
    """
    organization = Organization.objects.get(pk=organization_id)
    cycle = Cycle.objects.get(pk=cycle_id, organization=organization)
    clock = Clock.for_org(organization)
    days = [date.fromisoformat(day) for day in past]
    key = trend.scope_key(cycle, unit_ids, clock)
    try:
        with HUEY.lock_task(f"luodi.reports.trend.{organization_id}.{key}"):
            if not trend.is_fresh(organization, cycle, unit_ids, days, clock):
                trend.rebuild(organization, cycle, unit_ids, days, clock)
    except TaskLockedException:
        return  # another worker is sweeping this scope now


@db_task()
def fill_dashboard_parts(organization_id: int, cycle_id: int) -> None:
    """Store every dashboard part of one cycle (`parts.py`) after a view found many missing.

    One fill at a time per cycle; a fill that finds every part fresh does nothing."""
    organization = Organization.objects.get(pk=organization_id)
    cycle = Cycle.objects.get(pk=cycle_id, organization=organization)
    try:
        with HUEY.lock_task(f"luodi.reports.parts.{organization_id}.{cycle_id}"):
            parts.fill(organization, cycle, Clock.for_org(organization))
    except TaskLockedException:
        return
