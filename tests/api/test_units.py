"""Units: the organization tree."""

from __future__ import annotations

import pytest

from tests.api.conftest import World


@pytest.mark.django_db
def test_create_and_list_a_tree(world: World) -> None:
    api = world.api("admin")
    response = api.post(
        "/orgs/acme/units",
        {
            "name": " Key accounts ",
            "kind": "team",
            "parent_id": world.unit.pk,
            "leader_id": world.member.pk,
        },
    )
    assert response.status_code == 201, response.content
    team = response.json()
    assert team == {
        "id": team["id"],
        "name": "Key accounts",
        "kind": "team",
        "parent_id": world.unit.pk,
        "leader_id": world.member.pk,
    }
    items = world.api("viewer").get("/orgs/acme/units").json()["items"]
    assert [u["name"] for u in items] == ["Sales", "Key accounts"]


@pytest.mark.django_db
def test_move_rename_and_clear_leader(world: World) -> None:
    api = world.api("owner")
    team = api.post(
        "/orgs/acme/units", {"name": "T", "kind": "team", "leader_id": world.member.pk}
    ).json()
    response = api.patch(
        f"/orgs/acme/units/{team['id']}",
        {"name": "Team", "parent_id": world.unit.pk, "leader_id": None},
    )
    assert response.status_code == 200
    assert response.json()["parent_id"] == world.unit.pk
    assert response.json()["leader_id"] is None
    # The parent cannot move under its own child.
    response = api.patch(f"/orgs/acme/units/{world.unit.pk}", {"parent_id": team["id"]})
    assert response.status_code == 422
    assert "parent_id" in response.json()["error"]["fields"]


@pytest.mark.django_db
def test_a_unit_leader_may_create_objectives_for_the_unit(world: World) -> None:
    world.api("owner").patch(f"/orgs/acme/units/{world.unit.pk}", {"leader_id": world.member.pk})
    response = world.api("member").post(
        "/orgs/acme/objectives",
        {
            "cycle_id": world.cycle.pk,
            "title": "Sales wins",
            "level": "unit",
            "unit_id": world.unit.pk,
        },
    )
    assert response.status_code == 201, response.content
    response = world.api("viewer").post(
        "/orgs/acme/objectives",
        {"cycle_id": world.cycle.pk, "title": "Nope", "level": "unit", "unit_id": world.unit.pk},
    )
    assert response.status_code == 403
