"""Which cycle a page shows: the one asked for, else the current one."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest

from luodi.orgs.choices import CycleState
from luodi.orgs.models import Cycle, Organization


def current_cycle(cycles: list[Cycle], today: date) -> Cycle | None:
    """The shortest active cycle containing today (a quarter beats its year), else the
    latest that has started, else the first."""
    running = [
        c for c in cycles if c.state == CycleState.ACTIVE and c.start_date <= today <= c.end_date
    ]
    if running:
        return min(running, key=lambda c: (c.end_date - c.start_date, -c.pk))
    started = [c for c in cycles if c.start_date <= today]
    if started:
        return max(started, key=lambda c: c.start_date)
    return cycles[0] if cycles else None


def cycles_of(org: Organization) -> list[Cycle]:
    return list(Cycle.objects.filter(organization=org).order_by("-start_date", "id"))


def chosen_cycle(request: HttpRequest, cycles: list[Cycle], today: date) -> Cycle | None:
    wanted = request.GET.get("cycle")
    if wanted and wanted.isdecimal():
        for cycle in cycles:
            if cycle.pk == int(wanted):
                return cycle
    return current_cycle(cycles, today)
