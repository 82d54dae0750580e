"""GET /me: who I am and where I belong."""

from __future__ import annotations

import pytest

from luodi.orgs.services import member_add
from tests.api.conftest import World


@pytest.mark.django_db
def test_me_lists_my_organizations_and_roles(world: World) -> None:
    member_add(organization=world.other_org, actor=world.outsider, email=world.member.email)
    body = world.api("member").get("/me").json()
    assert body == {
        "id": world.member.pk,
        "email": "member@acme.example",
        "name": "Mia Member",
        "organizations": [
            {"slug": "acme", "name": "Acme", "role": "member"},
            {"slug": "other", "name": "Other Co", "role": "member"},
        ],
    }


@pytest.mark.django_db
def test_me_without_credentials_is_401(world: World) -> None:
    response = world.api("anonymous").get("/me")
    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "unauthenticated",
            "message": response.json()["error"]["message"],
            "fields": {},
        }
    }
