from decimal import Decimal

import pytest

from luodi.checkins.services import checkin_submit
from luodi.okrs.choices import Status
from luodi.okrs.rebuild import rebuild
from luodi.okrs.selectors import Clock, key_result_measures
from luodi.okrs.services import key_result_create
from tests.conftest import make_metric, make_objective


@pytest.mark.django_db
def test_checkin_rolls_up_three_levels(org, owner, member, cycle):
    company = make_objective(org, owner, cycle, title="Lead the market")
    company_kr, _ = key_result_create(
        objective=company, actor=owner, title="Units roll up", kind="rollup"
    )
    dept = make_objective(
        org,
        owner,
        cycle,
        title="Dept",
        level="company",
        alignments=[{"parent_key_result_id": company_kr.pk}],
    )
    mine = make_objective(
        org,
        member,
        cycle,
        title="Mine",
        level="individual",
        alignments=[{"parent_objective_id": dept.pk, "weight": 2}],
    )
    kr = make_metric(mine, member, start="5", target="2", title="Complaint rate 5% → 2%")
    assert kr.direction == "decrease"
    checkin, created = checkin_submit(key_result=kr, actor=member, value="3.5", confidence=7)
    assert created
    kr.refresh_from_db()
    assert kr.progress == pytest.approx(0.5)
    mine.refresh_from_db()
    dept.refresh_from_db()
    company.refresh_from_db()
    company_kr.refresh_from_db()
    assert mine.progress == pytest.approx(0.5)
    assert dept.progress == pytest.approx(0.5)
    assert company_kr.progress == pytest.approx(0.5)
    assert company.progress == pytest.approx(0.5)
    measures = key_result_measures(kr, cycle, Clock.for_org(org))
    assert measures.status in (Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK)
    result = rebuild(organization=org, write=False)
    assert result.differences == []
    assert checkin.progress == pytest.approx(0.5)
    assert Decimal(kr.current) == Decimal("3.5")
