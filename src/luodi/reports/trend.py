"""Progress over time, rebuilt from the check-in snapshots.

Objective and roll-up progress are weighted means of clamped values whose weights depend
only on the structure (a missing value counts as 0 with its weight), so with today's
structure a scope's progress is a fixed linear combination of its leaf key results'
clamped progress: `scope = Σ coefficient(kr) × clamp(progress(kr))`. The coefficients come
from one pass down the alignment graph; the history from one sweep over the check-ins,
each moving the total by `coefficient × (new − old)`. Four queries, however large the
scope — but a sweep over every check-in of a large cycle takes seconds, so it runs only
when the stored past points no longer hold (`past_values`, `versions.py`); today's point
is the scope's current progress, read from the stored objective progress.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, FloatField, IntegerField, Q, QuerySet, Subquery, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from luodi.checkins.models import CheckIn
from luodi.okrs import progress as rules
from luodi.okrs.choices import AlignmentType, KeyResultKind, KeyResultState
from luodi.okrs.models import Alignment, KeyResult, Objective
from luodi.okrs.selectors import Clock
from luodi.orgs.models import Cycle, Organization
from luodi.reports import versions
from luodi.reports.models import ReportVersion, StoredTrend
from luodi.reports.scope import COUNTING_STATES, Scope

MAX_POINTS = 60
WEEK = timedelta(days=7)
STORED_FOR = timedelta(days=2)  # stored points of earlier days are cleared after this


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


def descendants_sql(
    organization_id: int, scope_objectives: QuerySet[Objective], *, outside_only: bool = False
) -> RawSQL:
    """The scope's objectives and every counting objective that contributes to them, at any
    depth and in any cycle: one recursive query, usable as `__in=`.

    Hidden descendants are included on purpose: their contribution is already part of the
    stored progress of the visible objectives above them, and only the total is shown.
    With outside_only, the scope's own objectives are left out.
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
    params = (organization_id, AlignmentType.CONTRIBUTES.value, *COUNTING_STATES) * 2
    params += base_params
    if outside_only:
        sql += f" EXCEPT {base_sql}"
        params += base_params
    return RawSQL(sql, params)


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

    Inner nodes are objectives (their id) and roll-up key results (minus their id).
    """
    leaves: dict[int, list[tuple[int, float]]] = defaultdict(list)  # node → its leaf KRs
    inner: dict[int, list[tuple[int, float]]] = defaultdict(list)  # node → inner nodes below
    denominator: dict[int, float] = defaultdict(float)
    rollups: set[int] = set()
    for kr_id, objective_id, kind, weight in key_results:
        if kind == KeyResultKind.ROLLUP:
            rollups.add(kr_id)
        if weight > 0:
            denominator[objective_id] += weight
            if kind == KeyResultKind.ROLLUP:
                inner[objective_id].append((-kr_id, weight))
            else:
                leaves[objective_id].append((kr_id, weight))
    for child, parent_objective, parent_kr, weight in links:
        parent = parent_objective if parent_objective is not None else -(parent_kr or 0)
        if weight > 0 and (parent_objective is not None or parent_kr in rollups):
            denominator[parent] += weight
            inner[parent].append((child, weight))
    total = sum(w for w in scope_weights.values() if w > 0)
    share: dict[int, float] = defaultdict(float)
    for pk, weight in scope_weights.items():
        if weight > 0:
            share[pk] += weight / total
    coefficients: dict[int, float] = defaultdict(float)
    for node in _parents_first(inner, leaves.keys()):
        mine, parts = share.get(node), denominator.get(node)
        if not mine or not parts:
            continue  # nothing reaches it, or nothing to average (no progress → counts as 0)
        unit = mine / parts
        for child, w in inner.get(node, ()):
            share[child] += unit * w
        for kr_id, w in leaves.get(node, ()):
            coefficients[kr_id] += unit * w
    return coefficients


def _parents_first(inner: dict[int, list[tuple[int, float]]], others: Iterable[int]) -> list[int]:
    """Every inner node after all its parents; nodes on a (damaged) cycle are left out."""
    waiting: dict[int, int] = dict.fromkeys(itertools.chain(inner, others), 0)
    for children in inner.values():
        for child, _ in children:
            waiting[child] = waiting.get(child, 0) + 1
    ready = [node for node, count in waiting.items() if count == 0]
    order: list[int] = []
    while ready:
        node = ready.pop()
        order.append(node)
        for child, _ in inner.get(node, ()):
            waiting[child] -= 1
            if waiting[child] == 0:
                ready.append(child)
    return order


def scope_trend(*, scope: Scope, progress: float | None, clock: Clock) -> list[dict[str, Any]]:
    """[{date, progress, expected}] for the scope: see the module docstring.

    Today's point is the scope's current progress (`progress`, the weighted mean of the
    stored objective progress that check-ins keep up to date). The points before today
    change only with the structure or a backdated check-in, so they are computed once and
    stored under the organization's report version (`versions.py`). Progress on a past day
    is taken at the end of that day in the organization's timezone: each key result at its
    latest check-in snapshot until then (clamped; none yet → 0).
    """
    cycle = scope.cycle
    dates = trend_dates(cycle, clock.today)
    past = [day for day in dates if day < clock.today]
    values = past_values(scope, past, clock)
    if len(past) < len(dates):
        values.append(progress)
    return [
        {
            "date": day,
            "progress": value,
            "expected": rules.time_fraction(day, cycle.start_date, cycle.end_date),
        }
        for day, value in zip(dates, values, strict=True)
    ]


def past_values(scope: Scope, past: list[date], clock: Clock) -> list[float | None]:
    """The trend's values on the past dates: stored ones when the version still holds
    (one query), else swept from the check-ins and stored."""
    if not past:
        return []
    organization = scope.organization
    key = stored_key(scope, past, clock)
    version_now = ReportVersion.objects.filter(organization=organization).values("version")
    stored = (
        StoredTrend.objects.filter(
            organization=organization, key=key, version=Subquery(version_now)
        )
        .values_list("points", flat=True)
        .first()
    )
    if stored is not None:
        return list(stored)
    version = versions.current(organization)  # read before the data it will label
    ends = [clock.start_of(day + timedelta(days=1)) for day in past]
    values = _sweep(scope, ends)
    if version is not None:
        StoredTrend.objects.filter(organization=organization).filter(
            Q(version__lt=version) | Q(created_at__lt=clock.now - STORED_FOR)
        ).delete()
        StoredTrend.objects.bulk_create(
            [StoredTrend(organization=organization, version=version, key=key, points=values)],
            ignore_conflicts=True,
        )
    return values


def stored_key(scope: Scope, past: list[date], clock: Clock) -> str:
    """What stored points depend on besides the version: the cycle, the dates and their
    timezone, the unit subtree, and everything that decides what the viewer may see."""
    viewer = scope.viewer
    if viewer.is_admin or viewer.role is None:
        seen: Any = viewer.is_admin
    else:
        seen = [
            viewer.user_id,
            viewer.role,
            sorted(viewer.unit_ids_above_me),
            sorted(viewer.led_unit_ids),
            sorted(viewer.report_ids),
        ]
    parts = [
        scope.cycle.pk,
        [day.isoformat() for day in past],
        str(clock.zone),
        None if scope.unit_ids is None else sorted(scope.unit_ids),
        seen,
    ]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def _sweep(scope: Scope, ends: list[datetime]) -> list[float | None]:
    organization = scope.organization
    base = Objective.objects.filter(scope.counting_q())
    scope_weights = dict(base.order_by().values_list("pk", Cast("weight", FloatField())))
    if not any(w > 0 for w in scope_weights.values()):
        return [None] * len(ends)
    tree = descendants_sql(organization.pk, base)
    key_results = (
        KeyResult.objects.filter(
            organization=organization, objective_id__in=tree, state=KeyResultState.ACTIVE
        )
        .order_by()
        .values_list("pk", "objective_id", "kind", Cast("weight", FloatField()))
    )
    links = (
        Alignment.objects.filter(
            organization=organization,
            type=AlignmentType.CONTRIBUTES,
            child_id__in=tree,
            child__state__in=COUNTING_STATES,
        )
        .order_by()
        .values_list(
            "child_id", "parent_objective_id", "parent_key_result_id", Cast("weight", FloatField())
        )
    )
    with planned_without_jit():
        coefficients = leaf_coefficients(scope_weights, key_results, links)
        rows = list(checkins_query(organization, tree, ends))
    values: list[float] = []  # the total at the end of each day, in order
    total = 0.0
    current: dict[int, float] = {}
    share_of = coefficients.get
    for kr_id, index, snapshot in rows:
        if index > len(values):
            values += [total] * (index - len(values))
        share = share_of(kr_id)
        if share:
            new = min(1.0, max(0.0, snapshot or 0.0))  # clamped, as in the roll-up
            total += share * (new - current.get(kr_id, 0.0))
            current[kr_id] = new
    values += [total] * (len(ends) - len(values))
    return [rules.clamp(v) for v in values]


def checkins_query(organization: Organization, tree: RawSQL, ends: list[datetime]) -> QuerySet:
    """(key result, index of the first day that sees it, snapshot) of the tree's check-ins
    up to the last day, oldest first."""
    bucket = Case(
        *(When(created_at__lt=end, then=Value(i)) for i, end in enumerate(ends)),
        output_field=IntegerField(),
    )
    # Filtering on a subquery of key result ids, not a join, spares SQLite a row lookup per
    # check-in.
    tree_key_results = KeyResult.objects.filter(organization=organization, objective_id__in=tree)
    return (
        CheckIn.objects.filter(
            organization=organization,
            key_result_id__in=tree_key_results.values("pk"),
            created_at__lt=ends[-1],
        )
        .annotate(bucket=bucket)
        .order_by("created_at", "pk")
        .values_list("key_result_id", "bucket", "progress")
    )


@contextmanager
def planned_without_jit() -> Iterator[None]:
    """PostgreSQL cannot estimate a recursive query's size and guesses it huge, which
    switches on its JIT compiler: seconds of compiling for a query that runs in tens of
    milliseconds. Turn JIT off for a transaction around these queries (PostgreSQL only:
    three more statements there)."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        yield
