"""Members: list, add (creating the account when new), change role, unit and manager."""

from __future__ import annotations

import pytest

from luodi.accounts.models import User
from luodi.orgs.models import Membership
from tests.api.conftest import World


@pytest.mark.django_db
def test_list_members(world: World) -> None:
    body = world.api("viewer").get("/orgs/acme/members").json()
    emails = [m["email"] for m in body["items"]]
    assert emails == [
        "owner@acme.example",
        "admin@acme.example",
        "member@acme.example",
        "viewer@acme.example",
    ]
    member = body["items"][2]
    assert member == {
        "id": world.membership(world.member).pk,
        "user_id": world.member.pk,
        "email": "member@acme.example",
        "name": "Mia Member",
        "role": "member",
        "unit_id": None,
        "manager_id": world.owner.pk,
    }
    assert "outsider@other.example" not in emails


@pytest.mark.django_db
def test_add_a_new_person(world: World) -> None:
    response = world.api("admin").post(
        "/orgs/acme/members",
        {
            "email": "New.Person@Acme.example",
            "name": "New Person",
            "role": "viewer",
            "unit_id": world.unit.pk,
            "manager_id": world.member.pk,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["email"] == "new.person@acme.example"
    assert (body["role"], body["unit_id"], body["manager_id"]) == (
        "viewer",
        world.unit.pk,
        world.member.pk,
    )
    user = User.objects.get(email="new.person@acme.example")
    assert not user.has_usable_password()


@pytest.mark.django_db
def test_add_someone_from_another_organization_reuses_their_account(world: World) -> None:
    response = world.api("owner").post("/orgs/acme/members", {"email": world.outsider.email})
    assert response.status_code == 201
    assert response.json()["user_id"] == world.outsider.pk
    assert User.objects.filter(email=world.outsider.email).count() == 1


@pytest.mark.django_db
def test_change_role_unit_and_manager(world: World) -> None:
    membership = world.membership(world.member)
    response = world.api("admin").patch(
        f"/orgs/acme/members/{membership.pk}",
        {"role": "admin", "unit_id": world.unit.pk, "manager_id": None},
    )
    assert response.status_code == 200, response.content
    membership.refresh_from_db()
    assert (membership.role, membership.unit_id, membership.manager_id) == (
        "admin",
        world.unit.pk,
        None,
    )


@pytest.mark.django_db
def test_only_owners_touch_owners(world: World) -> None:
    owner_membership = world.membership(world.owner)
    response = world.api("admin").patch(
        f"/orgs/acme/members/{owner_membership.pk}", {"role": "member"}
    )
    assert response.status_code == 403
    response = world.api("admin").patch(
        f"/orgs/acme/members/{world.membership(world.member).pk}", {"role": "owner"}
    )
    assert response.status_code == 403
    assert Membership.objects.filter(organization=world.org, role="owner").count() == 1


@pytest.mark.django_db
def test_an_owner_may_step_down_once_another_owner_exists(world: World) -> None:
    api = world.api("owner")
    admin = world.membership(world.admin)
    assert api.patch(f"/orgs/acme/members/{admin.pk}", {"role": "owner"}).status_code == 200
    me = world.membership(world.owner)
    assert api.patch(f"/orgs/acme/members/{me.pk}", {"role": "admin"}).status_code == 200
