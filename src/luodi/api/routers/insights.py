"""Insights: the alignment map and the dashboard of a cycle (reports.selectors does the work).

The map of a large organization holds tens of thousands of nested nodes: it is documented
by `AlignmentOut` but sent as built, because validating it through the schema costs several
times more than building it (tests/reports pin its shape against the schema). The
dashboard is small and goes through its schema like every other answer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Field, Query, Router, Schema

from luodi.api.lookups import caller, found, organization_or_404
from luodi.api.pagination import MAX_ID
from luodi.api.params import id_path, slug_path
from luodi.api.schemas import responses
from luodi.okrs.choices import Level, Status
from luodi.orgs.models import Cycle, Organization
from luodi.orgs.selectors import cycle_get, unit_get
from luodi.reports.selectors import alignment_tree, dashboard

router = Router(tags=["insights"])

STATUS_ENUM = {"enum": list(Status.values)}


class InsightQuery(Schema):
    unit_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="Only this unit and the units below it."
    )


class AlignmentNodeOut(Schema):
    objective_id: int
    cycle_id: int = Field(description="Differs from the map's cycle for a longer parent cycle.")
    title: str
    level: str = Field(json_schema_extra={"enum": list(Level.values)})
    unit_id: int | None
    owner_id: int | None
    progress: float | None
    status: str = Field(json_schema_extra=STATUS_ENUM)
    children: list[AlignmentNodeOut]


class AlignmentOut(Schema):
    roots: list[AlignmentNodeOut]
    unaligned: list[AlignmentNodeOut]


class StatusCountsOut(Schema):
    not_started: int
    on_track: int
    at_risk: int
    off_track: int
    done: int
    stale: int = Field(description="Key results also flagged stale (counted in their status).")


class UnitProgressOut(Schema):
    unit_id: int
    parent_id: int | None
    name: str
    progress: float | None
    objectives: int


class AtRiskKeyResultOut(Schema):
    id: int
    objective_id: int
    title: str
    kind: str
    progress: float | None
    raw_progress: float | None
    expected_progress: float
    status: str = Field(json_schema_extra=STATUS_ENUM)
    stale: bool
    owner_id: int | None
    confidence: int | None


class TrendPointOut(Schema):
    date: dt.date
    progress: float | None
    expected: float


class DashboardOut(Schema):
    progress: float | None
    expected_progress: float
    status_counts: StatusCountsOut
    units: list[UnitProgressOut]
    checkin_rate: float | None
    checkin_people: int = Field(description="People expected to check in (checkin_rate's base).")
    checkin_done: int = Field(description="Of those, people who checked in this week.")
    alignment_coverage: float | None
    at_risk: list[AtRiskKeyResultOut]
    trend: list[TrendPointOut]


AlignmentNodeOut.model_rebuild()


def _scope(
    request: HttpRequest, org: str, cycle_id: int, unit_id: int | None
) -> tuple[Organization, Cycle]:
    """The organization and cycle the URL names; 404 for anything not yours, unit included."""
    organization = organization_or_404(request, org)
    cycle = found(cycle_get(organization=organization, cycle_id=cycle_id))
    if unit_id is not None:
        found(unit_get(organization=organization, unit_id=unit_id))
    return organization, cycle


@router.get(
    "/{org}/cycles/{cycle_id}/alignment",
    response=responses(AlignmentOut),
    summary="Alignment map",
)
def cycle_alignment(
    request: HttpRequest,
    query: Query[InsightQuery],
    org: str = slug_path(),
    cycle_id: int = id_path(),
) -> HttpResponse:
    """Which objectives hold up which: `roots` with their `children`, and `unaligned`.

    Only objectives you may see appear. A child aligned to several parents appears under
    each; a parent from a longer cycle (a yearly objective) is a root of its own. Roots
    are objectives without a parent that something aligns to, or company objectives;
    `unaligned` are the other objectives without a parent. With `unit_id`: that unit's
    objectives and the units below it, plus their ancestors so the map stays connected.
    """
    organization, cycle = _scope(request, org, cycle_id, query.unit_id)
    tree = alignment_tree(
        organization=organization, user=caller(request), cycle=cycle, unit_id=query.unit_id
    )
    return JsonResponse(tree)


@router.get(
    "/{org}/cycles/{cycle_id}/dashboard",
    response=responses(DashboardOut),
    summary="Dashboard",
)
def cycle_dashboard(
    request: HttpRequest,
    query: Query[InsightQuery],
    org: str = slug_path(),
    cycle_id: int = id_path(),
) -> dict[str, Any]:
    """Progress against pace, statuses, units, check-in rate, alignment coverage, the key
    results most at risk and the weekly trend — over the objectives you may see (not draft,
    not cancelled) of the cycle, or of one unit and the units below it. Definitions:
    `luodi.reports.selectors.dashboard`."""
    organization, cycle = _scope(request, org, cycle_id, query.unit_id)
    return dashboard(
        organization=organization, user=caller(request), cycle=cycle, unit_id=query.unit_id
    )
