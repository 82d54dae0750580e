"""The dashboard counts statuses in SQL (`reports.aggregates`); `okrs.progress` is the rule.

Both must give the same status and stale flag for every key result, on many generated
cases: progress on and around every boundary, raw progress beyond [0, 1], every
confidence, check-ins old and new, several days of the cycle and a cycle not active.
"""

from __future__ import annotations

import heapq
import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Case, Q, Value, When

from luodi.accounts.models import User
from luodi.okrs.models import KeyResult, PhaseTarget
from luodi.okrs.selectors import Clock
from luodi.orgs.choices import CycleState
from luodi.orgs.models import Cycle, Organization
from luodi.orgs.services import cycle_create
from luodi.reports.aggregates import STATUS_OF_CODE, KeyResultTally, StatusSql, cycle_pace_q
from luodi.reports.scope import KeyResultMeasures, key_result_rows, phased_rows
from tests.conftest import make_objective

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAYS = ("2026-10-01", "2026-10-16", "2026-11-19", "2026-12-31", "2027-01-10")


def _cycle(org: Organization, owner: User) -> Cycle:
    return cycle_create(
        organization=org,
        actor=owner,
        name="Q",
        start_date=date(2026, 10, 1),
        end_date=date(2026, 12, 31),
        state=CycleState.ACTIVE,
    )


def _progress_values(cycle: Cycle, org: Organization) -> list[float | None]:
    """Values on and next to every status boundary of every day tested, and around."""
    values: list[float | None] = [None, -0.5, 0.0, 0.5, 0.999999, 1.0, 1.5]
    for day in DAYS:
        clock = _clock(org, day)
        sql = StatusSql.for_cycle(cycle, clock)
        for edge in (sql.expected - 2 * clock.tolerance, sql.expected - clock.tolerance):
            values += [edge, edge - 1e-9, edge - 2e-9, edge + 1e-12, edge - 1e-12]
    return values


def _clock(org: Organization, day: str) -> Clock:
    return Clock.for_org(org, datetime.fromisoformat(day).replace(hour=15, tzinfo=SHANGHAI))


def _generate(org: Organization, owner: User, cycle: Cycle, count: int) -> None:
    objective = make_objective(org, owner, cycle, title="Many")
    rng = random.Random(4)
    values = _progress_values(cycle, org)
    stamps = [None] + [
        datetime(2026, 10, 1, tzinfo=SHANGHAI) + timedelta(days=d, hours=h)
        for d in (0, 1, 5, 13, 14, 15, 30, 49, 60, 90)
        for h in (0, 7)
    ]
    rows = []
    for i in range(count):
        raw = rng.choice(values)
        stored = None if raw is None else max(0.0, min(1.0, raw)) if rng.random() < 0.8 else raw
        rows.append(
            KeyResult(
                organization=org,
                objective=objective,
                cycle_id=objective.cycle_id,
                title=f"kr {i}",
                kind="metric",
                start=0,
                target=100,
                raw_progress=raw if rng.random() < 0.9 else None,
                progress=stored,
                last_confidence=rng.choice([None, 1, 2, 3, 4, 5, 6, 10]),
                last_checkin_at=rng.choice(stamps),
                # A few keep their own pace: measured row by row, merged with the rest.
                due_date=date(2026, 11, 20) if i % 10 == 0 else None,
                position=i,
                owner=owner if i % 3 else None,
            )
        )
    KeyResult.objects.bulk_create(rows)
    # A few have phased targets (some of them dates too): measured row by row, the scan
    # counting them on the cycle's pace first.
    PhaseTarget.objects.bulk_create(
        PhaseTarget(organization=org, key_result=kr, date=date(2026, 11, 1), target=Decimal(40))
        for kr in rows
        if kr.position % 7 == 3 or kr.position % 70 == 0
    )


@pytest.mark.django_db
@pytest.mark.parametrize("cycle_state", [CycleState.ACTIVE, CycleState.REVIEWING])
def test_sql_status_and_stale_agree_with_the_rule(
    org: Organization, owner: User, cycle_state: str
) -> None:
    cycle = _cycle(org, owner)
    _generate(org, owner, cycle, 600)
    cycle.state = cycle_state
    cycle.save()
    q = Q(objective__cycle=cycle) & cycle_pace_q()
    rows = key_result_rows(q)
    for day in DAYS:
        clock = _clock(org, day)
        sql = StatusSql.for_cycle(cycle, clock)
        stale = Case(When(sql.stale(), then=Value(True)), default=Value(False))
        stale_not_done = Case(When(sql.stale_not_done(), then=Value(True)), default=Value(False))
        got = {}
        for pk, status, code, flag, flag_not_done in (
            KeyResult.objects.filter(q)
            .annotate(status=sql.status(), code=sql.code(), stale_flag=stale, sn=stale_not_done)
            .values_list("pk", "status", "code", "stale_flag", "sn")
        ):
            # The status as a number and the cheaper stale-and-not-done say the same.
            assert STATUS_OF_CODE[code] == status, pk
            assert bool(flag_not_done) == (bool(flag) and status != "done"), pk
            got[pk] = (status, bool(flag) and status != "done")
        measure = KeyResultMeasures(cycle, clock)
        for row in rows:
            m = measure(row)
            assert got[row.pk] == (m.status, m.stale), (day, row)


@pytest.mark.django_db
def test_tally_agrees_with_measuring_every_row(org: Organization, owner: User) -> None:
    cycle = _cycle(org, owner)
    _generate(org, owner, cycle, 400)
    q = Q(objective__cycle=cycle, state="active")
    plans_q = Q(key_result__objective__cycle=cycle, key_result__state="active")
    _phased, plans = phased_rows(plans_q)
    assert len(plans) == 57 + 6  # by position % 7 == 3, and % 70 == 0 (with a due date)
    for day in DAYS:
        clock = _clock(org, day)
        week = (clock.start_of(clock.today), clock.start_of(clock.today + timedelta(days=7)))
        tally = KeyResultTally.of(q, plans_q, cycle, clock, 10, organization_id=org.pk, week=week)
        measure = KeyResultMeasures(cycle, clock)
        measured = [(row, measure(row, plans.get(row.pk))) for row in key_result_rows(q)]
        counts = {key: 0 for key in tally.counts}
        flagged = []
        for row, m in measured:
            counts[m.status] += 1
            counts["stale"] += int(m.stale)
            if m.status in ("off_track", "at_risk") or (m.stale and m.status != "done"):
                gap = m.expected_progress - min(1.0, max(0.0, row.progress or 0.0))
                severity = {"off_track": 0, "at_risk": 1}.get(m.status, 2)
                flagged.append((-gap, severity, row.pk))
        assert tally.counts == counts, day
        # Expected to check in: the owner of those that have one; no check-ins here.
        assert (tally.people, tally.checked_in) == (1, 0), day
        worst = [pk for *_, pk in heapq.nsmallest(10, flagged)]
        assert [row.pk for row, _m in tally.at_risk] == worst, day
