"""Revisions: every change is kept with author, old, new and reason; moving a key result's
start or target after the cycle started needs a reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from luodi.okrs.models import Revision
from luodi.orgs.services import cycle_create
from tests.api.conftest import World, database_state
from tests.conftest import make_metric, make_objective


@pytest.mark.django_db
def test_moving_the_target_after_the_start_needs_a_reason(world: World) -> None:
    api = world.api("member")
    path = f"/orgs/acme/key-results/{world.member_kr.pk}"
    before = database_state()
    response = api.patch(path, {"target": 30})
    assert response.status_code == 422
    assert "reason" in response.json()["error"]["fields"]
    assert database_state() == before
    response = api.patch(path, {"target": "30", "reason": "Two new reps joined"})
    assert response.status_code == 200, response.content
    assert response.json()["target"] == 30
    revisions = api.get(path + "/revisions").json()["items"]
    change = revisions[-1]
    assert change["field"] == "target"
    assert change["old"] == "20"
    assert change["new"] == "30"
    assert change["reason"] == "Two new reps joined"
    assert change["author_id"] == world.member.pk
    assert change["created_at"]
    assert revisions[0]["field"] == "created"


@pytest.mark.django_db
def test_start_also_needs_a_reason_but_other_fields_do_not(world: World) -> None:
    api = world.api("member")
    path = f"/orgs/acme/key-results/{world.member_kr.pk}"
    assert api.patch(path, {"start": 2}).status_code == 422
    response = api.patch(path, {"title": "Deals signed", "unit": "deals"})
    assert response.status_code == 200
    assert response.json()["unit"] == "deals"
    fields = [r["field"] for r in api.get(path + "/revisions").json()["items"]]
    assert "title" in fields
    assert "measure_unit" in fields or "unit" in fields


@pytest.mark.django_db
def test_no_reason_needed_before_the_cycle_starts(world: World) -> None:
    today = timezone.localdate()
    later = cycle_create(
        organization=world.org,
        actor=world.owner,
        name="Next quarter",
        start_date=today + timedelta(days=30),
        end_date=today + timedelta(days=120),
    )
    objective = make_objective(world.org, world.member, later, title="Plan", level="individual")
    kr = make_metric(objective, world.member)
    response = world.api("member").patch(f"/orgs/acme/key-results/{kr.pk}", {"target": 50})
    assert response.status_code == 200, response.content
    revision = Revision.objects.filter(key_result=kr, field="target").get()
    assert (revision.old, revision.new, revision.reason) == ("100", "50", "")


@pytest.mark.django_db
def test_objective_changes_are_recorded_with_reason(world: World) -> None:
    api = world.api("member")
    path = f"/orgs/acme/objectives/{world.member_objective.pk}"
    response = api.patch(path, {"title": "Close bigger deals", "reason": "Focus on enterprise"})
    assert response.status_code == 200
    revisions = api.get(path + "/revisions").json()["items"]
    change = revisions[-1]
    assert (change["field"], change["old"], change["new"]) == (
        "title",
        "Close more deals",
        "Close bigger deals",
    )
    assert change["reason"] == "Focus on enterprise"
    assert change["author_id"] == world.member.pk
