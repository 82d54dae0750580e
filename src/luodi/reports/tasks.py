"""Background work of the reports: rebuilding a dashboard trend's stored past points, and
storing the dashboard's parts (`parts.py`) ahead of the day's first views."""

from __future__ import annotations

import logging
from datetime import date

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task
from huey.exceptions import TaskLockedException

from luodi.okrs.selectors import Clock
from luodi.orgs.choices import CycleState
from luodi.orgs.models import Cycle, Organization
from luodi.reports import parts, trend

logger = logging.getLogger(__name__)


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


@db_periodic_task(crontab(minute="10"))
def refill_dashboard_parts() -> int:
    """Hourly: store the missing dashboard parts of every running cycle, so that a new day
    (or a structure edit) does not leave the first views to compute at once. Parts still
    fresh cost three small queries per organization; one organization's failure does not
    stop the others. Returns how many parts were stored."""
    stored = 0
    for organization in Organization.objects.order_by("pk"):
        clock = Clock.for_org(organization)
        running = Cycle.objects.filter(
            organization=organization,
            state=CycleState.ACTIVE,
            start_date__lte=clock.today,
            end_date__gte=clock.today,
        ).order_by("pk")
        for cycle in running:
            try:
                stored += parts.fill(organization, cycle, clock)
            except Exception:
                logger.exception("dashboard parts of %s / %s", organization.slug, cycle.pk)
    return stored
