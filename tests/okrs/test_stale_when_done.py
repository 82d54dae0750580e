"""A key result that is done needs no more check-ins: it never shows as stale."""

from datetime import timedelta

import pytest
from django.utils import timezone

from luodi.checkins.services import checkin_submit
from luodi.okrs.choices import Status
from luodi.okrs.selectors import Clock, key_result_measures
from tests.conftest import make_metric, make_objective


@pytest.mark.django_db
def test_done_key_result_is_not_stale_but_unfinished_one_is(org, owner, cycle):
    objective = make_objective(org, owner, cycle)
    done = make_metric(objective, owner, start="0", target="10", title="Done early")
    open_kr = make_metric(objective, owner, start="0", target="10", title="Still open")
    long_ago = timezone.now() - timedelta(days=20)
    checkin_submit(key_result=done, actor=owner, value="10", confidence=9, at=long_ago)
    checkin_submit(key_result=open_kr, actor=owner, value="3", confidence=6, at=long_ago)
    done.refresh_from_db()
    open_kr.refresh_from_db()
    clock = Clock.for_org(org)
    done_measures = key_result_measures(done, cycle, clock)
    open_measures = key_result_measures(open_kr, cycle, clock)
    assert done_measures.status == Status.DONE
    assert done_measures.stale is False
    assert open_measures.stale is True
