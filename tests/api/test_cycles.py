"""Cycles: OKR periods."""

from __future__ import annotations

import pytest

from tests.api.conftest import World


@pytest.mark.django_db
def test_create_and_list_by_id(world: World) -> None:
    api = world.api("admin")
    response = api.post(
        "/orgs/acme/cycles",
        {"name": "2027 Q1", "start_date": "2027-01-01", "end_date": "2027-03-31"},
    )
    assert response.status_code == 201, response.content
    assert response.json() == {
        "id": response.json()["id"],
        "name": "2027 Q1",
        "start_date": "2027-01-01",
        "end_date": "2027-03-31",
        "state": "planning",
    }
    items = world.api("member").get("/orgs/acme/cycles").json()["items"]
    assert [c["name"] for c in items] == ["Current quarter", "2027 Q1"]


@pytest.mark.django_db
def test_change_state_and_dates(world: World) -> None:
    api = world.api("owner")
    response = api.patch(
        f"/orgs/acme/cycles/{world.cycle.pk}", {"state": "reviewing", "name": "This quarter"}
    )
    assert response.status_code == 200
    assert response.json()["state"] == "reviewing"
    assert response.json()["name"] == "This quarter"


@pytest.mark.django_db
def test_closed_cycle_takes_no_new_objectives(world: World) -> None:
    world.api("owner").patch(f"/orgs/acme/cycles/{world.cycle.pk}", {"state": "closed"})
    response = world.api("member").post(
        "/orgs/acme/objectives",
        {"cycle_id": world.cycle.pk, "title": "Late", "level": "individual"},
    )
    assert response.status_code == 422
    assert "cycle_id" in response.json()["error"]["fields"]
