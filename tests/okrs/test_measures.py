"""Pace, status, stale flag and score as the selectors compute them on read."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from luodi.okrs.choices import Status
from luodi.okrs.selectors import Clock, key_result_measures, objective_measures
from luodi.okrs.services import key_result_update
from luodi.orgs.services import cycle_update, organization_update
from tests.okrs.factories import check_in, key_result, objective

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _utc(org, owner):
    """The cycle fixture counts days in UTC; so must the organization's clock."""
    organization_update(organization=org, actor=owner, timezone="UTC")


def measures(kr, org, cycle, now=None):
    kr.refresh_from_db()
    cycle.refresh_from_db()
    return key_result_measures(kr, cycle, Clock.for_org(org, now))


def test_status_follows_pace_in_the_cycle(org, owner, cycle):
    """The fixture cycle started 30 days ago and ends in 60: expected progress is 1/3."""
    kr = key_result(objective(org, owner, cycle), owner, start=Decimal(0), target=Decimal(300))
    assert measures(kr, org, cycle).status == Status.NOT_STARTED

    for value, status in [
        ("100", Status.ON_TRACK),
        ("70", Status.ON_TRACK),
        ("69", Status.AT_RISK),
        ("40", Status.AT_RISK),
        ("39", Status.OFF_TRACK),
        ("300", Status.DONE),
        ("400", Status.DONE),
    ]:
        check_in(kr, owner, value, confidence=8)
        result = measures(kr, org, cycle)
        assert result.expected_progress == pytest.approx(1 / 3)
        assert result.status == status, value


def test_confidence_pulls_the_status_down(org, owner, cycle):
    kr = key_result(objective(org, owner, cycle), owner, start=Decimal(0), target=Decimal(10))
    check_in(kr, owner, "9", confidence=4)
    assert measures(kr, org, cycle).status == Status.AT_RISK
    check_in(kr, owner, "9", confidence=2)
    assert measures(kr, org, cycle).status == Status.OFF_TRACK


def test_phased_targets_set_the_pace(org, owner, cycle):
    kr = key_result(objective(org, owner, cycle), owner, start=Decimal(0), target=Decimal(100))
    today = timezone.localdate()
    key_result_update(
        key_result=kr, actor=owner, phases=[{"date": today, "target": 10}], reason="Slow start"
    )
    check_in(kr, owner, "5")
    result = measures(kr, org, cycle)
    assert result.expected_progress == pytest.approx(0.1)
    assert result.status == Status.ON_TRACK


def test_stale_after_14_days_only_while_the_cycle_is_active(org, owner, cycle):
    kr = key_result(objective(org, owner, cycle), owner)
    check_in(kr, owner, "5", at=timezone.now() - timedelta(days=15))
    assert measures(kr, org, cycle).stale
    cycle_update(cycle=cycle, actor=owner, state="reviewing")
    assert not measures(kr, org, cycle).stale
    cycle_update(cycle=cycle, actor=owner, state="active")
    check_in(kr, owner, "6")
    assert not measures(kr, org, cycle).stale


def test_score_suggested_then_self_then_final(org, owner, cycle):
    obj = objective(org, owner, cycle)
    kr = key_result(obj, owner, start=Decimal(0), target=Decimal(100))
    check_in(kr, owner, "67")
    assert measures(kr, org, cycle).score == 0.7
    kr = key_result_update(key_result=kr, actor=owner, self_score=0.6)
    assert measures(kr, org, cycle).score == 0.6
    kr = key_result_update(key_result=kr, actor=owner, final_score=0.5)
    assert measures(kr, org, cycle).score == 0.5
    obj.refresh_from_db()
    assert objective_measures(obj, cycle, Clock.for_org(org)).score == 0.7
