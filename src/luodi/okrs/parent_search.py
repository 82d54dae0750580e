"""Reads for the alignment picker: which objectives and key results a new or edited
objective may align to.

Candidates are the objectives the user may see, not cancelled, in the child's cycle or in a
longer cycle that covers it (a yearly company objective above quarterly children), with
their live key results. Two queries whatever the data size.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)

from luodi.accounts.models import User
from luodi.okrs.choices import KeyResultState, Level, ObjectiveState
from luodi.okrs.models import KeyResult, Objective
from luodi.okrs.permissions import viewer_for, visible_objectives_q
from luodi.orgs.models import Cycle, Organization

LEVEL_ORDER = Case(
    When(level=Level.COMPANY, then=Value(0)),
    When(level=Level.UNIT, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def live_key_results_prefetch() -> Prefetch:
    return Prefetch(
        "key_results",
        queryset=KeyResult.objects.exclude(state=KeyResultState.CANCELLED).order_by(
            "position", "id"
        ),
        to_attr="live_key_results",
    )


def _visible(organization: Organization, user: User) -> QuerySet[Objective]:
    viewer = viewer_for(organization, user)
    return Objective.objects.filter(organization=organization).filter(visible_objectives_q(viewer))


def alignment_candidates(
    *,
    organization: Organization,
    user: User,
    cycle: Cycle,
    q: str = "",
    exclude_objective_id: int | None = None,
    limit: int = 8,
) -> list[Objective]:
    """Visible parents for an objective in `cycle`, company level first; `q` matches the
    objective's title or one of its key results' titles. Each has `live_key_results`."""
    objectives = (
        _visible(organization, user)
        .exclude(state=ObjectiveState.CANCELLED)
        .filter(cycle__start_date__lte=cycle.start_date, cycle__end_date__gte=cycle.end_date)
        .select_related("cycle", "owner", "unit")
    )
    if exclude_objective_id is not None:
        objectives = objectives.exclude(pk=exclude_objective_id)
    q = (q or "").strip()
    if q:
        matching_kr = KeyResult.objects.filter(
            objective=OuterRef("pk"), title__icontains=q
        ).exclude(state=KeyResultState.CANCELLED)
        objectives = objectives.filter(Q(title__icontains=q) | Exists(matching_kr))
    return list(
        objectives.annotate(level_order=LEVEL_ORDER)
        .order_by("level_order", "-cycle__end_date", "id")
        .prefetch_related(live_key_results_prefetch())[:limit]
    )


@dataclass
class Parents:
    """Parents named by an alignment list, as the picker shows them (only visible ones)."""

    objectives: dict[int, Objective]
    key_results: dict[int, KeyResult]


def alignment_parents(
    *,
    organization: Organization,
    user: User,
    objective_ids: Iterable[int],
    key_result_ids: Iterable[int],
) -> Parents:
    """Two queries at most; ids the user may not see are left out."""
    objective_ids, key_result_ids = set(objective_ids), set(key_result_ids)
    objectives: dict[int, Objective] = {}
    key_results: dict[int, KeyResult] = {}
    if objective_ids:
        objectives = {
            o.pk: o
            for o in _visible(organization, user)
            .filter(pk__in=objective_ids)
            .select_related("cycle", "owner")
        }
    if key_result_ids:
        viewer = viewer_for(organization, user)
        key_results = {
            kr.pk: kr
            for kr in KeyResult.objects.filter(organization=organization, pk__in=key_result_ids)
            .filter(visible_objectives_q(viewer, prefix="objective__"))
            .select_related("objective", "objective__cycle", "owner")
        }
    return Parents(objectives, key_results)
