"""Progress over time, rebuilt from the check-in snapshots.

Objective and roll-up progress are weighted means of clamped values whose weights depend
only on the structure (a missing value counts as 0 with its weight), so with today's
structure a scope's progress is a fixed linear combination of its leaf key results'
clamped progress: `scope = Σ coefficient(kr) × clamp(progress(kr))`. The coefficients come
from one pass down the alignment graph; the history from one sweep over the check-ins,
each moving the total by `coefficient × (new − old)`. Three queries, however large the
scope.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Case, FloatField, IntegerField, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from luodi.checkins.models import CheckIn
from luodi.okrs import progress as rules
from luodi.okrs.choices import AlignmentType, KeyResultKind, KeyResultState
from luodi.okrs.models import Alignment, KeyResult, Objective
from luodi.okrs.selectors import Clock
from luodi.orgs.models import Cycle, Organization
from luodi.reports.scope import COUNTING_STATES

MAX_POINTS = 60
WEEK = timedelta(days=7)

GraphNode = tuple[str, int]  # ("o", objective), ("k", roll-up key result) or ("leaf", key result)


def trend_dates(cycle: Cycle, today: date) -> list[date]:
    """Weekly from the cycle start to today (or the cycle end), today always last.

    A cycle too long for 60 weekly points is sampled every n weeks instead.
    """
    last = min(today, cycle.end_date)
    if last < cycle.start_date:
        return []
    weeks = (last - cycle.start_date).days // 7 + 1
    stride = WEEK * math.ceil(weeks / (MAX_POINTS - 1))
    dates = []
    day = cycle.start_date
    while day <= last:
        dates.append(day)
        day += stride
    if dates[-1] != last:
        dates.append(last)
    return dates


def descendants_sql(organization_id: int, scope_objectives: QuerySet[Objective]) -> RawSQL:
    """The scope's objectives and every counting objective that contributes to them, at any
    depth and in any cycle: one recursive query, usable as `__in=`.

    Hidden descendants are included on purpose: their contribution is already part of the
    stored progress of the visible objectives above them, and only the total is shown.
    """
    base_sql, base_params = scope_objectives.values("pk").order_by().query.sql_with_params()
    alignment = Alignment._meta.db_table
    objective = Objective._meta.db_table
    key_result = KeyResult._meta.db_table
    # The links as (parent objective, child) pairs first, so that each step of the
    # recursion is one lookup on the parent column (SQLite indexes the materialized pairs).
    sql = (
        "WITH RECURSIVE links(parent_id, child_id) AS ("
        f"SELECT a.parent_objective_id, a.child_id FROM {alignment} a "
        f"INNER JOIN {objective} c ON c.id = a.child_id "
        "WHERE a.organization_id = %s AND a.type = %s AND c.state IN (%s, %s) "
        "AND a.parent_objective_id IS NOT NULL "
        "UNION ALL "
        f"SELECT k.objective_id, a.child_id FROM {alignment} a "
        f"INNER JOIN {objective} c ON c.id = a.child_id "
        f"INNER JOIN {key_result} k ON k.id = a.parent_key_result_id "
        "WHERE a.organization_id = %s AND a.type = %s AND c.state IN (%s, %s)), "
        f"scope_tree(id) AS ({base_sql} UNION "
        "SELECT l.child_id FROM scope_tree s INNER JOIN links l ON l.parent_id = s.id) "
        "SELECT id FROM scope_tree"
    )
    link_params = (organization_id, AlignmentType.CONTRIBUTES.value, *COUNTING_STATES)
    return RawSQL(sql, (*link_params, *link_params, *base_params))


def leaf_coefficients(
    scope_weights: dict[int, float],
    key_results: Iterable[tuple[int, int, str, float]],
    links: Iterable[tuple[int, int | None, int | None, float]],
) -> dict[int, float]:
    """How much one unit of each non-roll-up key result's progress moves the scope.

    key_results: (id, objective id, kind, weight) of the non-cancelled key results;
    links: (child, parent objective, parent key result, weight) of contributing links
    whose child counts. Mirrors the engine: an objective averages its key results and
    contributing children, a roll-up key result its contributing children; weights that
    are not positive do not count.
    """
    parts: dict[GraphNode, list[tuple[GraphNode, float]]] = defaultdict(list)
    leaves: set[int] = set()
    rollups: set[int] = set()
    for kr_id, objective_id, kind, weight in key_results:
        if kind == KeyResultKind.ROLLUP:
            rollups.add(kr_id)
            node: GraphNode = ("k", kr_id)
        else:
            leaves.add(kr_id)
            node = ("leaf", kr_id)
        if weight > 0:
            parts[("o", objective_id)].append((node, weight))
    for child, parent_objective, parent_kr, weight in links:
        if weight <= 0:
            continue
        if parent_objective is not None:
            parts[("o", parent_objective)].append((("o", child), weight))
        elif parent_kr in rollups:
            parts[("k", parent_kr)].append((("o", child), weight))
    total = sum(w for w in scope_weights.values() if w > 0)
    share: dict[GraphNode, float] = defaultdict(float)
    for pk, weight in scope_weights.items():
        if weight > 0:
            share[("o", pk)] += weight / total
    for node in _parents_first(parts):
        mine = share.get(node)
        if not mine or node not in parts:
            continue
        denominator = sum(w for _, w in parts[node])
        for item, w in parts[node]:
            share[item] += mine * w / denominator
    return {pk: share[("leaf", pk)] for pk in leaves if share.get(("leaf", pk))}


def _parents_first(parts: dict[GraphNode, list[tuple[GraphNode, float]]]) -> list[GraphNode]:
    """Topological order of the inner nodes; nodes on a (damaged) cycle are left out."""
    waiting: dict[GraphNode, int] = dict.fromkeys(parts, 0)
    for items in parts.values():
        for item, _ in items:
            if item[0] != "leaf":
                waiting[item] = waiting.get(item, 0) + 1
    ready = [node for node, count in waiting.items() if count == 0]
    order: list[GraphNode] = []
    while ready:
        node = ready.pop()
        order.append(node)
        for item, _ in parts.get(node, ()):
            if item[0] != "leaf":
                waiting[item] -= 1
                if waiting[item] == 0:
                    ready.append(item)
    return order


def scope_trend(
    *,
    organization: Organization,
    cycle: Cycle,
    scope_objectives: QuerySet[Objective],
    scope_weights: dict[int, float],
    clock: Clock,
) -> list[dict[str, Any]]:
    """[{date, progress, expected}] for the scope: see the module docstring.

    Progress on a day is taken at the end of that day in the organization's timezone: each
    key result at its latest check-in snapshot until then (clamped; none yet → 0).
    """
    dates = trend_dates(cycle, clock.today)
    if not dates:
        return []
    ends = [clock.start_of(day + timedelta(days=1)) for day in dates]
    values = _sweep(organization, scope_objectives, scope_weights, ends)
    return [
        {
            "date": day,
            "progress": value,
            "expected": rules.time_fraction(day, cycle.start_date, cycle.end_date),
        }
        for day, value in zip(dates, values, strict=True)
    ]


def _sweep(
    organization: Organization,
    scope_objectives: QuerySet[Objective],
    scope_weights: dict[int, float],
    ends: list[datetime],
) -> list[float | None]:
    if not any(w > 0 for w in scope_weights.values()):
        return [None] * len(ends)
    tree = descendants_sql(organization.pk, scope_objectives)
    key_results = (
        KeyResult.objects.filter(organization=organization, objective_id__in=tree)
        .exclude(state=KeyResultState.CANCELLED)
        .values_list("pk", "objective_id", "kind", Cast("weight", FloatField()))
    )
    links = Alignment.objects.filter(
        organization=organization,
        type=AlignmentType.CONTRIBUTES,
        child_id__in=tree,
        child__state__in=COUNTING_STATES,
    ).values_list(
        "child_id", "parent_objective_id", "parent_key_result_id", Cast("weight", FloatField())
    )
    coefficients = leaf_coefficients(scope_weights, key_results, links)
    bucket = Case(
        *(When(created_at__lt=end, then=Value(i)) for i, end in enumerate(ends)),
        output_field=IntegerField(),
    )
    checkins = (
        CheckIn.objects.filter(
            organization=organization, key_result__objective_id__in=tree, created_at__lt=ends[-1]
        )
        .annotate(bucket=bucket)
        .order_by("created_at", "pk")
        .values_list("key_result_id", "bucket", "progress")
    )
    values: list[float | None] = []
    total = 0.0
    current: dict[int, float] = {}
    for kr_id, index, snapshot in checkins:
        while len(values) < index:
            values.append(total)
        share = coefficients.get(kr_id)
        if share:
            new = min(1.0, max(0.0, snapshot or 0.0))  # clamped, as in the roll-up
            total += share * (new - current.get(kr_id, 0.0))
            current[kr_id] = new
    while len(values) < len(ends):
        values.append(total)
    return [None if v is None else rules.clamp(v) for v in values]
