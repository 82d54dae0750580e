"""Lists cost a constant number of SQL queries however many rows they return."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from luodi.checkins.services import checkin_submit
from luodi.okrs.services import key_result_update, objective_update
from luodi.orgs.services import cycle_create, member_add, theme_create, unit_create
from tests.api.conftest import Api, World
from tests.conftest import make_metric, make_objective

MAX_QUERIES = 12


def queries_for(api: Api, path: str) -> int:
    api.get(path)  # warm up: the token's last-used stamp is written once a minute
    with CaptureQueriesContext(connection) as captured:
        response = api.get(path + ("&" if "?" in path else "?") + "limit=200")
    assert response.status_code == 200, response.content
    return len(captured)


def add_objectives(world: World, n: int) -> None:
    for i in range(n):
        objective = make_objective(
            world.org,
            world.owner,
            world.cycle,
            title=f"Objective {i}",
            theme_ids=[world.theme.pk],
            alignments=[{"parent_objective_id": world.company_objective.pk}],
        )
        make_metric(objective, world.owner, title=f"KR {i}")


def add_members(world: World, n: int) -> None:
    start = world.org.memberships.count()
    for i in range(start, start + n):
        member_add(
            organization=world.org,
            actor=world.owner,
            email=f"p{i}@acme.example",
            unit=world.unit,
            manager=world.owner,
        )


def add_units(world: World, n: int) -> None:
    for i in range(n):
        unit_create(
            organization=world.org,
            actor=world.owner,
            name=f"T{i}",
            kind="team",
            parent_id=world.unit.pk,
            leader_id=world.member.pk,
        )


def add_themes(world: World, n: int) -> None:
    for i in range(n):
        theme_create(organization=world.org, actor=world.owner, title=f"Theme {i}")


def add_cycles(world: World, n: int) -> None:
    first = world.org.cycles.count()
    for i in range(first, first + n):
        start = date(2030, 1, 1) + timedelta(days=100 * i)
        cycle_create(
            organization=world.org,
            actor=world.owner,
            name=f"C{i}",
            start_date=start,
            end_date=start + timedelta(days=90),
        )


def add_checkins(world: World, n: int) -> None:
    for i in range(n):
        checkin_submit(key_result=world.member_kr, actor=world.member, value=i, confidence=5)


def add_kr_revisions(world: World, n: int) -> None:
    for i in range(n):
        key_result_update(key_result=world.member_kr, actor=world.member, title=f"Deals {i}")


def add_objective_revisions(world: World, n: int) -> None:
    for i in range(n):
        objective_update(objective=world.member_objective, actor=world.member, title=f"Close {i}")


def add_key_results(world: World, n: int) -> None:
    for i in range(n):
        make_metric(world.member_objective, world.member, title=f"More {i}")


CASES: list[tuple[str, str, Callable[[World, int], None]]] = [
    ("owner", "/orgs/acme/objectives", add_objectives),
    ("member", "/orgs/acme/objectives", add_objectives),
    ("viewer", "/orgs/acme/objectives?cycle_id={cycle}&q=objective", add_objectives),
    ("owner", "/orgs/acme/members", add_members),
    ("owner", "/orgs/acme/units", add_units),
    ("member", "/orgs/acme/themes", add_themes),
    ("owner", "/orgs/acme/cycles", add_cycles),
    ("viewer", "/orgs/acme/key-results/{member_kr}/check-ins", add_checkins),
    ("viewer", "/orgs/acme/key-results/{member_kr}/revisions", add_kr_revisions),
    ("viewer", "/orgs/acme/objectives/{member_objective}/revisions", add_objective_revisions),
    ("viewer", "/orgs/acme/objectives/{member_objective}", add_key_results),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "path", "add"),
    [pytest.param(*case, id=f"{case[0]} {case[1]}") for case in CASES],
)
def test_query_count_does_not_grow_with_rows(
    world: World, persona: str, path: str, add: Callable[[World, int], None]
) -> None:
    api = world.api(persona)
    path = path.format(**world.ids())
    add(world, 3)
    few = queries_for(api, path)
    add(world, 27)
    many = queries_for(api, path)
    assert many == few, f"{few} queries for 3 rows, {many} for 30"
    assert many <= MAX_QUERIES


@pytest.mark.django_db
def test_objective_list_pinned(world: World, django_assert_max_num_queries) -> None:
    add_objectives(world, 30)
    api = world.api("member")
    api.get("/orgs/acme/objectives")
    with django_assert_max_num_queries(MAX_QUERIES):
        response = api.get("/orgs/acme/objectives?limit=200")
    assert len(response.json()["items"]) == 32
