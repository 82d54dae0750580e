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
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, FloatField, IntegerField, Q, QuerySet, Subquery, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from luodi.checkins.models import CheckIn
from luodi.okrs import progress as rules
from luodi.okrs.choices import AlignmentType, KeyResultKind, KeyResultState, Visibility
from luodi.okrs.models import Alignment, KeyResult, Objective
from luodi.okrs.selectors import Clock
from luodi.orgs.models import Cycle, Organization
from luodi.reports import versions
from luodi.reports.models import ReportVersion, StoredTrend
from luodi.reports.scope import COUNTING_STATES, Scope

MAX_POINTS = 60
WEEK = timedelta(days=7)
# An entry is rebuilt at least weekly (a new week's date); one older than this belongs to a
# scope nobody opens any more.
STORED_FOR = timedelta(days=15)
# A sweep that read at most this many check-ins is redone inside the request (~0.1 s).
INLINE_SWEEP_CHECKINS = 20_000


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


class RollUpGraph:
    """The roll-up graph below a scope, read once, giving each series' leaf coefficients.

    key_results: (id, objective id, kind, weight) of the non-cancelled key results;
    links: (child, parent objective, parent key result, weight) of contributing links
    whose child counts. Mirrors the engine: an objective averages its key results and
    contributing children, a roll-up key result its contributing children; weights that
    are not positive do not count.

    Inner nodes are objectives (their id) and roll-up key results (minus their id).
    """

    def __init__(
        self,
        key_results: Iterable[tuple[int, int, str, float]],
        links: Iterable[tuple[int, int | None, int | None, float]],
    ) -> None:
        leaves: dict[int, list[tuple[int, float]]] = defaultdict(list)  # node → its leaf KRs
        inner: dict[int, list[tuple[int, float]]] = defaultdict(list)  # node → inner nodes
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
        self.leaves, self.inner, self.denominator = leaves, inner, denominator
        self.order = _parents_first(inner, leaves.keys())
        self.position = {node: i for i, node in enumerate(self.order)}

    def coefficients(self, seeds: dict[int, float], *, whole: bool = False) -> dict[int, float]:
        """How much one unit of each non-roll-up key result's progress moves a series that
        is Σ seed × progress(node). Walks only what the seeds reach unless `whole`."""
        nodes = self.order if whole else self._reached(seeds)
        share: dict[int, float] = defaultdict(float, seeds)
        coefficients: dict[int, float] = defaultdict(float)
        for node in nodes:
            mine, parts = share.get(node), self.denominator.get(node)
            if not mine or not parts:
                continue  # nothing reaches it, or nothing to average (no progress → 0)
            unit = mine / parts
            for child, w in self.inner.get(node, ()):
                share[child] += unit * w
            for kr_id, w in self.leaves.get(node, ()):
                coefficients[kr_id] += unit * w
        return coefficients

    def _reached(self, seeds: Iterable[int]) -> list[int]:
        """The nodes below the seeds (and the seeds), in the graph's parents-first order;
        nodes on a (damaged) cycle are left out, as in the whole walk."""
        found: set[int] = set()
        stack = list(seeds)
        while stack:
            node = stack.pop()
            if node not in found:
                found.add(node)
                stack.extend(child for child, _ in self.inner.get(node, ()))
        position = self.position
        return sorted((node for node in found if node in position), key=position.__getitem__)


def leaf_coefficients(
    scope_weights: dict[int, float],
    key_results: Iterable[tuple[int, int, str, float]],
    links: Iterable[tuple[int, int | None, int | None, float]],
) -> dict[int, float]:
    """How much one unit of each non-roll-up key result's progress moves the scope (its
    weighted mean of objective progress): see `RollUpGraph`."""
    return RollUpGraph(key_results, links).coefficients(_shares(scope_weights), whole=True)


def _shares(weights: dict[int, float]) -> dict[int, float]:
    total = sum(w for w in weights.values() if w > 0)
    return {pk: w / total for pk, w in weights.items() if w > 0}


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
    change only with the structure or a backdated check-in: see `past_values`. Progress on
    a past day is taken at the end of that day in the organization's timezone: each key
    result at its latest check-in snapshot until then (clamped; none yet → 0).
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


@dataclass(frozen=True)
class StoredPoints:
    """A scope's past points for every viewer at once, as stored (`StoredTrend.points`).

    The scope's value on a day is a weighted mean over the objectives the viewer sees,
    each objective's progress being a fixed linear function of the key results' snapshots
    (hidden descendants included). So it is stored for all counting objectives of the
    scope (`total`, the mean; `weight`, its positive weight), plus the progress series of
    each objective that only some people may see (not organization-wide: private or
    unit-only; there are few). A viewer's points take out the ones they do not see:
    `(total × weight − Σ w·p) / (weight − Σ w)`. Nothing depends on who asks, so every
    viewer of the scope shares one entry.
    """

    dates: list[str]
    total: list[float]
    weight: float
    positive: int  # objectives with a positive weight
    restricted: dict[str, tuple[float, list[float]]]  # id → (weight, progress per date)
    swept: int | None = None  # check-ins the sweep read: what sweeping again would cost

    def as_json(self) -> dict[str, Any]:
        return {
            "dates": self.dates,
            "total": self.total,
            "weight": self.weight,
            "positive": self.positive,
            "restricted": self.restricted,
            "swept": self.swept,
        }

    @classmethod
    def from_json(cls, data: Any) -> StoredPoints | None:
        if not isinstance(data, dict):
            return None  # an entry of an older layout: rebuilt
        return cls(
            data["dates"],
            data["total"],
            data["weight"],
            data["positive"],
            data["restricted"],
            data.get("swept"),
        )

    @property
    def cheap_to_sweep(self) -> bool:
        return self.swept is not None and self.swept <= INLINE_SWEEP_CHECKINS

    def covers(self, past: list[date]) -> bool:
        have = set(self.dates)
        return all(day.isoformat() in have for day in past)

    def values(self, past: list[date], seen: set[int] | None) -> list[float | None]:
        """The points of a viewer who sees these restricted objectives (None: all)."""
        index = {day: i for i, day in enumerate(self.dates)}
        taken = (
            []
            if seen is None
            else [series for pk, series in self.restricted.items() if int(pk) not in seen]
        )
        if self.positive - len(taken) <= 0:
            return [None] * len(past)
        rest = self.weight - sum(w for w, _ in taken)
        values: list[float | None] = []
        for day in past:
            i = index[day.isoformat()]
            value = self.total[i]
            if taken:
                value = (value * self.weight - sum(w * p[i] for w, p in taken)) / rest
            values.append(rules.clamp(value))
        return values


def past_values(scope: Scope, past: list[date], clock: Clock) -> list[float | None]:
    """The trend's values on the past dates, from the scope's stored entry.

    When the entry no longer holds (the report version moved: a structure edit or a
    backdated check-in), the page keeps showing the entry's points and a background task
    (`tasks.rebuild_trend`, run by `luodi worker`) sweeps the check-ins again; a sweep of
    a large organization takes seconds, which no request should wait for. A scope whose
    last sweep read at most INLINE_SWEEP_CHECKINS check-ins (~0.1 s) is swept again in the
    request instead, so small organizations need no worker and never show a stale point.
    The trade-off for large ones: until the worker is done, past points may not yet
    reflect the latest edit (today's point is always live). Only when no entry covers the dates (the
    first view of a scope, or a new week's point) does the request sweep itself.
    Three queries when the entry holds (two for admins).
    """
    if not past:
        return []
    organization = scope.organization
    key = stored_key(scope, clock)
    version_now = ReportVersion.objects.filter(organization=organization).values("version")
    row = (
        StoredTrend.objects.filter(organization=organization, key=key)
        .annotate(now=Subquery(version_now))
        .order_by("-version")
        .values_list("version", "now", "points")
        .first()
    )
    stored = StoredPoints.from_json(row[2]) if row is not None else None
    if stored is None or not stored.covers(past):
        stored = rebuild(scope.organization, scope.cycle, scope.unit_ids, past, clock)
    elif row is not None and row[0] != row[1] and stored.cheap_to_sweep:
        # A small scope is swept again at once: no worker needed, never a stale point.
        stored = rebuild(scope.organization, scope.cycle, scope.unit_ids, past, clock)
    elif row is not None and row[0] != row[1]:
        from luodi.reports.tasks import rebuild_trend  # tasks import this module

        rebuild_trend(
            organization.pk,
            scope.cycle.pk,
            None if scope.unit_ids is None else sorted(scope.unit_ids),
            [day.isoformat() for day in past],
        )
    return stored.values(past, _seen_restricted(scope))


def _seen_restricted(scope: Scope) -> set[int] | None:
    """The scope's objectives that only some people may see and this viewer does see
    (None: an admin sees them all)."""
    if scope.viewer.is_admin:
        return None
    return set(
        Objective.objects.filter(scope.counting_q())
        .exclude(visibility=Visibility.ORGANIZATION)
        .order_by()
        .values_list("pk", flat=True)
    )


def rebuild(
    organization: Organization,
    cycle: Cycle,
    unit_ids: Iterable[int] | None,
    past: list[date],
    clock: Clock,
) -> StoredPoints:
    """Sweep the check-ins for the scope's entry and store it under the version read
    first; older entries of the same scope, and entries nobody has rebuilt for a while
    (scopes nobody opens), are deleted."""
    version = versions.current(organization)  # read before the data it will label
    unit_ids = None if unit_ids is None else frozenset(unit_ids)
    ends = [clock.start_of(day + timedelta(days=1)) for day in past]
    stored = _sweep(organization, cycle, unit_ids, past, ends)
    if version is not None:
        key = scope_key(cycle, unit_ids, clock)
        StoredTrend.objects.filter(organization=organization).filter(
            Q(key=key, version__lt=version) | Q(created_at__lt=clock.now - STORED_FOR)
        ).delete()
        StoredTrend.objects.bulk_create(
            [
                StoredTrend(
                    organization=organization, version=version, key=key, points=stored.as_json()
                )
            ],
            ignore_conflicts=True,
        )
    return stored


def is_fresh(
    organization: Organization, cycle: Cycle, unit_ids: Any, past: list[date], clock: Clock
) -> bool:
    key = scope_key(cycle, unit_ids, clock)
    version_now = ReportVersion.objects.filter(organization=organization).values("version")
    row = (
        StoredTrend.objects.filter(
            organization=organization, key=key, version=Subquery(version_now)
        )
        .values_list("points", flat=True)
        .first()
    )
    stored = StoredPoints.from_json(row) if row is not None else None
    return stored is not None and stored.covers(past)


def stored_key(scope: Scope, clock: Clock) -> str:
    return scope_key(scope.cycle, scope.unit_ids, clock)


def scope_key(cycle: Cycle, unit_ids: Iterable[int] | None, clock: Clock) -> str:
    """What a scope's entry depends on besides the version and the dates it holds: the
    cycle, the timezone its days end in and the unit subtree (not the viewer)."""
    parts = [cycle.pk, str(clock.zone), None if unit_ids is None else sorted(unit_ids)]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def scope_objectives_q(organization: Organization, cycle: Cycle, unit_ids: Any) -> Q:
    """Every counting objective of the scope, whoever may see it."""
    q = Q(organization=organization, cycle=cycle, state__in=COUNTING_STATES)
    if unit_ids is not None:
        q &= Q(unit_id__in=sorted(unit_ids))
    return q


def _sweep(
    organization: Organization,
    cycle: Cycle,
    unit_ids: frozenset[int] | None,
    past: list[date],
    ends: list[datetime],
) -> StoredPoints:
    base = Objective.objects.filter(scope_objectives_q(organization, cycle, unit_ids))
    rows = list(base.order_by().values_list("pk", Cast("weight", FloatField()), "visibility"))
    weights = {pk: w for pk, w, _ in rows if w > 0}
    restricted = [
        pk for pk, w, visibility in rows if w > 0 and visibility != Visibility.ORGANIZATION
    ]
    dates = [day.isoformat() for day in past]
    if not weights:
        # Nothing swept: cheap to sweep again (`swept` None would read as "expensive", and
        # the next view after an objective arrives would show these empty points).
        return StoredPoints(dates, [0.0] * len(past), 0.0, 0, {}, swept=0)
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
        graph = RollUpGraph(key_results, links)
        checkins = list(checkins_query(organization, tree, ends))
    total_coefficients = graph.coefficients(_shares(weights), whole=True)
    extra: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for j, pk in enumerate(restricted):
        for kr_id, c in graph.coefficients({pk: 1.0}).items():
            extra[kr_id].append((j, c))
    total_values, series = _replay(checkins, total_coefficients, extra, len(restricted), len(ends))
    return StoredPoints(
        dates,
        total_values,
        sum(weights.values()),
        len(weights),
        {str(pk): (weights[pk], series[j]) for j, pk in enumerate(restricted)},
        len(checkins),
    )


def _replay(
    checkins: list[tuple[int, int, float | None]],
    coefficients: dict[int, float],
    extra: dict[int, list[tuple[int, float]]],
    n_series: int,
    n_days: int,
) -> tuple[list[float], list[list[float]]]:
    """The total (and each extra series) at the end of each day, moving each by
    `coefficient × (new − old)` per check-in, oldest first."""
    values: list[float] = []
    series: list[list[float]] = [[] for _ in range(n_series)]
    now = [0.0] * n_series
    total = 0.0
    current: dict[int, float] = {}
    share_of, extra_of = coefficients.get, extra.get

    def close_days(upto: int) -> None:
        missing = upto - len(values)
        values.extend([total] * missing)
        for j in range(n_series):
            series[j].extend([now[j]] * missing)

    for kr_id, index, snapshot in checkins:
        if index > len(values):
            close_days(index)
        share, more = share_of(kr_id), extra_of(kr_id)
        if share or more:
            new = min(1.0, max(0.0, snapshot or 0.0))  # clamped, as in the roll-up
            change = new - current.get(kr_id, 0.0)
            current[kr_id] = new
            if share:
                total += share * change
            for j, c in more or ():
                now[j] += c * change
    close_days(n_days)
    return values, series


def checkins_query(organization: Organization, tree: RawSQL, ends: list[datetime]) -> QuerySet:
    """(key result, index of the first day that sees it, snapshot) of the tree's check-ins
    up to the last day, oldest first."""
    bucket = Case(
        *(When(created_at__lt=end, then=Value(i)) for i, end in enumerate(ends)),
        output_field=IntegerField(),
    )
    # The tree's key results (of this organization) as a subquery and no organization
    # filter of its own: the check-ins are then read key result by key result on the
    # (key result, time) index. Filtering on the organization instead let SQLite walk every
    # check-in of the organization by time: ten times slower.
    tree_key_results = KeyResult.objects.filter(organization=organization, objective_id__in=tree)
    return (
        CheckIn.objects.filter(
            key_result_id__in=tree_key_results.values("pk"), created_at__lt=ends[-1]
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
