"""Organizations: create one (and own it), read it with its settings, change settings."""

from __future__ import annotations

import pytest

from luodi.orgs.models import Membership, Organization
from tests.api.conftest import World


@pytest.mark.django_db
def test_create_makes_the_caller_owner(world: World) -> None:
    response = world.api("viewer").post("/orgs", {"name": " Beta Co ", "slug": "Beta"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "beta"
    assert body["name"] == "Beta Co"
    assert body["role"] == "owner"
    org = Organization.objects.get(slug="beta")
    assert Membership.objects.get(organization=org, user=world.viewer).role == "owner"
    assert world.api("viewer").get("/orgs/beta").status_code == 200


@pytest.mark.django_db
def test_read_with_settings(world: World) -> None:
    body = world.api("viewer").get("/orgs/acme").json()
    assert body["slug"] == "acme"
    assert body["role"] == "viewer"
    assert body["timezone"] == "Asia/Shanghai"
    assert body["status_tolerance"] == pytest.approx(0.1)
    assert body["policy_mode"] == "advise"
    assert (body["policy_objectives_min"], body["policy_objectives_max"]) == (3, 5)
    assert (body["policy_key_results_min"], body["policy_key_results_max"]) == (2, 3)
    assert body["requires_approval"] is False
    assert body["checkin_weekday"] == 4


@pytest.mark.django_db
def test_admin_changes_settings(world: World) -> None:
    response = world.api("admin").patch(
        "/orgs/acme",
        {
            "timezone": "Europe/Berlin",
            "status_tolerance": "0.15",
            "policy_mode": "enforce",
            "requires_approval": True,
            "locale": "en",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["timezone"] == "Europe/Berlin"
    assert body["status_tolerance"] == pytest.approx(0.15)
    assert body["policy_mode"] == "enforce"
    assert body["requires_approval"] is True
    world.org.refresh_from_db()
    assert world.org.locale == "en"


@pytest.mark.django_db
def test_patch_with_nothing_changes_nothing(world: World) -> None:
    response = world.api("owner").patch("/orgs/acme", {})
    assert response.status_code == 200
    assert response.json()["name"] == "Acme"
