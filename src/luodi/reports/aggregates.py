"""Key result statuses counted by the database, for scopes too large to read row by row.

Most key results follow the cycle's straight pace: no start or due date of their own, no
phased targets. Their expected progress is one number for the whole scope, so the status
rule of `okrs.progress.status_of` (and the stale rule of `is_stale`) can run in SQL with
that number bound as a parameter: the thresholds are worked out in Python with the very
expressions the rule uses, so SQL compares against the same floats (tests/reports/
test_status_sql_parity.py proves the two agree on many generated cases). The others
("own pace": dates or phases) are few; they are read as rows and measured in Python by
`scope.KeyResultMeasures`, exactly as before.

On SQLite, working the status out costs about as much as reading the row, so the scope's
key results are worked out in one pass (`KeyResultTally._scan`) that every count and list
then reads, rather than in one query per count.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, Greatest, Least
from django.db.models.lookups import GreaterThanOrEqual, LessThan

from luodi.checkins.models import CheckIn
from luodi.okrs import progress as rules
from luodi.okrs.choices import KeyResultKind, Level, ObjectiveState, Status
from luodi.okrs.models import Alignment, KeyResult, KeyResultContributor, Objective, PhaseTarget
from luodi.okrs.selectors import Clock
from luodi.orgs.choices import CycleState
from luodi.orgs.models import Cycle
from luodi.reports.scope import (
    KeyResultMeasures,
    KeyResultRow,
    RowMeasures,
    Scope,
    key_result_rows,
    phased_rows,
)

STATUS_KEYS = (Status.NOT_STARTED, Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK, Status.DONE)
SEVERITY = {str(Status.OFF_TRACK): 0, str(Status.AT_RISK): 1}  # then everything else: 2
DONE = str(Status.DONE)
AT_RISK_LIMIT = 10  # the dashboard's list of the worst key results
LIVE_OBJECTIVE_STATES = [
    str(s) for s in (ObjectiveState.DRAFT, ObjectiveState.ACTIVE, ObjectiveState.CLOSED)
]
CODES = SEVERITY | {str(Status.NOT_STARTED): 2, str(Status.ON_TRACK): 3, DONE: 4}
STATUS_OF_CODE = {code: key for key, code in CODES.items()}


def cycle_pace_q() -> Q:
    """Key results that keep the cycle's straight pace: no dates, no phased targets."""
    phased = PhaseTarget.objects.filter(key_result=OuterRef("pk"))
    return Q(start_date__isnull=True, due_date__isnull=True) & ~Q(Exists(phased))


@dataclass(frozen=True)
class StatusSql:
    """`status_of` and `is_stale` for key results on the cycle's pace, as SQL expressions."""

    expected: float
    tolerance: float
    stale_before: datetime | None  # None: nothing can be stale now

    @classmethod
    def for_cycle(cls, cycle: Cycle, clock: Clock) -> StatusSql:
        expected = rules.expected_progress(
            day=clock.today, start_day=cycle.start_date, end_day=cycle.end_date
        )
        # is_stale: now − max(last check-in or start, start) ≥ STALE_AFTER, start being the
        # cycle's first moment: both must lie at or before now − STALE_AFTER.
        before = clock.now - rules.STALE_AFTER
        can_be_stale = (
            cycle.state == CycleState.ACTIVE and clock.start_of(cycle.start_date) <= before
        )
        return cls(expected, clock.tolerance, before if can_be_stale else None)

    def status(self) -> Case:
        """The status, as `status_of` names it."""
        return self._status_case(**{str(key): Value(str(key)) for key in STATUS_KEYS})

    def code(self) -> Case:
        """The status as a number (`CODES`): off track 0, at risk 1, not started 2, on track
        3, done 4, so that the at-risk list's order within one gap is min(code, 2)."""
        return self._status_case(
            **{key: Value(code) for key, code in CODES.items()}, output_field=IntegerField()
        )

    def _status_case(self, output_field: Any = None, **outcome: Value) -> Case:
        # The same arithmetic as status_of, so SQL compares with the very same floats.
        expected, tolerance, slack = self.expected, self.tolerance, rules.BOUNDARY_SLACK
        off_below = _number(expected - 2 * tolerance - slack)
        on_from = _number(expected - tolerance - slack)
        for_status = Coalesce("raw_progress", "progress", output_field=FloatField())
        value = Coalesce("raw_progress", "progress", Value(0.0), output_field=FloatField())
        return Case(
            When(GreaterThanOrEqual(for_status, _number(1.0)), then=outcome[DONE]),
            When(last_checkin_at__isnull=True, then=outcome[str(Status.NOT_STARTED)]),
            When(
                Q(LessThan(value, off_below)) | Q(last_confidence__lte=2),
                then=outcome[str(Status.OFF_TRACK)],
            ),
            When(
                Q(GreaterThanOrEqual(value, on_from))
                & (Q(last_confidence__isnull=True) | Q(last_confidence__gte=5)),
                then=outcome[str(Status.ON_TRACK)],
            ),
            default=outcome[str(Status.AT_RISK)],
            output_field=output_field or CharField(),
        )

    def stale(self) -> Q:
        """Stale, for a key result that is not done (the caller checks the status)."""
        if self.stale_before is None:
            return Q(pk__in=[])
        return Q(last_checkin_at__isnull=True) | Q(last_checkin_at__lte=self.stale_before)

    @staticmethod
    def not_done() -> Q:
        """Status is not done: `status()`'s first case, negated without evaluating the
        whole status again (SQLite would, for every row)."""
        value = Coalesce("raw_progress", "progress", Value(0.0), output_field=FloatField())
        return Q(LessThan(value, _number(1.0)))

    def stale_not_done(self) -> Q:
        return self.stale() & self.not_done()

    def gap(self) -> Any:
        """Expected − clamped progress: the at-risk list's order."""
        clamped = Greatest(Least(Coalesce("progress", Value(0.0)), Value(1.0)), Value(0.0))
        return _number(self.expected) - clamped


def _number(value: float) -> Value:
    return Value(value, output_field=FloatField())


@dataclass
class KeyResultTally:
    """Status counts and the at-risk list over the active key results that match `q`, and
    with `week`, how many people are expected to check in on those that are not roll-ups
    (their owners and contributors) and how many of them did during the week."""

    counts: dict[str, int] = field(default_factory=dict)
    at_risk: list[tuple[KeyResultRow, RowMeasures]] = field(default_factory=list)
    people: int = 0
    checked_in: int = 0
    # With `people_ids`: who those people are, and who of them checked in (a union over
    # several tallies is then exact where a sum of counts is not).
    people_ids: set[int] | None = None
    checked_in_ids: set[int] | None = None
    # The first moment after now at which one of the key results may turn stale by the
    # clock alone (None: never while the cycle keeps its state); a stored tally holds
    # until then.
    stale_at: datetime | None = None

    @classmethod
    def of(
        cls,
        q: Q,
        related_q: Q,
        cycle: Cycle,
        clock: Clock,
        limit: int,
        *,
        organization_id: int,
        week: tuple[datetime, datetime] | None = None,
        people_ids: bool = False,
        few: bool = False,
    ) -> KeyResultTally:
        """`related_q`: `q` for the rows that point to a key result (phased targets,
        contributors, check-ins: prefix `key_result__`, and their own organization).

        `few`: `q` holds a small part of the organization (some units): the phased targets
        and contributors are then looked up from its key results rather than read for the
        whole organization and matched."""
        sql = StatusSql.for_cycle(cycle, clock)
        measure = KeyResultMeasures(cycle, clock)
        tally = cls(counts={str(key): 0 for key in STATUS_KEYS} | {"stale": 0})
        if people_ids:
            tally.people_ids, tally.checked_in_ids = set(), set()
        worst, first_stale = tally._scan(q, related_q, sql, limit, organization_id, week, few)
        if few:
            related_q = Q(key_result__in=KeyResult.objects.filter(q).order_by().values("pk"))
        phased, plans = phased_rows(related_q)
        # The worst on pace, the one on pace to turn stale first and every key result with
        # dates, in one query.
        rows = key_result_rows(q & dated_q(), Q(pk__in=[*worst, *first_stale]))
        candidates = []
        stale_at = _StaleClock(sql, cycle, clock)
        for row in rows:
            if row.pk in first_stale:
                stale_at.consider(row, None)
            if row.pk in worst:
                candidates.append((row, measure(row)))
            elif row.pk not in plans and (row.start_date or row.due_date):
                # dated, not phased: measured here only
                candidates.append((row, tally._count(stale_at.consider(row, measure(row)))))
        for row in phased:
            m = tally._count(stale_at.consider(row, measure(row, plans[row.pk])))
            if row.start_date is None and row.due_date is None:
                # The scan counted it on the cycle's pace: take that back.
                tally._count(measure(row), -1)
            candidates.append((row, m))
        tally.at_risk = _worst(candidates, limit)
        tally.stale_at = stale_at.first
        return tally

    def _count(self, m: RowMeasures, sign: int = 1) -> RowMeasures:
        self.counts[m.status] += sign
        self.counts["stale"] += sign * int(m.stale)
        return m

    def _scan(
        self,
        q: Q,
        related_q: Q,
        sql: StatusSql,
        limit: int,
        organization_id: int,
        week: tuple[datetime, datetime] | None,
        few: bool = False,
    ) -> tuple[list[int], list[int]]:
        """One statement over the key results: counts those without dates by status (the
        phased among them on the cycle's pace too: the caller takes them back), counts the
        people expected to check in and those who did, and returns the ids of the `limit`
        worst on the cycle's pace (see `_worst`) and the id of the one on the cycle's pace,
        not stale and not done, whose last check-in is the oldest (the first to turn stale).

        Each status costs SQLite about as much as reading the row, so the rows are worked
        out once (a common table expression used several times is materialized) and then
        read again, instead of several queries each working every row out again. Whether a
        key result has phased targets is asked only of the few the at-risk list considers.
        """
        rows = (
            KeyResult.objects.filter(q)
            .annotate(
                dated=_flag(dated_q()),
                code=sql.code(),
                stale=_flag(sql.stale_not_done()),
                gap=sql.gap(),
                counted=_flag(~Q(kind=KeyResultKind.ROLLUP)),
            )
            .order_by()
            .values_list(
                "pk", "owner_id", "dated", "code", "stale", "gap", "counted", "last_checkin_at"
            )
        )
        phased = (
            PhaseTarget.objects.filter(organization_id=organization_id)
            .order_by()
            .values_list("key_result_id")
        )
        try:
            inner, params = rows.query.sql_with_params()
        except EmptyResultSet:
            return [], []
        phased_sql, phased_params = phased.query.sql_with_params()
        not_phased = f"id NOT IN ({phased_sql})"
        if few:  # ask the phased targets' key result index, for the few listed
            table, column = PhaseTarget._meta.db_table, PhaseTarget._meta.get_field("key_result")
            not_phased = f"NOT EXISTS (SELECT 1 FROM {table} WHERE {column.column} = s.id)"
            phased_params = ()
        # Parts: 0 status counts (code, count, stale), 2 the worst on pace, 3 people and
        # check-ins. The NULLs are typed: PostgreSQL takes an untyped one in a subquery for
        # text.
        none = "CAST(NULL AS INTEGER)"
        done = CODES[DONE]
        statement = (
            f"WITH s (id, owner_id, dated, code, stale, gap, counted, last) AS ({inner}) "
            "SELECT 0, code, COUNT(*), SUM(stale) FROM s WHERE dated = 0 GROUP BY code "
            f"UNION ALL SELECT * FROM (SELECT 1, {none}, id, {none} FROM s "
            f"WHERE dated = 0 AND stale = 0 AND code < {done} AND last IS NOT NULL "
            "ORDER BY last, id LIMIT 1) first_stale "
            f"UNION ALL SELECT * FROM (SELECT 2, {none}, id, {none} FROM s "
            f"WHERE dated = 0 AND (code < 2 OR stale = 1) AND {not_phased} "
            "ORDER BY gap DESC, CASE WHEN code < 2 THEN code ELSE 2 END, id "
            f"LIMIT {int(limit)}) worst"
        )
        params = (*params, *phased_params)
        if week is not None:
            people_sql, people_params = _people_sql(
                related_q, week, each=self.people_ids is not None, few=few
            )
            statement += f" UNION ALL {people_sql}"
            params = (*params, *people_params)
        worst: list[int] = []
        first_stale: list[int] = []
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            for part, code, number, extra in cursor.fetchall():
                if part == 0:
                    self.counts[STATUS_OF_CODE[code]] += number
                    self.counts["stale"] += extra or 0
                elif part == 1:
                    first_stale.append(number)
                elif part == 2:
                    worst.append(number)
                elif self.people_ids is not None and self.checked_in_ids is not None:
                    self.people_ids.add(number)
                    if extra:
                        self.checked_in_ids.add(number)
                else:
                    self.people, self.checked_in = number, extra or 0
        if self.people_ids is not None and self.checked_in_ids is not None:
            self.people, self.checked_in = len(self.people_ids), len(self.checked_in_ids)
        return worst, first_stale


def dated_q() -> Q:
    """Key results with a start or due date of their own (off the cycle's straight pace)."""
    return Q(start_date__isnull=False) | Q(due_date__isnull=False)


def _people_sql(
    related_q: Q, week: tuple[datetime, datetime], *, each: bool = False, few: bool = False
) -> tuple[str, tuple]:
    """Part 3 of `_scan`: (3, NULL, people, checked in), or with `each` one row per person
    (3, NULL, person, 1 if checked in else 0). People: the owners of the key
    results `s` that are not roll-ups, and the contributors to those (`related_q`: the same
    key results, for rows pointing to one); checked in: those of them who wrote a check-in
    on one of those key results during the week.

    Counted in the database, as thousands of people are in a large organization: each
    person's check-ins of the week are found through the (author, time) index, and the
    first on such a key result settles it, rather than every check-in of the week being
    tested."""
    expected = related_q & ~Q(key_result__kind=KeyResultKind.ROLLUP)
    contributors = KeyResultContributor.objects.filter(expected).order_by().values("user_id")
    checked_in = CheckIn.objects.filter(
        expected,
        author_id=RawSQL("people.person", ()),
        created_at__gte=week[0],
        created_at__lt=week[1],
    ).order_by()
    contributors_sql, contributors_params = contributors.query.sql_with_params()
    if few:  # through the (key result, user) index, from the few key results of `s`
        table = KeyResultContributor._meta.db_table
        contributors_sql = (
            f"SELECT c.user_id FROM {table} c INNER JOIN s ON s.id = c.key_result_id "
            "WHERE s.counted = 1"
        )
        contributors_params = ()
    checked_in_sql, checked_in_params = checked_in.values("pk").query.sql_with_params()
    checked = f"CASE WHEN EXISTS ({checked_in_sql}) THEN 1 ELSE 0 END"
    columns = f"people.person, {checked}" if each else f"COUNT(*), SUM({checked})"
    sql = (
        f"SELECT 3, CAST(NULL AS INTEGER), {columns} "
        "FROM (SELECT owner_id AS person FROM s WHERE counted = 1 AND owner_id IS NOT NULL "
        f"UNION {contributors_sql}) people"
    )
    return sql, (*checked_in_params, *contributors_params)


class _StaleClock:
    """The first moment after now at which a key result may turn stale by the clock alone
    (`is_stale`: 14 days after its last check-in, or after its start without one)."""

    def __init__(self, sql: StatusSql, cycle: Cycle, clock: Clock) -> None:
        self.first: datetime | None = None
        self.active = cycle.state == CycleState.ACTIVE
        self.clock = clock
        self.cycle = cycle
        if self.active and sql.stale_before is None:
            # Too early in the cycle for anything to be stale: that changes 14 days in.
            self._keep(clock.start_of(cycle.start_date) + rules.STALE_AFTER)

    def consider(self, row: KeyResultRow, m: RowMeasures | None) -> RowMeasures | None:
        """Take `row` into account (`m`: its measures; None when it is known to be on the
        cycle's pace, neither stale nor done). Returns `m`."""
        if self.active and (m is None or not (m.stale or m.status == DONE)):
            start = self.clock.start_of(row.start_date or self.cycle.start_date)
            since = max(row.last_checkin_at or start, start)
            self._keep(since + rules.STALE_AFTER)
        return m

    def _keep(self, moment: datetime) -> None:
        if moment > self.clock.now and (self.first is None or moment < self.first):
            self.first = moment


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _worst(
    candidates: list[tuple[KeyResultRow, RowMeasures]], limit: int
) -> list[tuple[KeyResultRow, RowMeasures]]:
    """The at-risk rule on measured rows: off track or at risk, or stale and not done;
    largest gap (expected − clamped progress) first."""
    flagged = []
    for kr, m in candidates:
        if m.status in SEVERITY or (m.stale and m.status != DONE):
            gap = m.expected_progress - min(1.0, max(0.0, kr.progress or 0.0))
            flagged.append((-gap, SEVERITY.get(m.status, 2), kr.pk, kr, m))
    worst = heapq.nsmallest(limit, flagged, key=lambda item: item[:3])
    return [(kr, m) for *_, kr, m in worst]


def scope_tally(
    scope: Scope, clock: Clock, *, few: bool, people_ids: bool = False
) -> KeyResultTally:
    """The dashboard's tally of a scope's active key results, with this week's check-ins
    (Monday 00:00 to Monday 00:00 in the organization's timezone)."""
    monday = clock.today - timedelta(days=clock.today.weekday())
    return KeyResultTally.of(
        scope.active_key_results_q(),
        Q(organization=scope.organization) & scope.active_key_results_q("key_result__"),
        scope.cycle,
        clock,
        AT_RISK_LIMIT,
        organization_id=scope.organization.pk,
        week=(clock.start_of(monday), clock.start_of(monday + timedelta(days=7))),
        people_ids=people_ids,
        few=few,
    )


# --- objectives by unit ---------------------------------------------------------------------


@dataclass(frozen=True)
class UnitGroup:
    """The scope's objectives of one unit: how many (and how many not company-level), and
    the sums `weighted_mean` takes (weight × clamped progress, weight) over those with a
    positive weight."""

    objectives: int
    below_company: int
    aligned: int  # of those below company level, how many have a visible parent
    weighted: float
    weights: float


def unit_groups(scope: Scope) -> dict[int | None, UnitGroup]:
    """Per unit (None: no unit), one GROUP BY over the scope's objectives."""
    positive = Q(weight__gt=0)
    below_company = ~Q(level=Level.COMPANY)
    weight = Cast("weight", FloatField())
    clamped = Greatest(Least(Coalesce("progress", Value(0.0)), Value(1.0)), Value(0.0))
    rows = (
        Objective.objects.filter(scope.counting_q())
        .order_by()
        .values("unit_id")
        .annotate(
            n=Count("pk"),
            below_company=Count("pk", filter=below_company),
            aligned=Count("pk", filter=below_company & Q(Exists(visible_parent_links(scope)))),
            weighted=Sum(weight * clamped, filter=positive, output_field=FloatField()),
            weights=Sum(weight, filter=positive, output_field=FloatField()),
        )
        .values_list("unit_id", "n", "below_company", "aligned", "weighted", "weights")
    )
    return {
        unit: UnitGroup(n, below, aligned, weighted or 0.0, weights or 0.0)
        for unit, n, below, aligned, weighted, weights in rows
    }


def visible_parent_links(scope: Scope) -> QuerySet[Alignment]:
    """The links of the outer objective to a parent (an objective or a key result's
    objective) that the viewer can see and that is not cancelled."""
    parent_objective = "parent_objective__"
    parent_kr_objective = "parent_key_result__objective__"
    visible_parent = (
        Q(parent_objective__isnull=False)
        & scope.visible_q(parent_objective)
        & Q(parent_objective__state__in=LIVE_OBJECTIVE_STATES)
    ) | (
        Q(parent_key_result__isnull=False)
        & scope.visible_q(parent_kr_objective)
        & Q(parent_key_result__objective__state__in=LIVE_OBJECTIVE_STATES)
    )
    # The children are restricted to the scope's cycle and units although the outer
    # objective already is: PostgreSQL, over-estimating each lookup, reads the links of
    # every child into a hash, and these bound it to the scope's.
    in_scope = Q(child__cycle_id=scope.cycle.pk)
    if scope.unit_ids is not None:
        in_scope &= Q(child__unit_id__in=sorted(scope.unit_ids))
    elif scope.unitless:
        in_scope &= Q(child__unit_id__isnull=True)
    return Alignment.objects.filter(
        visible_parent & in_scope, organization=scope.organization, child_id=OuterRef("pk")
    )


def mean_of_groups(groups: Iterable[UnitGroup]) -> float | None:
    """`weighted_mean` over groups of objectives, each group as its own weighted mean with
    the group's total weight: the same value as over the objectives themselves, with one
    Decimal operation per group (units) rather than per objective."""
    return rules.weighted_mean((g.weighted / g.weights, g.weights) for g in groups if g.weights > 0)
