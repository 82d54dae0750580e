"""Key results: every kind, their fields as the contract names them, changes and deletion."""

from __future__ import annotations

from datetime import timedelta

import pytest

from luodi.okrs.models import KeyResult
from tests.api.conftest import World

KR_FIELDS = {
    "id",
    "objective_id",
    "title",
    "kind",
    "state",
    "start",
    "target",
    "current",
    "unit",
    "direction",
    "phases",
    "weight",
    "owner_id",
    "contributor_ids",
    "start_date",
    "due_date",
    "milestones",
    "progress",
    "raw_progress",
    "expected_progress",
    "status",
    "stale",
    "confidence",
    "score",
    "self_score",
    "final_score",
    "last_checkin_at",
}


def create(world: World, body: dict, persona: str = "member") -> dict:
    response = world.api(persona).post(
        f"/orgs/acme/objectives/{world.member_objective.pk}/key-results", body
    )
    assert response.status_code == 201, response.content
    return response.json()


@pytest.mark.django_db
def test_metric_with_numeric_strings_phases_and_dates(world: World) -> None:
    start = world.cycle.start_date
    body = create(
        world,
        {
            "title": "Complaint rate 5% → 2%",
            "kind": "metric",
            "start": "5",
            "target": 2.0,
            "unit": "%",
            "weight": "2.5",
            "phases": [{"date": (start + timedelta(days=45)).isoformat(), "target": "3"}],
            "start_date": start.isoformat(),
            "due_date": world.cycle.end_date.isoformat(),
            "contributor_ids": [world.owner.pk],
        },
    )
    assert set(body) == KR_FIELDS | {"warnings"}
    assert body["objective_id"] == world.member_objective.pk
    assert (body["start"], body["target"], body["current"]) == (5, 2, None)
    assert body["direction"] == "decrease"
    assert body["unit"] == "%"
    assert body["weight"] == 2.5
    assert body["phases"] == [{"date": (start + timedelta(days=45)).isoformat(), "target": 3}]
    assert body["owner_id"] == world.member.pk  # the objective's owner by default
    assert body["contributor_ids"] == [world.owner.pk]
    assert body["status"] == "not_started"
    assert body["confidence"] is None
    assert body["warnings"] == []
    assert KeyResult.objects.get(pk=body["id"]).measure_unit == "%"


@pytest.mark.django_db
def test_each_kind(world: World) -> None:
    percentage = create(world, {"title": "Coverage", "kind": "percentage"})
    assert (percentage["start"], percentage["target"]) == (0, 100)
    threshold = create(world, {"title": "Uptime", "kind": "threshold", "target": "99.9"})
    assert threshold["direction"] == "at_least"
    milestone = create(
        world,
        {
            "title": "Launch",
            "kind": "milestone",
            "milestones": [{"title": "Beta", "weight": 1}, {"title": "GA", "weight": 2}],
        },
    )
    assert [(m["title"], m["weight"], m["done"]) for m in milestone["milestones"]] == [
        ("Beta", 1, False),
        ("GA", 2, False),
    ]
    boolean = create(world, {"title": "Hire a lead", "kind": "boolean"}, persona="owner")
    assert boolean["direction"] == ""
    assert [w["code"] for w in boolean["warnings"]] == ["too_many_key_results"]
    rollup = create(world, {"title": "Teams deliver", "kind": "rollup"}, persona="owner")
    assert rollup["progress"] is None


@pytest.mark.django_db
def test_too_many_key_results_is_refused_when_enforced(world: World) -> None:
    world.api("owner").patch("/orgs/acme", {"policy_mode": "enforce"})
    create(world, {"title": "2", "kind": "boolean"})
    create(world, {"title": "3", "kind": "boolean"})
    response = world.api("member").post(
        f"/orgs/acme/objectives/{world.member_objective.pk}/key-results",
        {"title": "4", "kind": "boolean"},
    )
    assert response.status_code == 422
    assert "key_results" in response.json()["error"]["fields"]


@pytest.mark.django_db
def test_patch_milestones_keeps_the_done_flags_of_kept_ones(world: World) -> None:
    api = world.api("member")
    kr = create(
        world,
        {"title": "Launch", "kind": "milestone", "milestones": [{"title": "A"}, {"title": "B"}]},
    )
    a, b = (m["id"] for m in kr["milestones"])
    api.post(f"/orgs/acme/key-results/{kr['id']}/check-ins", {"milestone_ids_done": [a]})
    response = api.patch(
        f"/orgs/acme/key-results/{kr['id']}",
        {"milestones": [{"id": a, "title": "A!"}, {"title": "C", "weight": 2}]},
    )
    assert response.status_code == 200, response.content
    milestones = response.json()["milestones"]
    assert [(m["id"] == a, m["title"], m["done"]) for m in milestones] == [
        (True, "A!", True),
        (False, "C", False),
    ]
    assert b not in [m["id"] for m in milestones]
    assert response.json()["progress"] == pytest.approx(1 / 3)


@pytest.mark.django_db
def test_patch_simple_fields_and_contributors(world: World) -> None:
    api = world.api("member")
    path = f"/orgs/acme/key-results/{world.member_kr.pk}"
    response = api.patch(
        path,
        {
            "title": "Deals signed",
            "unit": "deals",
            "weight": 3,
            "contributor_ids": [world.admin.pk, world.viewer.pk],
            "due_date": world.cycle.end_date.isoformat(),
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == KR_FIELDS
    assert (body["title"], body["unit"], body["weight"]) == ("Deals signed", "deals", 3)
    assert body["contributor_ids"] == sorted([world.admin.pk, world.viewer.pk])
    assert api.patch(path, {"contributor_ids": []}).json()["contributor_ids"] == []


@pytest.mark.django_db
def test_cancelled_key_results_leave_the_objectives_progress(world: World) -> None:
    api = world.api("member")
    other = create(world, {"title": "Flag", "kind": "boolean"})
    api.post(f"/orgs/acme/key-results/{other['id']}/check-ins", {"done": True})
    objective = f"/orgs/acme/objectives/{world.member_objective.pk}"
    assert api.get(objective).json()["progress"] == pytest.approx(0.5)
    api.patch(f"/orgs/acme/key-results/{world.member_kr.pk}", {"state": "cancelled"})
    assert api.get(objective).json()["progress"] == pytest.approx(1.0)


@pytest.mark.django_db
def test_delete_recomputes_the_objective(world: World) -> None:
    api = world.api("member")
    other = create(world, {"title": "Flag", "kind": "boolean"})
    api.post(f"/orgs/acme/key-results/{other['id']}/check-ins", {"done": True})
    objective = f"/orgs/acme/objectives/{world.member_objective.pk}"
    assert api.get(objective).json()["progress"] == pytest.approx(0.5)
    assert api.delete(f"/orgs/acme/key-results/{world.member_kr.pk}").status_code == 204
    assert api.get(f"/orgs/acme/key-results/{world.member_kr.pk}").status_code == 404
    assert api.get(objective).json()["progress"] == pytest.approx(1.0)


@pytest.mark.django_db
def test_over_achievement_shows_in_raw_progress(world: World) -> None:
    api = world.api("member")
    api.post(f"/orgs/acme/key-results/{world.member_kr.pk}/check-ins", {"value": 30})
    body = api.get(f"/orgs/acme/key-results/{world.member_kr.pk}").json()
    assert body["progress"] == pytest.approx(1.0)
    assert body["raw_progress"] == pytest.approx(1.5)
    assert body["status"] == "done"
    assert body["score"] == pytest.approx(1.0)
    assert body["current"] == 30
