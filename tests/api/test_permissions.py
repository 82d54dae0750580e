"""Permission matrix: every endpoint × every persona, with the status each one gets.

Personas: owner, admin, member (owns `member_objective` and `member_kr`), viewer, outsider
(owner of another organization) and anonymous. Another organization's objects are always
404, whoever asks and whatever the method.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import World, fill

PERSONAS = ("owner", "admin", "member", "viewer", "outsider", "anonymous")
READ = (200, 200, 200, 200, 404, 401)
ADMIN_WRITE = (200, 200, 403, 403, 404, 401)
ADMIN_CREATE = (201, 201, 403, 403, 404, 401)
ADMIN_DELETE = (204, 204, 403, 403, 404, 401)
MEMBER_WRITE = (200, 200, 200, 403, 404, 401)
MEMBER_CREATE = (201, 201, 201, 403, 404, 401)
MEMBER_DELETE = (204, 204, 204, 403, 404, 401)

ORG = "/orgs/{org}"
KR_MEMBER = ORG + "/key-results/{member_kr}"
KR_COMPANY = ORG + "/key-results/{company_kr}"
OBJ_MEMBER = ORG + "/objectives/{member_objective}"
OBJ_COMPANY = ORG + "/objectives/{company_objective}"
NEW_CYCLE = {"name": "Next", "start_date": "2027-01-01", "end_date": "2027-03-31"}

# (method, url template, body, statuses for PERSONAS)
ENDPOINTS: list[tuple[str, str, Any, tuple[int, ...]]] = [
    ("GET", "/me", None, (200, 200, 200, 200, 200, 401)),
    ("POST", "/orgs", {"name": "New", "slug": "new-org"}, (201, 201, 201, 201, 201, 401)),
    ("GET", ORG, None, READ),
    ("PATCH", ORG, {"checkin_weekday": 2}, ADMIN_WRITE),
    ("GET", ORG + "/members", None, READ),
    ("POST", ORG + "/members", {"email": "new@acme.example", "name": "New"}, ADMIN_CREATE),
    ("PATCH", ORG + "/members/{member_membership}", {"role": "viewer"}, ADMIN_WRITE),
    ("GET", ORG + "/units", None, READ),
    ("POST", ORG + "/units", {"name": "Team", "kind": "team"}, ADMIN_CREATE),
    ("PATCH", ORG + "/units/{unit}", {"name": "Renamed"}, ADMIN_WRITE),
    ("GET", ORG + "/themes", None, READ),
    ("POST", ORG + "/themes", {"title": "Grow"}, ADMIN_CREATE),
    ("PATCH", ORG + "/themes/{theme}", {"title": "Grow more"}, ADMIN_WRITE),
    ("DELETE", ORG + "/themes/{theme}", None, ADMIN_DELETE),
    ("GET", ORG + "/cycles", None, READ),
    ("POST", ORG + "/cycles", NEW_CYCLE, ADMIN_CREATE),
    ("PATCH", ORG + "/cycles/{cycle}", {"name": "Renamed"}, ADMIN_WRITE),
    ("GET", ORG + "/objectives", None, READ),
    (
        "POST",
        ORG + "/objectives",
        {"cycle_id": "{cycle}", "title": "Mine", "level": "individual"},
        MEMBER_CREATE,
    ),
    (
        "POST",
        ORG + "/objectives",
        {"cycle_id": "{cycle}", "title": "Company", "level": "company"},
        ADMIN_CREATE,
    ),
    ("GET", OBJ_COMPANY, None, READ),
    ("GET", OBJ_MEMBER, None, READ),
    ("PATCH", OBJ_COMPANY, {"title": "Renamed"}, ADMIN_WRITE),
    ("PATCH", OBJ_MEMBER, {"title": "Renamed"}, MEMBER_WRITE),
    ("DELETE", OBJ_COMPANY, None, ADMIN_DELETE),
    ("DELETE", OBJ_MEMBER, None, MEMBER_DELETE),
    ("GET", OBJ_MEMBER + "/revisions", None, READ),
    ("POST", OBJ_MEMBER + "/key-results", {"title": "Ship", "kind": "boolean"}, MEMBER_CREATE),
    ("POST", OBJ_COMPANY + "/key-results", {"title": "Ship", "kind": "boolean"}, ADMIN_CREATE),
    ("GET", KR_MEMBER, None, READ),
    ("GET", KR_COMPANY, None, READ),
    ("PATCH", KR_MEMBER, {"title": "Renamed"}, MEMBER_WRITE),
    ("PATCH", KR_COMPANY, {"title": "Renamed"}, ADMIN_WRITE),
    ("DELETE", KR_MEMBER, None, MEMBER_DELETE),
    ("DELETE", KR_COMPANY, None, ADMIN_DELETE),
    ("GET", KR_MEMBER + "/check-ins", None, READ),
    ("POST", KR_MEMBER + "/check-ins", {"value": 5, "confidence": 7}, MEMBER_CREATE),
    ("POST", KR_COMPANY + "/check-ins", {"value": 5}, ADMIN_CREATE),
    ("GET", KR_MEMBER + "/revisions", None, READ),
]

# Reaching into another organization: through one's own slug with the other's ids, or
# through the other's slug. Always 404, for reads and writes alike.
X = "/orgs/{other}"
CROSS_ORG: list[tuple[str, str, str, Any]] = [
    ("owner", "GET", X, None),
    ("owner", "PATCH", X, {"checkin_weekday": 1}),
    ("owner", "GET", X + "/members", None),
    ("owner", "POST", X + "/units", {"name": "Mine now", "kind": "team"}),
    ("owner", "GET", ORG + "/objectives/{other_objective}", None),
    ("owner", "PATCH", ORG + "/objectives/{other_objective}", {"title": "Taken"}),
    ("owner", "DELETE", ORG + "/objectives/{other_objective}", None),
    ("owner", "GET", ORG + "/objectives/{other_objective}/revisions", None),
    (
        "owner",
        "POST",
        ORG + "/objectives/{other_objective}/key-results",
        {"title": "x", "kind": "boolean"},
    ),
    ("owner", "GET", ORG + "/key-results/{other_kr}", None),
    ("owner", "PATCH", ORG + "/key-results/{other_kr}", {"title": "Taken"}),
    ("owner", "DELETE", ORG + "/key-results/{other_kr}", None),
    ("owner", "GET", ORG + "/key-results/{other_kr}/check-ins", None),
    ("owner", "POST", ORG + "/key-results/{other_kr}/check-ins", {"value": 1}),
    ("owner", "GET", ORG + "/key-results/{other_kr}/revisions", None),
    ("owner", "PATCH", ORG + "/members/{other_membership}", {"role": "viewer"}),
    ("owner", "PATCH", ORG + "/units/{other_unit}", {"name": "Taken"}),
    ("owner", "PATCH", ORG + "/themes/{other_theme}", {"title": "Taken"}),
    ("owner", "DELETE", ORG + "/themes/{other_theme}", None),
    ("owner", "PATCH", ORG + "/cycles/{other_cycle}", {"name": "Taken"}),
    ("outsider", "GET", X + "/objectives/{company_objective}", None),
    ("outsider", "PATCH", X + "/objectives/{company_objective}", {"title": "Taken"}),
    ("outsider", "DELETE", X + "/key-results/{member_kr}", None),
    ("outsider", "POST", X + "/key-results/{member_kr}/check-ins", {"value": 1}),
    ("outsider", "PATCH", X + "/members/{member_membership}", {"role": "owner"}),
    ("outsider", "PATCH", X + "/units/{unit}", {"name": "Taken"}),
    ("outsider", "DELETE", X + "/themes/{theme}", None),
    ("outsider", "PATCH", X + "/cycles/{cycle}", {"name": "Taken"}),
]


def _matrix() -> list[Any]:
    cases = []
    for method, url, body, statuses in ENDPOINTS:
        for persona, status in zip(PERSONAS, statuses, strict=True):
            cases.append(
                pytest.param(method, url, body, persona, status, id=f"{method} {url} {persona}")
            )
    return cases


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "url", "body", "persona", "expected"), _matrix())
def test_permission_matrix(
    world: World, method: str, url: str, body: Any, persona: str, expected: int
) -> None:
    ids = world.ids()
    response = world.api(persona).call(method, fill(url, ids), fill(body, ids))
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert set(response.json()["error"]) == {"code", "message", "fields"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "method", "url", "body"),
    [pytest.param(*case, id=f"{case[0]} {case[1]} {case[2]}") for case in CROSS_ORG],
)
def test_other_organizations_objects_are_404(
    world: World, persona: str, method: str, url: str, body: Any
) -> None:
    ids = world.ids()
    response = world.api(persona).call(method, fill(url, ids), fill(body, ids))
    assert response.status_code == 404, response.content
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_bad_token_is_401_even_with_a_session(world: World) -> None:
    api = world.api("anonymous")
    api.client.force_login(world.owner)
    response = api.get("/me", HTTP_AUTHORIZATION="Bearer luodi_not-a-token")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    response = api.get("/me", HTTP_AUTHORIZATION="Basic b3duZXI6cHc=")
    assert response.status_code == 401


@pytest.mark.django_db
def test_inactive_users_token_is_401(world: World) -> None:
    api = world.api("member")
    world.member.is_active = False
    world.member.save()
    assert api.get("/me").status_code == 401


@pytest.mark.django_db
def test_anonymous_post_is_401_not_csrf(world: World) -> None:
    response = world.api("anonymous").post("/orgs", {"name": "x", "slug": "x"})
    assert response.status_code == 401
