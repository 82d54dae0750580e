"""Cursor pagination: every list walks all its rows exactly once; limits are bounded."""

from __future__ import annotations

import base64
from datetime import date, timedelta

import pytest

from luodi.checkins.services import checkin_submit
from luodi.okrs.services import key_result_update
from luodi.orgs.services import cycle_create, member_add, theme_create, unit_create
from tests.api.conftest import Api, World
from tests.conftest import make_objective


def walk(api: Api, path: str, limit: int) -> list[int]:
    """Follow `next` to the end; return the ids in the order they came."""
    seen: list[int] = []
    cursor = None
    for _ in range(100):
        query = f"limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        separator = "&" if "?" in path else "?"
        response = api.get(f"{path}{separator}{query}")
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"items", "next"}
        assert len(body["items"]) <= limit
        seen.extend(item["id"] for item in body["items"])
        cursor = body["next"]
        if cursor is None:
            return seen
    raise AssertionError("pagination did not end")


def grow(world: World, rows: int) -> None:
    """Add rows to every list the owner can read."""
    org, owner = world.org, world.owner
    for i in range(rows):
        member_add(organization=org, actor=owner, email=f"p{i}@acme.example")
        unit_create(organization=org, actor=owner, name=f"Team {i}", kind="team")
        theme_create(organization=org, actor=owner, title=f"Theme {i}")
        start = date(2030, 1, 1) + timedelta(days=100 * i)
        cycle_create(
            organization=org,
            actor=owner,
            name=f"Cycle {i}",
            start_date=start,
            end_date=start + timedelta(days=90),
        )
        make_objective(org, owner, world.cycle, title=f"Objective {i}")
        checkin_submit(key_result=world.member_kr, actor=world.member, value=i)
        key_result_update(key_result=world.member_kr, actor=world.member, title=f"Deals {i}")


LISTS = [
    "/orgs/acme/members",
    "/orgs/acme/units",
    "/orgs/acme/themes",
    "/orgs/acme/cycles",
    "/orgs/acme/objectives",
    "/orgs/acme/key-results/{member_kr}/check-ins",
    "/orgs/acme/key-results/{member_kr}/revisions",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("limit", [1, 3, 200])
def test_walk_every_list_without_duplicates(world: World, path: str, limit: int) -> None:
    grow(world, 7)
    api = world.api("owner")
    path = path.format(**world.ids())
    everything = api.get(f"{path}?limit=200").json()["items"]
    assert len(everything) >= 7
    ids = walk(api, path, limit)
    assert len(ids) == len(set(ids)), "a row came twice"
    assert ids == sorted(ids)
    assert ids == [item["id"] for item in everything]


@pytest.mark.django_db
def test_default_limit_is_50_and_next_continues(world: World) -> None:
    for i in range(55):
        theme_create(organization=world.org, actor=world.owner, title=f"Theme {i}")
    api = world.api("owner")
    first = api.get("/orgs/acme/themes").json()
    assert len(first["items"]) == 50
    assert first["next"]
    second = api.get(f"/orgs/acme/themes?cursor={first['next']}").json()
    assert len(second["items"]) == 6  # 55 + the world's own theme
    assert second["next"] is None


@pytest.mark.django_db
def test_a_walk_with_filters_keeps_them(world: World) -> None:
    for i in range(5):
        make_objective(world.org, world.owner, world.cycle, title=f"Launch {i}")
        make_objective(world.org, world.owner, world.cycle, title=f"Other {i}")
    api = world.api("owner")
    ids = walk(api, "/orgs/acme/objectives?q=launch", 2)
    assert len(ids) == 5


@pytest.mark.django_db
@pytest.mark.parametrize("limit", ["0", "-1", "201", "1000000", "abc", "1.5", ""])
def test_limit_out_of_range_is_422(world: World, limit: str) -> None:
    response = world.api("owner").get(f"/orgs/acme/objectives?limit={limit}")
    assert response.status_code == 422, response.content
    assert "limit" in response.json()["error"]["fields"]


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!",
        "%%%",
        _b64("v1:-5"),
        _b64("v1:abc"),
        _b64("v2:5"),
        _b64("v1:" + "9" * 30),
        _b64("v1:١٢"),
        "x" * 101,
    ],
)
def test_bad_cursor_is_422(world: World, cursor: str) -> None:
    response = world.api("owner").get(f"/orgs/acme/cycles?cursor={cursor}")
    assert response.status_code == 422, response.content
    assert "cursor" in response.json()["error"]["fields"]


@pytest.mark.django_db
def test_cursor_survives_new_rows(world: World) -> None:
    api = world.api("owner")
    for i in range(3):
        theme_create(organization=world.org, actor=world.owner, title=f"Theme {i}")
    first = api.get("/orgs/acme/themes?limit=2").json()
    theme_create(organization=world.org, actor=world.owner, title="Added meanwhile")
    rest = walk_from(api, "/orgs/acme/themes", first["next"])
    ids = [t["id"] for t in first["items"]] + rest
    assert len(ids) == len(set(ids)) == 5


def walk_from(api: Api, path: str, cursor: str) -> list[int]:
    ids = []
    while cursor:
        body = api.get(f"{path}?limit=2&cursor={cursor}").json()
        ids.extend(item["id"] for item in body["items"])
        cursor = body["next"]
    return ids
