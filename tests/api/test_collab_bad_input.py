"""Bad input for every write endpoint of the notify, collab, rhythm and approvals routers:
a 400/404/409/422 in the error shape naming the field at fault, never a 500, and not one
row of the database changed (every table of the apps involved, before and after).

The cases are made from each endpoint's own body schema — malformed JSON, a body that is
not an object, an unknown field, each required field missing or null, each field of the
wrong type, over-long, with a NUL byte; ids unknown or of another organization, in the
body and in the path — so a field or endpoint added later is tried without a new line
here. Each endpoint is first called once with a valid body as the control: the bad cases
are rejected for their input, not for want of permission.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction

from luodi.api.routers import approvals as approvals_router
from luodi.api.routers import collab as collab_router
from luodi.api.routers import notify as notify_router
from luodi.api.routers import rhythm as rhythm_router
from tests.api.conftest import fill
from tests.api.test_collab_contract import (
    BODIES,
    ERROR_KEYS,
    ID_NAMES,
    WRITES,
    Crash,
    Scene,
    api_routes,
    names_in,
    scene_in_a_transaction,
    values,
)

APPS = ("accounts", "orgs", "okrs", "checkins", "collab", "notify", "rhythm")
NOT_WATCHED = {"ApiToken"}  # last_used_at moves with the first request of a minute
HUGE = "x" * 100_001
UNKNOWN_ID = 999_999_999
TOO_BIG_ID = 2**64
REJECTED = {400, 404, 409, 422}

# Bodies the control call succeeds with (BODIES serves the permission matrix).
VALID: dict[tuple[str, str], Any] = {
    **BODIES,
    ("POST", "/orgs/{org}/alignment-requests"): {
        "objective_id": "{objective_id}",
        "to_unit_id": "{unit_id}",
        "type": "supports",
        "message": "Please",
    },
    # Every field, so that each is tried with bad values.
    ("PATCH", "/orgs/{org}/channels/{channel_id}"): {
        "kind": "webhook",
        "url": "https://hooks.example/changed",
        "secret": "changed-secret",
        "events": ["mention"],
        "unit_id": "{unit_id}",
        "name": "Renamed",
        "enabled": False,
    },
    ("POST", "/orgs/{org}/feedback"): {
        "objective_id": "{objective_id}",
        "checkin_id": "{checkin_id}",
        "kind": "suggestion",
        "body": "Try this",
        "receiver_id": "{person_id}",
    },
    ("POST", "/orgs/{org}/meetings"): {
        "unit_id": "{unit_id}",
        "kind": "monthly",
        "starts_at": "2026-12-01T10:00:00+08:00",
        "duration_minutes": 45,
        "title": "Sales review",
    },
    ("POST", "/orgs/{org}/meetings/{meeting_id}/action-items"): {
        "title": "Follow up",
        "owner_id": "{person_id}",
        "due_date": "2026-12-15",
        "key_result_id": "{key_result_id}",
    },
    ("POST", "/orgs/{org}/alignment-requests/{request_id}/accept"): {
        "create": True,
        "title": "We help",
        "comment": "Glad to",
    },
    ("POST", "/orgs/{org}/weekly-reports"): {
        "week": "{week}",
        "progress": "Good",
        "problems": "None",
        "plans": "More",
        "submit": True,
    },
}
PERSONA = {("PATCH", "/orgs/{org}/comments/{comment_id}"): "member"}  # authors edit
# Controls that cannot succeed in this scene, with the reason the service gives.
CONTROL_REFUSED = {
    ("POST", "/orgs/{org}/objectives/{objective_id}/submit"): "state",  # not a draft
    ("POST", "/orgs/{org}/objectives/{objective_id}/approve"): "state",
    ("POST", "/orgs/{org}/objectives/{objective_id}/return"): "state",
}


@pytest.fixture(scope="module")
def scene(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Scene]:
    yield from scene_in_a_transaction(django_db_blocker)


def database_state() -> dict[str, list[dict[str, Any]]]:
    state = {}
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            if model.__name__ not in NOT_WATCHED:
                state[f"{label}.{model.__name__}"] = list(model.objects.order_by("pk").values())
    return state


def changed_tables(before: dict[str, list], after: dict[str, list]) -> list[str]:
    return [name for name in before if before[name] != after.get(name)]


ROUTERS = {
    "notify": notify_router.router,
    "collab": collab_router.router,
    "rhythm": rhythm_router.router,
    "approvals": approvals_router.router,
}


def body_schema(method: str, path: str) -> Any:
    """The pydantic model of the endpoint's JSON body, or None."""
    for router in ROUTERS.values():
        for route_path, view in router.path_operations.items():
            if not path.endswith(route_path):
                continue
            for operation in view.operations:
                if method not in operation.methods:
                    continue
                for model in operation.models:
                    if getattr(model, "__ninja_param_source__", None) == "body":
                        (field,) = model.model_fields.values()
                        return field.annotation
    return None


def write_routes() -> list[tuple[str, str]]:
    return [(m, p) for m, p in api_routes() if m in WRITES]


def is_datetime(schema: Any, name: str) -> bool:
    return "datetime" in str(schema.model_fields[name].annotation)


def cases(method: str, path: str) -> list[tuple[str, dict[str, Any], set[int], str | None]]:
    """(label, call keywords, statuses accepted, field the error must name or None)."""
    valid = VALID.get((method, path))
    schema = body_schema(method, path)
    found: list[tuple[str, dict[str, Any], set[int], str | None]] = []
    for name in sorted(names_in(path)):
        if name in ID_NAMES:
            for label, value, allowed in (
                ("unknown", UNKNOWN_ID, {404}),
                ("too big", TOO_BIG_ID, {404, 422}),
                ("foreign", f"{{foreign:{name}}}", {404}),
            ):
                found.append((f"path {name} {label}", {"path": {name: value}}, allowed, None))
    if schema is None or not isinstance(valid, dict):
        return found
    found += [
        ("malformed JSON", {"raw": "{not json"}, {400}, None),
        ("JSON array", {"raw": "[]"}, {400, 422}, None),
        ("JSON null", {"raw": "null"}, {400, 422}, None),
        ("not sent as JSON", {"raw": json.dumps(valid), "content_type": "text/plain"}, {400}, None),
        ("unknown field", {"body": {**valid, "surprise": 1}}, {422}, "surprise"),
    ]
    for name, field in schema.model_fields.items():
        if field.is_required():
            without = {k: v for k, v in valid.items() if k != name}
            found.append((f"{name} missing", {"body": without}, {422}, name))
            found.append((f"{name} null", {"body": {**valid, name: None}}, {422}, name))
        if name not in valid:
            continue
        sample = valid[name]
        bad: list[tuple[str, Any, set[int]]] = []
        is_id = isinstance(sample, str) and sample.strip("{}").endswith("_id")
        if is_id:
            bad += [
                ("as a string", "1", {422}),
                ("negative", -1, {422}),
                ("too big", TOO_BIG_ID, {422}),
                ("unknown", UNKNOWN_ID, {404, 422}),
                ("of another organization", f"{{foreign:{sample.strip('{}')}}}", {404, 422}),
            ]
        elif isinstance(sample, bool):
            bad += [("a string", "yes", {422}), ("a number", 1, {422})]
        elif isinstance(sample, str):
            bad += [("over-long", HUGE, {422}), ("with NUL", "a\x00b", {422})]
            if not is_datetime(schema, name):
                bad += [("a number", 12345, {422})]
        elif isinstance(sample, int):
            bad += [
                ("as a string", str(sample), {422}),
                ("a boolean", True, {422}),
                ("zero", 0, {422}),
                ("huge", 10**6, {422}),
            ]
        elif isinstance(sample, list):
            bad += [("a string", "x", {422}), ("a list of numbers", [1], {422})]
        for label, value, allowed in bad:
            found.append((f"{name} {label}", {"body": {**valid, name: value}}, allowed, name))
    return found


def names(fields: dict[str, Any], field: str) -> bool:
    """The error names the field, or one of its items (`events[0]`)."""
    return any(key == field or key.startswith(field + "[") for key in fields)


def resolve(template: Any, scene: Scene) -> Any:
    """Fill {name} from our organization and {foreign:name} from the other one."""
    if isinstance(template, str) and template.startswith("{foreign:"):
        return scene.foreign.ids[template[len("{foreign:") : -1]]
    if isinstance(template, dict):
        return {k: resolve(v, scene) for k, v in template.items()}
    if isinstance(template, list):
        return [resolve(v, scene) for v in template]
    return fill(template, values(scene.own))


def call(scene: Scene, method: str, path: str, case: dict[str, Any]) -> Any:
    ids = {**values(scene.own), **{k: resolve(v, scene) for k, v in case.get("path", {}).items()}}
    url = path
    for name, value in ids.items():
        url = url.replace("{" + name + "}", str(value))
    api = scene.world.api(PERSONA.get((method, path), "owner"))
    extra = {}
    if "content_type" in case:
        extra["content_type"] = case["content_type"]
    if "raw" in case:
        return api.call(method, url, raw=case["raw"], **extra)
    body = case.get("body", VALID.get((method, path)))
    body = resolve(body, scene)
    if body is None and method in ("POST", "PATCH"):
        body = {}
    return api.call(method, url, body)


def test_every_write_endpoint_has_cases() -> None:
    routes = write_routes()
    assert len(routes) >= 30
    for method, path in routes:
        schema = body_schema(method, path)
        assert schema is None or isinstance(VALID[(method, path)], dict), (method, path)
        assert cases(method, path), (method, path)


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), write_routes(), ids=str)
def test_bad_input_is_rejected_and_changes_nothing(scene: Scene, method: str, path: str) -> None:
    problems: list[str] = []
    # The control: the valid call goes through (or is refused for the known reason).
    with transaction.atomic():
        control = call(scene, method, path, {})
        transaction.set_rollback(True)
    refused = CONTROL_REFUSED.get((method, path))
    if refused:
        assert control.status_code == 422, control.content
        assert refused in control.json()["error"]["fields"], control.content
    else:
        assert control.status_code in (200, 201, 204), control.content
    baseline = database_state()
    for label, case, allowed, field in cases(method, path):
        with transaction.atomic():
            try:
                response = call(scene, method, path, case)
            except Exception as exc:
                response = Crash(repr(exc))
            changed = changed_tables(baseline, database_state())
            transaction.set_rollback(True)
        where = f"{method} {path} [{label}] → {response.status_code}"
        if response.status_code not in allowed:
            problems.append(f"{where}: {getattr(response, 'content', b'')[:200]!r}")
            continue
        body = response.json()
        if set(body.get("error", {})) != ERROR_KEYS:
            problems.append(f"{where}: not the error shape: {body}")
        elif field and response.status_code == 422 and not names(body["error"]["fields"], field):
            problems.append(f"{where}: does not name {field}: {body['error']}")
        if changed:
            problems.append(f"{where}: changed {changed}")
    assert not problems, "\n".join(problems)


# Values at the edges the schema alone does not judge: found by this review (each was a
# 500, a misleading error or a duplicate before the fix named beside it).
EDGES: list[tuple[str, str, Any, str]] = [
    # rhythm/periods.py: years far from date.min/max (neighbours, time zones overflowed)
    ("/orgs/acme/weekly-reports/draft", "POST", {"week": "0001-W01"}, "week"),
    ("/orgs/acme/weekly-reports/draft", "POST", {"week": "9999-W52"}, "week"),
    ("/orgs/acme/weekly-reports", "POST", {"week": "9999-W52"}, "week"),
    ("/orgs/acme/monthly-summaries/draft", "POST", {"month": "0001-01"}, "month"),
    ("/orgs/acme/monthly-summaries", "POST", {"month": "9999-12"}, "month"),
    # rhythm/periods.py: ASCII digits only ("２０２６-W48" was a second report of 2026-W48)
    ("/orgs/acme/weekly-reports", "POST", {"week": "２０２６-W48"}, "week"),
    ("/orgs/acme/monthly-summaries", "POST", {"month": "２０２６-11"}, "month"),
    # rhythm/services.py meeting_schedule: a start the agenda's time zone cannot hold
    ("/orgs/acme/meetings", "POST", "9999-12-31T23:00:00-12:00", "starts_at"),
    ("/orgs/acme/meetings", "POST", "0001-01-01T00:30:00+14:00", "starts_at"),
    ("/orgs/acme/meetings", "POST", "0001-01-01T00:30:00", "starts_at"),
    # notify/schemas.py: NUL in a channel's URL or secret (stored on SQLite; on PostgreSQL
    # a 422 saying "A number has too many digits.")
    ("/orgs/acme/channels", "POST", {"url": "https://hooks.example/\x00"}, "url"),
    ("/orgs/acme/channels", "POST", {"secret": "s\x00"}, "secret"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method", "change", "field"), EDGES, ids=str)
def test_edge_values_are_422_and_change_nothing(
    scene: Scene, path: str, method: str, change: Any, field: str
) -> None:
    if path.endswith("/meetings"):
        body = {"unit_id": scene.world.unit.pk, "kind": "weekly", "starts_at": change}
    elif path.endswith("/channels"):
        body = {**resolve(VALID[("POST", "/orgs/{org}/channels")], scene), **change}
    else:
        body = change
    before = database_state()
    response = scene.world.api("owner").call(method, path, body)
    assert response.status_code == 422, response.content
    assert field in response.json()["error"]["fields"], response.content
    assert changed_tables(before, database_state()) == []


@pytest.mark.django_db
def test_feedback_on_a_checkin_of_another_objective_names_checkin_id(scene: Scene) -> None:
    """A check-in the caller may see, but of another objective than `objective_id`."""
    body = {
        "objective_id": scene.world.company_objective.pk,
        "checkin_id": scene.private.ids["checkin_id"],
        "kind": "praise",
        "body": "x",
        "receiver_id": scene.world.member.pk,
    }
    response = scene.world.api("owner").post("/orgs/acme/feedback", body)
    assert response.status_code == 422, response.content
    assert "checkin_id" in response.json()["error"]["fields"], response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/orgs/acme/weekly-reports", {"week": "a\x00b"}, "week"),
        ("/orgs/acme/monthly-summaries", {"month": "a\x00b"}, "month"),
        ("/orgs/acme/weekly-reports?week=a%00b", None, "week"),
    ],
)
def test_a_nul_in_the_period_is_named_on_postgresql(
    scene: Scene, path: str, body: Any, field: str
) -> None:
    api = scene.world.api("owner")
    response = api.get(path) if body is None else api.post(path, body)
    if body is None and response.status_code == 200:  # a filter that matches nothing
        assert response.json() == {"items": [], "next": None}
        return
    assert response.status_code == 422, response.content
    assert field in response.json()["error"]["fields"], response.content
