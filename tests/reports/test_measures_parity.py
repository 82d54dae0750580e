"""Reports measure objectives and key results from plain rows; `okrs.selectors` from models.
Both must give the same pace, status and stale flag in every case."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Q

from luodi.accounts.models import User
from luodi.checkins.services import checkin_submit
from luodi.okrs.models import KeyResult, Objective
from luodi.okrs.selectors import Clock, key_result_measures, objective_measures
from luodi.okrs.services import key_result_create, key_result_update
from luodi.orgs.choices import CycleState
from luodi.orgs.models import Organization
from luodi.orgs.services import cycle_create
from luodi.reports.scope import (
    KeyResultMeasures,
    ObjectiveRow,
    ObjectiveStatus,
    key_result_rows,
    phase_plans,
)
from tests.conftest import make_metric, make_objective

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.django_db
@pytest.mark.parametrize("cycle_state", [CycleState.ACTIVE, CycleState.REVIEWING])
def test_row_measures_agree_with_key_result_measures(
    org: Organization, owner: User, cycle_state: str
) -> None:
    cycle = cycle_create(
        organization=org,
        actor=owner,
        name="Q",
        start_date=date(2026, 10, 1),
        end_date=date(2026, 12, 31),
        state=CycleState.ACTIVE,
    )
    objective = make_objective(org, owner, cycle, title="Everything")

    def moment(day: str) -> datetime:
        return datetime.fromisoformat(day).replace(hour=9, tzinfo=SHANGHAI)

    plain = make_metric(objective, owner, title="plain")
    checkin_submit(key_result=plain, actor=owner, value="30", confidence=6, at=moment("2026-10-20"))
    phased = make_metric(
        objective,
        owner,
        start="100",
        target="40",
        title="phased, lower is better",
        phases=[{"date": date(2026, 10, 31), "target": 90}, {"date": "2026-11-30", "target": 50}],
    )
    checkin_submit(
        key_result=phased, actor=owner, value="80", confidence=2, at=moment("2026-11-02")
    )
    dated = make_metric(
        objective,
        owner,
        title="own dates",
        start_date=date(2026, 10, 15),
        due_date=date(2026, 11, 15),
    )
    checkin_submit(key_result=dated, actor=owner, value="120", at=moment("2026-11-10"))
    make_metric(objective, owner, title="never checked in")
    percentage = make_metric(objective, owner, kind="percentage", title="percentage", start="0")
    key_result_update(
        key_result=percentage,
        actor=owner,
        reason="phased",
        phases=[{"date": date(2026, 11, 1), "target": 60}],
    )
    checkin_submit(key_result=percentage, actor=owner, value="45", at=moment("2026-11-05"))
    key_result_create(objective=objective, actor=owner, title="roll-up", kind="rollup")
    gone = make_metric(objective, owner, title="cancelled")
    key_result_update(key_result=gone, actor=owner, state="cancelled")
    cycle.state = cycle_state
    cycle.save()

    q = Q(objective__cycle=cycle)
    rows = key_result_rows(q)
    plans = phase_plans(Q(key_result__objective__cycle=cycle))
    assert len(plans) == 2
    models = {
        kr.pk: kr for kr in KeyResult.objects.filter(q).prefetch_related("phases", "milestones")
    }
    for day in ("2026-09-20", "2026-10-01", "2026-10-25", "2026-11-08", "2026-11-20", "2027-01-05"):
        clock = Clock.for_org(org, moment(day) + timedelta(hours=3))
        measure = KeyResultMeasures(cycle, clock)
        for row in rows:
            expected = key_result_measures(models[row.pk], cycle, clock)
            got = measure(row, plans.get(row.pk))
            assert got.expected_progress == pytest.approx(expected.expected_progress), row.title
            assert (got.status, got.stale) == (expected.status, expected.stale), (row.title, day)


@pytest.mark.django_db
def test_objective_status_agrees_with_objective_measures(org: Organization, owner: User) -> None:
    cycle = cycle_create(
        organization=org,
        actor=owner,
        name="Q",
        start_date=date(2026, 10, 1),
        end_date=date(2026, 12, 31),
        state=CycleState.ACTIVE,
    )
    stamp = datetime(2026, 10, 20, tzinfo=SHANGHAI)
    for day in ("2026-09-20", "2026-11-08", "2027-01-05"):
        clock = Clock.for_org(org, datetime.fromisoformat(day).replace(tzinfo=SHANGHAI))
        status = ObjectiveStatus(clock, {cycle.pk: cycle})
        for progress in (None, 0.0, 0.1, 0.3, 0.39, 0.5, 0.99, 1.0):
            for checked in (False, True):
                objective = Objective(progress=progress, last_checkin_at=stamp if checked else None)
                row = ObjectiveRow(
                    pk=1,
                    cycle_id=cycle.pk,
                    title="",
                    level="company",
                    unit_id=None,
                    owner_id=None,
                    weight=1.0,
                    state="active",
                    progress=progress,
                    has_checkin=checked,
                )
                assert status(row) == objective_measures(objective, cycle, clock).status
