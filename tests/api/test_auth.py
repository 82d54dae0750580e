"""Authentication: bearer tokens and the browser session with CSRF; public docs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from luodi.accounts.models import ApiToken, hash_token
from luodi.orgs.models import Theme
from tests.api.conftest import BASE, World

CSRF_SECRET = "a" * 32  # a well-formed CSRF secret: 32 letters or digits


def session_client(world: World) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.owner)
    return client


@pytest.mark.django_db
def test_session_post_without_csrf_token_is_403(world: World) -> None:
    client = session_client(world)
    response = client.post(
        f"{BASE}/orgs/acme/themes", {"title": "No token"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    assert not Theme.objects.filter(title="No token").exists()


@pytest.mark.django_db
def test_session_post_with_csrf_token_succeeds(world: World) -> None:
    client = session_client(world)
    client.cookies["csrftoken"] = CSRF_SECRET
    response = client.post(
        f"{BASE}/orgs/acme/themes",
        {"title": "With token"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=CSRF_SECRET,
    )
    assert response.status_code == 201, response.content
    assert Theme.objects.filter(title="With token").exists()


@pytest.mark.django_db
def test_session_with_a_wrong_csrf_token_is_403(world: World) -> None:
    client = session_client(world)
    client.cookies["csrftoken"] = CSRF_SECRET
    response = client.patch(
        f"{BASE}/orgs/acme/themes/{world.theme.pk}",
        {"title": "Forged"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN="b" * 32,
    )
    assert response.status_code == 403
    world.theme.refresh_from_db()
    assert world.theme.title != "Forged"


@pytest.mark.django_db
def test_session_reads_need_no_csrf_token(world: World) -> None:
    response = session_client(world).get(f"{BASE}/me")
    assert response.status_code == 200
    assert response.json()["email"] == world.owner.email


@pytest.mark.django_db
def test_token_requests_need_no_csrf_token(world: World) -> None:
    api = world.api("owner")
    api.client = Client(enforce_csrf_checks=True)
    assert api.post("/orgs/acme/themes", {"title": "By token"}).status_code == 201


@pytest.mark.django_db
def test_token_last_used_is_recorded_at_most_once_a_minute(world: World) -> None:
    token, raw = ApiToken.issue(user=world.member, name="cli")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    client = Client()
    assert client.get(f"{BASE}/me", **headers).status_code == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    assert client.get(f"{BASE}/me", **headers).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    assert client.get(f"{BASE}/me", **headers).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(seconds=1)
    assert token.last_used_at <= timezone.now()


@pytest.mark.django_db
def test_only_the_hash_is_stored_and_it_is_what_authenticates(world: World) -> None:
    token, raw = ApiToken.issue(user=world.member)
    assert token.token_hash == hash_token(raw)
    assert raw not in token.token_hash
    client = Client()
    bad = client.get(f"{BASE}/me", HTTP_AUTHORIZATION=f"Bearer {token.token_hash}")
    assert bad.status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Token abc",
        "bearer x" + "y" * 5000,
        "Bearer \u00e9\u00e9",
        "Basic Zm9v",
    ],
)
def test_malformed_authorization_headers_are_401(world: World, header: str) -> None:
    response = Client().get(f"{BASE}/me", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


@pytest.mark.django_db
def test_openapi_is_public_and_lists_the_paths() -> None:
    response = Client().get(f"{BASE}/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["info"]["title"] == "Luodi API"
    paths = spec["paths"]
    for path in (
        "/api/v1/me",
        "/api/v1/orgs",
        "/api/v1/orgs/{org}/members",
        "/api/v1/orgs/{org}/objectives",
        "/api/v1/orgs/{org}/objectives/{objective_id}",
        "/api/v1/orgs/{org}/key-results/{key_result_id}/check-ins",
        "/api/v1/orgs/{org}/key-results/{key_result_id}/revisions",
    ):
        assert path in paths, path
    schemes = spec["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


@pytest.mark.django_db
def test_docs_page_is_public() -> None:
    response = Client().get(f"{BASE}/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v2/me", "/api/v1/orgs/acme/nothing/here"])
def test_unknown_api_paths_answer_json_404(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
