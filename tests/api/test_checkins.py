"""Check-ins through the API: recorded with source `api`, rolled up, and safe to retry
with an Idempotency-Key."""

from __future__ import annotations

import pytest

from luodi.checkins.models import CheckIn, IdempotencyRecord
from luodi.okrs.models import KeyResult, Objective
from tests.api.conftest import World


def url(world: World, kr: KeyResult | None = None) -> str:
    return f"/orgs/acme/key-results/{(kr or world.member_kr).pk}/check-ins"


@pytest.mark.django_db
def test_check_in_records_value_and_rolls_up(world: World) -> None:
    api = world.api("member")
    response = api.post(url(world), {"value": "5", "confidence": 8, "note": "Half way there"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["value"] == 5
    assert body["progress"] == pytest.approx(0.25)
    assert body["confidence"] == 8
    assert body["note"] == "Half way there"
    assert body["author_id"] == world.member.pk
    assert body["source"] == "api"
    assert set(body) >= {"id", "value", "progress", "confidence", "note", "author_id", "created_at"}
    checkin = CheckIn.objects.get(pk=body["id"])
    assert checkin.source == "api"
    kr = api.get(f"/orgs/acme/key-results/{world.member_kr.pk}").json()
    assert kr["current"] == 5
    assert kr["progress"] == pytest.approx(0.25)
    assert kr["confidence"] == 8
    assert kr["status"] in ("on_track", "at_risk", "off_track")
    assert Objective.objects.get(pk=world.member_objective.pk).progress == pytest.approx(0.25)


@pytest.mark.django_db
def test_the_same_idempotency_key_twice_makes_one_check_in(world: World) -> None:
    api = world.api("member")
    first = api.post(url(world), {"value": 4}, HTTP_IDEMPOTENCY_KEY="retry-123")
    again = api.post(url(world), {"value": 4}, HTTP_IDEMPOTENCY_KEY="retry-123")
    assert first.status_code == 201
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert CheckIn.objects.filter(key_result=world.member_kr).count() == 1
    assert IdempotencyRecord.objects.count() == 1
    other = api.post(url(world), {"value": 6}, HTTP_IDEMPOTENCY_KEY="retry-124")
    assert other.status_code == 201
    assert CheckIn.objects.filter(key_result=world.member_kr).count() == 2


@pytest.mark.django_db
def test_without_a_key_each_request_is_a_new_check_in(world: World) -> None:
    api = world.api("member")
    assert api.post(url(world), {"value": 4}).status_code == 201
    assert api.post(url(world), {"value": 4}).status_code == 201
    assert CheckIn.objects.filter(key_result=world.member_kr).count() == 2


@pytest.mark.django_db
def test_idempotency_keys_belong_to_one_user(world: World) -> None:
    """Another person using the same key string makes their own check-in."""
    first = world.api("member").post(url(world), {"value": 4}, HTTP_IDEMPOTENCY_KEY="k")
    second = world.api("owner").post(url(world), {"value": 5}, HTTP_IDEMPOTENCY_KEY="k")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]


@pytest.mark.django_db
def test_reusing_a_key_on_another_key_result_is_409(world: World) -> None:
    api = world.api("owner")
    assert api.post(url(world), {"value": 4}, HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    response = api.post(url(world, world.company_kr), {"value": 4}, HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert CheckIn.objects.filter(key_result=world.company_kr).count() == 0


@pytest.mark.django_db
def test_check_in_list_is_oldest_first(world: World) -> None:
    api = world.api("member")
    for value in (1, 2, 3):
        api.post(url(world), {"value": value})
    body = world.api("viewer").get(url(world)).json()
    assert [c["value"] for c in body["items"]] == [1, 2, 3]
    assert body["next"] is None


@pytest.mark.django_db
def test_contributors_may_check_in(world: World) -> None:
    response = world.api("owner").patch(
        f"/orgs/acme/key-results/{world.company_kr.pk}",
        {"contributor_ids": [world.member.pk]},
    )
    assert response.status_code == 200
    assert response.json()["contributor_ids"] == [world.member.pk]
    assert world.api("member").post(url(world, world.company_kr), {"value": 1}).status_code == 201


@pytest.mark.django_db
def test_milestone_and_boolean_check_ins(world: World) -> None:
    api = world.api("member")
    objective = f"/orgs/acme/objectives/{world.member_objective.pk}/key-results"
    steps = api.post(
        objective,
        {
            "title": "Steps",
            "kind": "milestone",
            "milestones": [{"title": "Draft", "weight": 1}, {"title": "Ship", "weight": "3"}],
        },
    ).json()
    _first, second = (m["id"] for m in steps["milestones"])
    response = api.post(
        f"/orgs/acme/key-results/{steps['id']}/check-ins", {"milestone_ids_done": [second]}
    )
    assert response.status_code == 201
    assert response.json()["milestone_ids_done"] == [second]
    assert response.json()["progress"] == pytest.approx(0.75)
    kr = api.get(f"/orgs/acme/key-results/{steps['id']}").json()
    assert [m["done"] for m in kr["milestones"]] == [False, True]
    flag = api.post(objective, {"title": "Flag", "kind": "boolean"}).json()
    response = api.post(f"/orgs/acme/key-results/{flag['id']}/check-ins", {"done": True})
    assert response.status_code == 201
    assert response.json()["done"] is True
    assert response.json()["progress"] == 1
