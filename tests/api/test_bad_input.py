"""Bad input for every write endpoint: a 4xx naming the field at fault, never a 500, and
not one row of the database changed."""

from __future__ import annotations

from typing import Any

import pytest

from luodi.checkins.services import checkin_submit
from tests.api.conftest import World, database_state, fill

ORG = "/orgs/{org}"
OBJ = ORG + "/objectives/{member_objective}"
KR = ORG + "/key-results/{member_kr}"
HUGE = "x" * 100_000
LONG_EMAIL = "a" * 300 + "@acme.example"
CYCLE = {"name": "Q", "start_date": "2027-01-01", "end_date": "2027-03-31"}
OBJECTIVE = {"cycle_id": "{cycle}", "title": "Mine", "level": "individual"}
METRIC = {"title": "Number", "kind": "metric", "start": 0, "target": 10}


def with_(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**base, **changes}


def without(base: dict[str, Any], name: str) -> dict[str, Any]:
    return {k: v for k, v in base.items() if k != name}


# (persona, method, url, body, expected status, field that must be named or None)
CASES: list[tuple[str, str, str, Any, int, str | None]] = [
    # organizations
    ("owner", "POST", "/orgs", {}, 422, "name"),
    ("owner", "POST", "/orgs", {"name": 1, "slug": "x"}, 422, "name"),
    ("owner", "POST", "/orgs", {"name": HUGE, "slug": "okay"}, 422, "name"),
    ("owner", "POST", "/orgs", {"name": "A", "slug": "Bad Slug!"}, 422, "slug"),
    ("owner", "POST", "/orgs", {"name": "A", "slug": "-x"}, 422, "slug"),
    ("owner", "POST", "/orgs", {"name": "A", "slug": "acme"}, 422, "slug"),
    ("owner", "POST", "/orgs", {"name": None, "slug": "x"}, 422, "name"),
    ("owner", "POST", "/orgs", {"name": "", "slug": "empty-name"}, 422, "name"),
    ("owner", "POST", "/orgs", {"name": "A", "slug": "a", "owner": 1}, 422, "owner"),
    ("owner", "PATCH", ORG, {"checkin_weekday": 9}, 422, "checkin_weekday"),
    ("owner", "PATCH", ORG, {"checkin_weekday": True}, 422, "checkin_weekday"),
    ("owner", "PATCH", ORG, {"checkin_weekday": -1}, 422, "checkin_weekday"),
    ("owner", "PATCH", ORG, {"status_tolerance": "NaN"}, 422, "status_tolerance"),
    ("owner", "PATCH", ORG, {"status_tolerance": 5}, 422, "status_tolerance"),
    ("owner", "PATCH", ORG, {"status_tolerance": "1e400"}, 422, "status_tolerance"),
    ("owner", "PATCH", ORG, {"timezone": "Mars/Olympus_Mons"}, 422, "timezone"),
    ("owner", "PATCH", ORG, {"timezone": "../../etc/passwd"}, 422, "timezone"),
    ("owner", "PATCH", ORG, {"locale": "xx"}, 422, "locale"),
    ("owner", "PATCH", ORG, {"policy_mode": "strict"}, 422, "policy_mode"),
    ("owner", "PATCH", ORG, {"policy_objectives_max": 70000}, 422, "policy_objectives_max"),
    (
        "owner",
        "PATCH",
        ORG,
        {"policy_objectives_min": 9, "policy_objectives_max": 2},
        422,
        "policy_objectives_min",
    ),
    ("owner", "PATCH", ORG, {"name": None}, 422, "name"),
    ("owner", "PATCH", ORG, {"name": ""}, 422, "name"),
    ("owner", "PATCH", ORG, {"slug": "renamed"}, 422, "slug"),
    ("owner", "PATCH", ORG, {"requires_approval": "yes"}, 422, "requires_approval"),
    # members
    ("owner", "POST", ORG + "/members", {}, 422, "email"),
    ("owner", "POST", ORG + "/members", {"email": "not-an-email"}, 422, "email"),
    ("owner", "POST", ORG + "/members", {"email": LONG_EMAIL}, 422, "email"),
    (
        "owner",
        "POST",
        ORG + "/members",
        {"email": "n@acme.example", "name": "n" * 200},
        422,
        "name",
    ),
    ("owner", "POST", ORG + "/members", {"email": "n@acme.example", "role": "god"}, 422, "role"),
    ("admin", "POST", ORG + "/members", {"email": "n@acme.example", "role": "owner"}, 422, "role"),
    ("owner", "POST", ORG + "/members", {"email": "member@acme.example"}, 422, "email"),
    (
        "owner",
        "POST",
        ORG + "/members",
        {"email": "n@acme.example", "unit_id": "{other_unit}"},
        422,
        "unit_id",
    ),
    (
        "owner",
        "POST",
        ORG + "/members",
        {"email": "n@acme.example", "unit_id": 999999999},
        422,
        "unit_id",
    ),
    (
        "owner",
        "POST",
        ORG + "/members",
        {"email": "n@acme.example", "manager_id": "{outsider_id}"},
        422,
        "manager_id",
    ),
    (
        "owner",
        "POST",
        ORG + "/members",
        {"email": "n@acme.example", "unit_id": "1"},
        422,
        "unit_id",
    ),
    ("owner", "POST", ORG + "/members", {"email": ["a@b.c"]}, 422, "email"),
    ("owner", "PATCH", ORG + "/members/{member_membership}", {"role": "god"}, 422, "role"),
    ("owner", "PATCH", ORG + "/members/{member_membership}", {"role": None}, 422, "role"),
    (
        "owner",
        "PATCH",
        ORG + "/members/{member_membership}",
        {"manager_id": "{outsider_id}"},
        422,
        "manager_id",
    ),
    (
        "owner",
        "PATCH",
        ORG + "/members/{member_membership}",
        {"manager_id": "{member_id}"},
        422,
        "manager_id",
    ),
    (
        "owner",
        "PATCH",
        ORG + "/members/{owner_membership}",
        {"manager_id": "{member_id}"},
        422,
        "manager_id",
    ),
    (
        "owner",
        "PATCH",
        ORG + "/members/{member_membership}",
        {"unit_id": "{other_unit}"},
        422,
        "unit_id",
    ),
    ("owner", "PATCH", ORG + "/members/{owner_membership}", {"role": "admin"}, 422, "role"),
    ("owner", "PATCH", ORG + "/members/{member_membership}", {"user_id": 1}, 422, "user_id"),
    # units
    ("owner", "POST", ORG + "/units", {}, 422, "name"),
    ("owner", "POST", ORG + "/units", {"name": "X", "kind": "galaxy"}, 422, "kind"),
    ("owner", "POST", ORG + "/units", {"name": "", "kind": "team"}, 422, "name"),
    ("owner", "POST", ORG + "/units", {"name": HUGE, "kind": "team"}, 422, "name"),
    (
        "owner",
        "POST",
        ORG + "/units",
        {"name": "X", "kind": "team", "parent_id": "{other_unit}"},
        422,
        "parent_id",
    ),
    (
        "owner",
        "POST",
        ORG + "/units",
        {"name": "X", "kind": "team", "leader_id": "{outsider_id}"},
        422,
        "leader_id",
    ),
    (
        "owner",
        "POST",
        ORG + "/units",
        {"name": "X", "kind": "team", "parent_id": True},
        422,
        "parent_id",
    ),
    ("owner", "PATCH", ORG + "/units/{unit}", {"parent_id": "{unit}"}, 422, "parent_id"),
    ("owner", "PATCH", ORG + "/units/{unit}", {"kind": "x"}, 422, "kind"),
    ("owner", "PATCH", ORG + "/units/{unit}", {"name": None}, 422, "name"),
    ("owner", "PATCH", ORG + "/units/{unit}", {"leader_id": 10**30}, 422, "leader_id"),
    # themes
    ("owner", "POST", ORG + "/themes", {}, 422, "title"),
    ("owner", "POST", ORG + "/themes", {"title": ""}, 422, "title"),
    ("owner", "POST", ORG + "/themes", {"title": "x" * 301}, 422, "title"),
    ("owner", "POST", ORG + "/themes", {"title": "T", "kind": "bogus"}, 422, "kind"),
    ("owner", "POST", ORG + "/themes", {"title": 5}, 422, "title"),
    ("owner", "PATCH", ORG + "/themes/{theme}", {"title": None}, 422, "title"),
    ("owner", "PATCH", ORG + "/themes/{theme}", {"kind": "x"}, 422, "kind"),
    ("owner", "PATCH", ORG + "/themes/{theme}", {"position": -1}, 422, "position"),
    # cycles
    ("owner", "POST", ORG + "/cycles", {}, 422, "name"),
    ("owner", "POST", ORG + "/cycles", with_(CYCLE, start_date="2027-13-01"), 422, "start_date"),
    ("owner", "POST", ORG + "/cycles", with_(CYCLE, start_date=20270101), 422, "start_date"),
    (
        "owner",
        "POST",
        ORG + "/cycles",
        with_(CYCLE, start_date="2027-01-01T00:00:00"),
        422,
        "start_date",
    ),
    ("owner", "POST", ORG + "/cycles", with_(CYCLE, end_date="2026-12-01"), 422, "end_date"),
    ("owner", "POST", ORG + "/cycles", with_(CYCLE, end_date="2027-01-01"), 422, "end_date"),
    ("owner", "POST", ORG + "/cycles", with_(CYCLE, state="x"), 422, "state"),
    ("owner", "POST", ORG + "/cycles", with_(CYCLE, name="x" * 101), 422, "name"),
    ("owner", "PATCH", ORG + "/cycles/{cycle}", {"end_date": "2000-01-01"}, 422, "end_date"),
    ("owner", "PATCH", ORG + "/cycles/{cycle}", {"state": "x"}, 422, "state"),
    ("owner", "PATCH", ORG + "/cycles/{cycle}", {"name": ""}, 422, "name"),
    ("owner", "PATCH", ORG + "/cycles/{cycle}", {"start_date": None}, 422, "start_date"),
    # objectives
    ("member", "POST", ORG + "/objectives", {}, 422, "cycle_id"),
    ("member", "POST", ORG + "/objectives", without(OBJECTIVE, "title"), 422, "title"),
    ("member", "POST", ORG + "/objectives", with_(OBJECTIVE, title=""), 422, "title"),
    ("member", "POST", ORG + "/objectives", with_(OBJECTIVE, title=HUGE), 422, "title"),
    (
        "member",
        "POST",
        ORG + "/objectives",
        with_(OBJECTIVE, cycle_id="{other_cycle}"),
        422,
        "cycle_id",
    ),
    ("member", "POST", ORG + "/objectives", with_(OBJECTIVE, cycle_id=999999999), 422, "cycle_id"),
    ("member", "POST", ORG + "/objectives", with_(OBJECTIVE, cycle_id="1"), 422, "cycle_id"),
    ("member", "POST", ORG + "/objectives", with_(OBJECTIVE, level="galaxy"), 422, "level"),
    ("member", "POST", ORG + "/objectives", with_(OBJECTIVE, weight=-1), 422, "weight"),
    ("member", "POST", ORG + "/objectives", with_(OBJECTIVE, weight="NaN"), 422, "weight"),
    ("member", "POST", ORG + "/objectives", with_(OBJECTIVE, weight="Infinity"), 422, "weight"),
    ("member", "POST", ORG + "/objectives", with_(OBJECTIVE, weight=True), 422, "weight"),
    ("member", "POST", ORG + "/objectives", with_(OBJECTIVE, weight="heavy"), 422, "weight"),
    ("member", "POST", ORG + "/objectives", with_(OBJECTIVE, weight="1e400"), 422, "weight"),
    ("member", "POST", ORG + "/objectives", with_(OBJECTIVE, weight=0.00001), 422, "weight"),
    (
        "member",
        "POST",
        ORG + "/objectives",
        with_(OBJECTIVE, visibility="public"),
        422,
        "visibility",
    ),
    ("member", "POST", ORG + "/objectives", with_(OBJECTIVE, state="exploded"), 422, "state"),
    (
        "member",
        "POST",
        ORG + "/objectives",
        with_(OBJECTIVE, theme_ids=["{other_theme}"]),
        422,
        "theme_ids",
    ),
    ("member", "POST", ORG + "/objectives", with_(OBJECTIVE, theme_ids=[999999]), 422, "theme_ids"),
    ("member", "POST", ORG + "/objectives", with_(OBJECTIVE, theme_ids="1"), 422, "theme_ids"),
    (
        "owner",
        "POST",
        ORG + "/objectives",
        with_(OBJECTIVE, level="unit", unit_id="{other_unit}"),
        422,
        "unit_id",
    ),
    ("owner", "POST", ORG + "/objectives", with_(OBJECTIVE, level="unit"), 422, "unit_id"),
    (
        "owner",
        "POST",
        ORG + "/objectives",
        with_(OBJECTIVE, owner_id="{outsider_id}"),
        422,
        "owner_id",
    ),
    (
        "member",
        "POST",
        ORG + "/objectives",
        with_(OBJECTIVE, alignments=[{"parent_objective_id": "{other_objective}"}]),
        422,
        "alignments[0]",
    ),
    (
        "member",
        "POST",
        ORG + "/objectives",
        with_(OBJECTIVE, alignments=[{}]),
        422,
        "alignments[0]",
    ),
    (
        "member",
        "POST",
        ORG + "/objectives",
        with_(
            OBJECTIVE,
            alignments=[
                {
                    "parent_objective_id": "{company_objective}",
                    "parent_key_result_id": "{company_kr}",
                }
            ],
        ),
        422,
        "alignments[0]",
    ),
    (
        "member",
        "POST",
        ORG + "/objectives",
        with_(OBJECTIVE, alignments=[{"parent_objective_id": "{company_objective}", "weight": -2}]),
        422,
        "alignments[0]",
    ),
    (
        "member",
        "POST",
        ORG + "/objectives",
        with_(
            OBJECTIVE, alignments=[{"parent_objective_id": "{company_objective}", "weight": "NaN"}]
        ),
        422,
        "alignments[0].weight",
    ),
    (
        "member",
        "POST",
        ORG + "/objectives",
        with_(OBJECTIVE, alignments=[{"parent_objective_id": "{company_objective}", "type": "x"}]),
        422,
        "alignments[0]",
    ),
    (
        "member",
        "POST",
        ORG + "/objectives",
        with_(OBJECTIVE, alignments=[{"parent_key_result_id": "{company_kr}"}]),
        422,
        "alignments[0]",
    ),
    (
        "member",
        "POST",
        ORG + "/objectives",
        with_(OBJECTIVE, alignments=[{"parent_key_result_id": "{other_kr}", "type": "supports"}]),
        422,
        "alignments[0]",
    ),
    ("member", "POST", ORG + "/objectives", with_(OBJECTIVE, alignments="up"), 422, "alignments"),
    ("member", "PATCH", OBJ, {"title": None}, 422, "title"),
    ("member", "PATCH", OBJ, {"title": ""}, 422, "title"),
    ("member", "PATCH", OBJ, {"weight": -1}, 422, "weight"),
    ("member", "PATCH", OBJ, {"weight": None}, 422, "weight"),
    ("member", "PATCH", OBJ, {"state": "exploded"}, 422, "state"),
    ("member", "PATCH", OBJ, {"cycle_id": "{other_cycle}"}, 422, "cycle_id"),
    ("member", "PATCH", OBJ, {"self_score": 2}, 422, "self_score"),
    ("member", "PATCH", OBJ, {"self_score": "NaN"}, 422, "self_score"),
    ("member", "PATCH", OBJ, {"owner_id": "{outsider_id}"}, 422, "owner_id"),
    ("member", "PATCH", OBJ, {"progress": 1}, 422, "progress"),
    (
        "member",
        "PATCH",
        OBJ,
        {"alignments": [{"parent_objective_id": "{member_objective}"}]},
        422,
        "alignments[0]",
    ),
    ("member", "PATCH", OBJ, {"reason": HUGE}, 422, "reason"),
    # key results
    ("member", "POST", OBJ + "/key-results", {}, 422, "title"),
    ("member", "POST", OBJ + "/key-results", without(METRIC, "start"), 422, "start"),
    ("member", "POST", OBJ + "/key-results", with_(METRIC, kind="laser"), 422, "kind"),
    ("member", "POST", OBJ + "/key-results", with_(METRIC, start="abc"), 422, "start"),
    ("member", "POST", OBJ + "/key-results", with_(METRIC, start=True), 422, "start"),
    ("member", "POST", OBJ + "/key-results", with_(METRIC, target="1e400"), 422, "target"),
    ("member", "POST", OBJ + "/key-results", with_(METRIC, target="0.0000001"), 422, "target"),
    ("member", "POST", OBJ + "/key-results", with_(METRIC, target=None), 422, "target"),
    ("member", "POST", OBJ + "/key-results", with_(METRIC, direction="sideways"), 422, "direction"),
    ("member", "POST", OBJ + "/key-results", with_(METRIC, direction="decrease"), 422, "direction"),
    ("member", "POST", OBJ + "/key-results", with_(METRIC, weight=-1), 422, "weight"),
    ("member", "POST", OBJ + "/key-results", with_(METRIC, unit="u" * 31), 422, "unit"),
    (
        "member",
        "POST",
        OBJ + "/key-results",
        with_(METRIC, owner_id="{outsider_id}"),
        422,
        "owner_id",
    ),
    (
        "member",
        "POST",
        OBJ + "/key-results",
        with_(METRIC, contributor_ids=["{outsider_id}"]),
        422,
        "contributor_ids",
    ),
    ("member", "POST", OBJ + "/key-results", with_(METRIC, due_date="yesterday"), 422, "due_date"),
    (
        "member",
        "POST",
        OBJ + "/key-results",
        with_(METRIC, start_date="2027-02-01", due_date="2027-01-01"),
        422,
        "due_date",
    ),
    (
        "member",
        "POST",
        OBJ + "/key-results",
        with_(METRIC, phases=[{"date": "1999-01-01", "target": 5}]),
        422,
        "phases[0].date",
    ),
    (
        "member",
        "POST",
        OBJ + "/key-results",
        with_(METRIC, phases=[{"date": "2026-01-01"}]),
        422,
        "phases[0].target",
    ),
    (
        "member",
        "POST",
        OBJ + "/key-results",
        {"title": "M", "kind": "milestone"},
        422,
        "milestones",
    ),
    (
        "member",
        "POST",
        OBJ + "/key-results",
        {"title": "M", "kind": "milestone", "milestones": [{"title": "a", "weight": -1}]},
        422,
        "milestones[0].weight",
    ),
    (
        "member",
        "POST",
        OBJ + "/key-results",
        {"title": "M", "kind": "milestone", "milestones": [{"title": ""}]},
        422,
        "milestones[0].title",
    ),
    (
        "member",
        "POST",
        OBJ + "/key-results",
        {"title": "M", "kind": "milestone", "milestones": [{"title": "a", "weight": 0}]},
        422,
        "milestones",
    ),
    (
        "member",
        "POST",
        OBJ + "/key-results",
        {"title": "B", "kind": "boolean", "milestones": [{"title": "a"}]},
        422,
        "milestones",
    ),
    (
        "member",
        "POST",
        OBJ + "/key-results",
        {"title": "P", "kind": "percentage", "target": 150},
        422,
        "target",
    ),
    ("member", "POST", OBJ + "/key-results", with_(METRIC, current=5), 422, "current"),
    ("member", "PATCH", KR, {"start": "abc"}, 422, "start"),
    ("member", "PATCH", KR, {"state": "zombie"}, 422, "state"),
    ("member", "PATCH", KR, {"title": None}, 422, "title"),
    ("member", "PATCH", KR, {"weight": "NaN"}, 422, "weight"),
    ("member", "PATCH", KR, {"target": 50}, 422, "reason"),
    ("member", "PATCH", KR, {"final_score": 1.5}, 422, "final_score"),
    ("member", "PATCH", KR, {"owner_id": "{outsider_id}"}, 422, "owner_id"),
    # check-ins
    ("member", "POST", KR + "/check-ins", {}, 422, "value"),
    ("member", "POST", KR + "/check-ins", {"value": "abc"}, 422, "value"),
    ("member", "POST", KR + "/check-ins", {"value": True}, 422, "value"),
    ("member", "POST", KR + "/check-ins", {"value": "NaN"}, 422, "value"),
    ("member", "POST", KR + "/check-ins", {"value": "-Infinity"}, 422, "value"),
    ("member", "POST", KR + "/check-ins", {"value": "1e400"}, 422, "value"),
    ("member", "POST", KR + "/check-ins", {"value": None}, 422, "value"),
    ("member", "POST", KR + "/check-ins", {"value": 1, "confidence": 11}, 422, "confidence"),
    ("member", "POST", KR + "/check-ins", {"value": 1, "confidence": -1}, 422, "confidence"),
    ("member", "POST", KR + "/check-ins", {"value": 1, "confidence": "5"}, 422, "confidence"),
    ("member", "POST", KR + "/check-ins", {"value": 1, "confidence": 5.5}, 422, "confidence"),
    ("member", "POST", KR + "/check-ins", {"value": 1, "note": "n" * 10_001}, 422, "note"),
    ("member", "POST", KR + "/check-ins", {"value": 1, "note": None}, 422, "note"),
    ("member", "POST", KR + "/check-ins", {"value": 1, "author_id": 1}, 422, "author_id"),
    (
        "member",
        "POST",
        KR + "/check-ins",
        {"value": 1, "milestone_ids_done": [True]},
        422,
        "milestone_ids_done[0]",
    ),
]

MALFORMED = [
    ('{"title": ', "application/json"),
    ('{"a": 1}', "application/x-www-form-urlencoded"),
    ("title=x", "multipart/form-data; boundary=x"),
    ("\xff\xfe", "application/json"),
    ("[" * 100_000, "application/json"),
]
WRITE_URLS = [
    ("POST", "/orgs"),
    ("PATCH", ORG),
    ("POST", ORG + "/members"),
    ("PATCH", ORG + "/members/{member_membership}"),
    ("POST", ORG + "/units"),
    ("PATCH", ORG + "/units/{unit}"),
    ("POST", ORG + "/themes"),
    ("PATCH", ORG + "/themes/{theme}"),
    ("POST", ORG + "/cycles"),
    ("PATCH", ORG + "/cycles/{cycle}"),
    ("POST", ORG + "/objectives"),
    ("PATCH", OBJ),
    ("POST", OBJ + "/key-results"),
    ("PATCH", KR),
    ("POST", KR + "/check-ins"),
]


def _case_id(case: tuple[Any, ...]) -> str:
    _persona, method, url, body, _status, field = case
    return f"{method} {url} {field} {str(body)[:40]}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "method", "url", "body", "status", "field"),
    [pytest.param(*case, id=_case_id(case)) for case in CASES],
)
def test_bad_input_is_refused_and_changes_nothing(
    world: World, persona: str, method: str, url: str, body: Any, status: int, field: str | None
) -> None:
    ids = world.ids()
    api = world.api(persona)
    before = database_state()
    response = api.call(method, fill(url, ids), fill(body, ids))
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["message"]
    if field is not None:
        assert field in error["fields"], error
        assert all(isinstance(r, str) and r for r in error["fields"][field])
    assert database_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "url"), WRITE_URLS)
@pytest.mark.parametrize(
    ("raw", "content_type"), MALFORMED, ids=["cut", "form", "multipart", "bytes", "deep"]
)
def test_malformed_bodies_are_400(
    world: World, method: str, url: str, raw: str, content_type: str
) -> None:
    ids = world.ids()
    before = database_state()
    response = world.api("owner").call(method, fill(url, ids), raw=raw, content_type=content_type)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "malformed"
    assert database_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "url"), WRITE_URLS)
@pytest.mark.parametrize("raw", ["[1, 2]", '"text"', "42", "null"])
def test_json_that_is_not_an_object_is_422(world: World, method: str, url: str, raw: str) -> None:
    ids = world.ids()
    before = database_state()
    response = world.api("owner").call(method, fill(url, ids), raw=raw)
    assert response.status_code == 422, response.content
    assert response.json()["error"]["fields"]
    assert database_state() == before


@pytest.mark.django_db
def test_nan_literal_in_json_is_a_field_error(world: World) -> None:
    ids = world.ids()
    raw = '{"value": NaN, "confidence": 5}'
    response = world.api("member").call("POST", fill(KR + "/check-ins", ids), raw=raw)
    assert response.status_code == 422
    assert "value" in response.json()["error"]["fields"]
    cycle = ids["cycle"]
    raw = f'{{"cycle_id": {cycle}, "title": "t", "level": "individual", "weight": Infinity}}'
    response = world.api("member").call("POST", fill(ORG + "/objectives", ids), raw=raw)
    assert response.status_code == 422
    assert "weight" in response.json()["error"]["fields"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        ORG + "/objectives/999999999",
        ORG + "/key-results/999999999",
        ORG + "/key-results/999999999/check-ins",
        ORG + "/units/999999999",
        ORG + "/themes/999999999",
        ORG + "/cycles/999999999",
        ORG + "/members/999999999",
        "/orgs/no-such-org",
    ],
)
def test_unknown_ids_are_404_for_every_method(world: World, path: str) -> None:
    ids = world.ids()
    api = world.api("owner")
    for method in ("GET", "PATCH", "DELETE", "POST"):
        response = api.call(method, fill(path, ids), {} if method in ("PATCH", "POST") else None)
        assert response.status_code in (404, 405), (method, response.content)
        if response.status_code == 404:
            assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
@pytest.mark.parametrize("bad_id", ["abc", "-1", "0", str(10**30), "1.5"])
def test_malformed_ids_in_the_path_are_422(world: World, bad_id: str) -> None:
    response = world.api("owner").get(f"/orgs/acme/objectives/{bad_id}")
    assert response.status_code == 422
    assert "objective_id" in response.json()["error"]["fields"]


@pytest.mark.django_db
def test_idempotency_key_too_long_is_a_field_error(world: World) -> None:
    ids = world.ids()
    before = database_state()
    response = world.api("member").post(
        fill(KR + "/check-ins", ids), {"value": 1}, HTTP_IDEMPOTENCY_KEY="k" * 201
    )
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["error"]["fields"]
    assert database_state() == before


@pytest.mark.django_db
def test_check_in_on_a_cancelled_key_result_is_refused(world: World) -> None:
    ids = world.ids()
    api = world.api("member")
    assert api.patch(fill(KR, ids), {"state": "cancelled"}).status_code == 200
    before = database_state()
    response = api.post(fill(KR + "/check-ins", ids), {"value": 3})
    assert response.status_code == 422
    assert "key_result" in response.json()["error"]["fields"]
    assert database_state() == before


@pytest.mark.django_db
def test_milestone_ids_of_another_key_result_are_refused(world: World) -> None:
    ids = world.ids()
    api = world.api("member")
    made = api.post(
        fill(OBJ + "/key-results", ids),
        {"title": "Steps", "kind": "milestone", "milestones": [{"title": "a"}, {"title": "b"}]},
    ).json()
    other = api.post(
        fill(OBJ + "/key-results", ids),
        {"title": "Other", "kind": "milestone", "milestones": [{"title": "c"}]},
    ).json()
    before = database_state()
    response = api.post(
        f"/orgs/acme/key-results/{made['id']}/check-ins",
        {"milestone_ids_done": [other["milestones"][0]["id"]]},
    )
    assert response.status_code == 422
    assert "milestone_ids_done" in response.json()["error"]["fields"]
    assert database_state() == before


@pytest.mark.django_db
def test_kind_cannot_change_after_check_ins(world: World) -> None:
    checkin_submit(key_result=world.member_kr, actor=world.member, value=3)
    ids = world.ids()
    before = database_state()
    response = world.api("member").patch(fill(KR, ids), {"kind": "boolean"})
    assert response.status_code == 422
    assert "kind" in response.json()["error"]["fields"]
    assert database_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url", "body", "field"),
    [
        ("POST", "/orgs", {"name": "A\x00", "slug": "nul"}, "name"),
        ("POST", ORG + "/members", {"email": "a\x00@acme.example"}, "email"),
        ("POST", ORG + "/themes", {"title": "T\x00"}, "title"),
        ("POST", ORG + "/objectives", with_(OBJECTIVE, title="x\x00y"), "title"),
        ("PATCH", KR, {"unit": "\x00"}, "unit"),
        ("POST", KR + "/check-ins", {"value": 1, "note": "\x00"}, "note"),
        ("POST", ORG + "/units", {"name": "U", "kind": "team\x00"}, "kind"),
    ],
)
def test_nul_characters_are_refused(
    world: World, method: str, url: str, body: Any, field: str
) -> None:
    """PostgreSQL cannot store NUL in text: refused on every backend, never a 500."""
    ids = world.ids()
    before = database_state()
    response = world.api("owner").call(method, fill(url, ids), fill(body, ids))
    assert response.status_code == 422, response.content
    assert field in response.json()["error"]["fields"]
    assert database_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/orgs/acme/objectives?q=a%00b", "/orgs/acme/objectives?state=active%00", "/orgs/ac%00me"],
)
def test_nul_characters_in_queries_and_paths_are_not_500(world: World, path: str) -> None:
    response = world.api("owner").get(path)
    assert response.status_code in (404, 422), response.content


@pytest.mark.django_db
def test_idempotency_key_with_control_characters_is_refused(world: World) -> None:
    ids = world.ids()
    before = database_state()
    response = world.api("member").post(
        fill(KR + "/check-ins", ids), {"value": 1}, HTTP_IDEMPOTENCY_KEY="a\x00b"
    )
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["error"]["fields"]
    assert database_state() == before


@pytest.mark.django_db
def test_numbers_too_long_for_their_column_are_422_not_500(world: World) -> None:
    """The service lets a milestone weight of 10^15 through; the column holds 8 digits."""
    ids = world.ids()
    before = database_state()
    response = world.api("member").post(
        fill(OBJ + "/key-results", ids),
        {"title": "M", "kind": "milestone", "milestones": [{"title": "a", "weight": "1e15"}]},
    )
    assert response.status_code == 422, response.content
    assert response.json()["error"]["fields"]
    assert database_state() == before
