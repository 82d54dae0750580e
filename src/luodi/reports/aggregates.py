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
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Exists,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.db.models.lookups import GreaterThanOrEqual, LessThan

from luodi.okrs import progress as rules
from luodi.okrs.choices import KeyResultKind, Status
from luodi.okrs.models import KeyResult, PhaseTarget
from luodi.okrs.selectors import Clock
from luodi.orgs.choices import CycleState
from luodi.orgs.models import Cycle
from luodi.reports.scope import (
    KeyResultMeasures,
    KeyResultRow,
    RowMeasures,
    key_result_rows,
    phase_plans,
)

STATUS_KEYS = (Status.NOT_STARTED, Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK, Status.DONE)
SEVERITY = {str(Status.OFF_TRACK): 0, str(Status.AT_RISK): 1}  # then everything else: 2
DONE = str(Status.DONE)
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
    the owners of those that are not roll-ups."""

    counts: dict[str, int] = field(default_factory=dict)
    at_risk: list[tuple[KeyResultRow, RowMeasures]] = field(default_factory=list)
    owners: set[int] = field(default_factory=set)

    @classmethod
    def of(cls, q: Q, plans_q: Q, cycle: Cycle, clock: Clock, limit: int) -> KeyResultTally:
        sql = StatusSql.for_cycle(cycle, clock)
        measure = KeyResultMeasures(cycle, clock)
        tally = cls(counts={str(key): 0 for key in STATUS_KEYS} | {"stale": 0})
        worst = tally._scan(q, sql, limit)
        plans = phase_plans(plans_q)
        # The worst on pace and every key result on its own pace, in one query.
        rows = key_result_rows(q & ~cycle_pace_q(), Q(pk__in=worst))
        candidates = []
        for row in rows:
            if row.pk in worst:
                candidates.append((row, measure(row)))
            else:
                m = measure(row, plans.get(row.pk))
                tally.counts[m.status] += 1
                tally.counts["stale"] += int(m.stale)
                candidates.append((row, m))
        tally.at_risk = _worst(candidates, limit)
        return tally

    def _scan(self, q: Q, sql: StatusSql, limit: int) -> list[int]:
        """One pass over the key results: counts those on the cycle's pace by status, finds
        the owners, and returns the ids of the `limit` worst on pace (see `_worst`).

        Each status costs SQLite about as much as reading the row, so the rows are worked
        out once (a common table expression used thrice is materialized) and then read
        three times, instead of three queries each working every row out again.
        """
        rows = (
            KeyResult.objects.filter(q)
            .annotate(
                own=_flag(~cycle_pace_q()),
                code=sql.code(),
                stale=_flag(sql.stale_not_done()),
                gap=sql.gap(),
                expected=_flag(Q(owner_id__isnull=False) & ~Q(kind=KeyResultKind.ROLLUP)),
            )
            .order_by()
            .values_list("pk", "owner_id", "own", "code", "stale", "gap", "expected")
        )
        try:
            inner, params = rows.query.sql_with_params()
        except EmptyResultSet:
            return []
        # Parts: 0 status counts (code, count, stale), 1 owners, 2 the worst on pace. The
        # NULLs are typed: PostgreSQL takes an untyped one in a subquery for text.
        none = "CAST(NULL AS INTEGER)"
        statement = (
            f"WITH s (id, owner_id, own, code, stale, gap, expected) AS ({inner}) "
            "SELECT 0, code, COUNT(*), SUM(stale) FROM s WHERE own = 0 GROUP BY code "
            f"UNION ALL SELECT 1, {none}, owner_id, {none} FROM s WHERE expected = 1 "
            "GROUP BY owner_id "
            f"UNION ALL SELECT * FROM (SELECT 2, {none}, id, {none} FROM s "
            "WHERE own = 0 AND (code < 2 OR stale = 1) "
            "ORDER BY gap DESC, CASE WHEN code < 2 THEN code ELSE 2 END, id "
            f"LIMIT {int(limit)}) worst"
        )
        worst = []
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            for part, code, number, stale in cursor.fetchall():
                if part == 0:
                    self.counts[STATUS_OF_CODE[code]] += number
                    self.counts["stale"] += stale or 0
                elif part == 1:
                    self.owners.add(number)
                else:
                    worst.append(number)
        return worst


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
