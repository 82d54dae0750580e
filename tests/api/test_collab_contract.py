"""Independent review of the communication loop's API (issue 5), through the contract.

Every route of the notify, collab, rhythm and approvals routers is enumerated from the
routers themselves — a route added later without an entry here fails
`test_every_route_is_covered` — and walked by six personas (owner, admin, member, viewer,
outsider of another organization, anonymous) against four targets: the organization's own
objects, those of a private objective of someone else, another organization's ids under
our slug, and another organization's slug. Then the response shapes of API.md
("Collaboration endpoints"), the signed webhook body, and privacy of what is listed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from luodi.accounts.models import User
from luodi.api.api import api as ninja_api
from luodi.api.routers import approvals as approvals_router
from luodi.api.routers import collab as collab_router
from luodi.api.routers import notify as notify_router
from luodi.api.routers import rhythm as rhythm_router
from luodi.checkins.services import checkin_submit
from luodi.collab import services as collab
from luodi.notify import services as notify
from luodi.notify.models import Notification
from luodi.okrs import alignment_requests
from luodi.orgs.choices import CycleState, Role
from luodi.orgs.models import Membership
from luodi.orgs.services import (
    cycle_create,
    member_add,
    member_update,
    organization_create,
    unit_create,
)
from luodi.rhythm import services as rhythm
from luodi.rhythm.periods import month_of, week_of
from tests.api import conftest as api_conftest
from tests.api.conftest import Api, World, fill
from tests.conftest import make_metric, make_objective, make_user

ROUTERS = (
    notify_router.router,
    collab_router.router,
    rhythm_router.router,
    approvals_router.router,
)
PERSONAS = ("owner", "admin", "member", "viewer", "outsider", "anonymous")
INSIDERS = ("owner", "admin", "member", "viewer")
ERROR_KEYS = {"code", "message", "fields"}
WRITES = {"POST", "PATCH", "PUT", "DELETE"}


def api_routes() -> list[tuple[str, str]]:
    """(method, full path with {params}) of every operation of the four routers."""
    routes = []
    for router in ROUTERS:
        prefixes = {prefix for prefix, mounted in ninja_api._routers if mounted is router}
        assert len(prefixes) == 1, f"{router} mounted {prefixes}"
        prefix = prefixes.pop()
        for path, view in router.path_operations.items():
            for operation in view.operations:
                for method in operation.methods:
                    routes.append((method, prefix + path))
    return sorted(set(routes))


# ------------------------------------------------------------------ the scene


@dataclass
class Side:
    """One organization's objects, by the names the path parameters use."""

    slug: str
    ids: dict[str, Any] = field(default_factory=dict)


@dataclass
class Scene:
    world: World
    peer: User  # member role; owns the private objective
    bea: User  # a member of the other organization
    own: Side
    private: Side
    foreign: Side
    notification_ids: dict[str, list[int]]


def current_week() -> str:
    return week_of(timezone.localdate()).key


def current_month() -> str:
    return month_of(timezone.localdate()).key


def _side_objects(
    slug: str,
    org: Any,
    boss: User,
    worker: User,
    cycle: Any,
    unit: Any,
    objective: Any,
    kr: Any,
) -> Side:
    """Comment, check-in, feedback, channel + delivery, report, meeting, action item and
    alignment request in one organization (`boss` is an owner, `worker` a member)."""
    side = Side(slug)
    channel = notify.channel_create(
        organization=org,
        actor=boss,
        kind="webhook",
        url="https://hooks.example/luodi",
        secret="s3cret-value",
        events=["comment.created", "mention", "checkin.created"],
    )
    checkin, _ = checkin_submit(key_result=kr, actor=boss, value=Decimal(3), note="Going")
    comment = collab.comment_create(
        actor=worker, objective=objective, body=f"Nice work @{boss.email}", key_result=kr
    )
    feedback = collab.feedback_give(
        actor=worker, objective=objective, kind="praise", body="Bravo", receiver_id=boss.pk
    )
    report = rhythm.report_save(
        organization=org,
        actor=worker,
        kind="week",
        period_key=current_week(),
        texts={"progress": "Shipped", "problems": "None", "plans": "More"},
        submit=True,
    )
    meeting = rhythm.meeting_schedule(
        organization=org,
        actor=boss,
        unit_id=unit.pk,
        kind="weekly",
        starts_at=timezone.now() + timezone.timedelta(days=2),
    )
    item = rhythm.action_item_create(meeting=meeting, actor=boss, title="Call", owner_id=worker.pk)
    other_unit = unit_create(organization=org, actor=boss, name="Ops " + slug, kind="team")
    request = alignment_requests.alignment_request_create(
        objective=objective, actor=boss, to_unit_id=other_unit.pk, message="Help us"
    )
    side.ids = {
        "org": slug,
        "objective_id": objective.pk,
        "key_result_id": kr.pk,
        "checkin_id": checkin.pk,
        "comment_id": comment.pk,
        "feedback_id": feedback.pk,
        "channel_id": channel.pk,
        "report_id": report.pk,
        "meeting_id": meeting.pk,
        "item_id": item.pk,
        "request_id": request.pk,
        "unit_id": unit.pk,
        "to_unit_id": other_unit.pk,
        "person_id": worker.pk,
        "cycle_id": cycle.pk,
    }
    return side


def build_scene(world: World) -> Scene:
    org, owner = world.org, world.owner
    for user in (world.member, world.admin):
        member_update(membership=world.membership(user), actor=owner, unit_id=world.unit.pk)
    peer = member_add(organization=org, actor=owner, email="peer@acme.example", name="Pia Peer")
    peer = peer.user
    own = _side_objects(
        "acme",
        org,
        owner,
        world.member,
        world.cycle,
        world.unit,
        world.company_objective,
        world.company_kr,
    )
    # A private objective of the peer, with its own discussion: the member and the viewer
    # may not see it (owner and admin may).
    secret = make_objective(
        org, peer, world.cycle, title="Secret plan", level="individual", visibility="private"
    )
    secret_kr = make_metric(secret, peer, title="Secret number")
    secret_checkin, _ = checkin_submit(key_result=secret_kr, actor=peer, value=Decimal(1))
    secret_comment = collab.comment_create(actor=peer, objective=secret, body="Only for me")
    secret_feedback = collab.feedback_give(
        actor=owner, objective=secret, kind="concern", body="Hidden"
    )
    private = Side(
        "acme",
        {
            **own.ids,
            "objective_id": secret.pk,
            "key_result_id": secret_kr.pk,
            "checkin_id": secret_checkin.pk,
            "comment_id": secret_comment.pk,
            "feedback_id": secret_feedback.pk,
        },
    )
    other, outsider = world.other_org, world.outsider
    bea = member_add(organization=other, actor=outsider, email="bea@other.example", name="Bea")
    bea = bea.user
    member_update(
        membership=Membership.objects.get(organization=other, user=bea),
        actor=outsider,
        unit_id=world.other_unit.pk,
    )
    foreign = _side_objects(
        "other",
        other,
        outsider,
        bea,
        world.other_cycle,
        world.other_unit,
        world.other_objective,
        world.other_kr,
    )
    notes = {
        name: list(Notification.objects.filter(recipient=user).values_list("pk", flat=True))
        for name, user in (("owner", owner), ("outsider", outsider), ("member", world.member))
    }
    for persona in PERSONAS:  # tokens made now, outside the savepoints rolled back below
        world.api(persona)
    return Scene(world, peer, bea, own, private, foreign, notes)


def make_world() -> World:
    """tests/api/conftest.py's `world`, built outside a test (the fixtures are per test)."""
    owner = make_user("owner@acme.example", "Olivia Owner")
    org = organization_create(name="Acme", slug="acme", owner=owner)

    def add(email: str, name: str, role: str, manager: User | None = None) -> User:
        return member_add(
            organization=org, actor=owner, email=email, name=name, role=role, manager=manager
        ).user

    member = add("member@acme.example", "Mia Member", Role.MEMBER, owner)
    admin = add("admin@acme.example", "Adam Admin", Role.ADMIN)
    viewer = add("viewer@acme.example", "Vera Viewer", Role.VIEWER)
    today = timezone.localdate()
    cycle = cycle_create(
        organization=org,
        actor=owner,
        name="Current quarter",
        start_date=today - timedelta(days=30),
        end_date=today + timedelta(days=60),
        state=CycleState.ACTIVE,
    )
    outsider = make_user("outsider@other.example", "Otto Outsider")
    other_org = organization_create(name="Other Co", slug="other", owner=outsider)
    other_cycle = cycle_create(
        organization=other_org,
        actor=outsider,
        name="Their quarter",
        start_date=today - timedelta(days=30),
        end_date=today + timedelta(days=60),
        state=CycleState.ACTIVE,
    )
    build = api_conftest.world.__wrapped__  # the fixture's own function
    return build(org, cycle, owner, admin, member, viewer, outsider, other_org, other_cycle)


def scene_in_a_transaction(django_db_blocker: Any) -> Iterator[Scene]:
    """One scene for a whole module, in a transaction rolled back at its end; each test
    runs in a savepoint inside it (pytest-django's `db`), each call in another."""
    was = HUEY.immediate
    HUEY.immediate = True
    hashers = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], LANGUAGE_CODE="en"
    )
    with django_db_blocker.unblock(), hashers, transaction.atomic():
        yield build_scene(make_world())
        transaction.set_rollback(True)
    HUEY.immediate = was


@pytest.fixture(scope="module")
def scene(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Scene]:
    yield from scene_in_a_transaction(django_db_blocker)


# ------------------------------------------------------------------ bodies of the writes

WEEK, MONTH = "{week}", "{month}"
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/me/notifications/read"): {},
    ("POST", "/orgs/{org}/channels"): {
        "kind": "webhook",
        "url": "https://hooks.example/new",
        "secret": "another-secret",
        "events": ["comment.created"],
        "unit_id": "{unit_id}",
    },
    ("PATCH", "/orgs/{org}/channels/{channel_id}"): {"name": "Renamed"},
    ("DELETE", "/orgs/{org}/channels/{channel_id}"): None,
    ("POST", "/orgs/{org}/objectives/{objective_id}/comments"): {"body": "Hi @Mia Member"},
    ("POST", "/orgs/{org}/key-results/{key_result_id}/comments"): {"body": "On the number"},
    ("POST", "/orgs/{org}/check-ins/{checkin_id}/comments"): {"body": "On the check-in"},
    ("PATCH", "/orgs/{org}/comments/{comment_id}"): {"body": "Edited"},
    ("DELETE", "/orgs/{org}/comments/{comment_id}"): None,
    ("POST", "/orgs/{org}/comments/{comment_id}/like"): None,
    ("DELETE", "/orgs/{org}/comments/{comment_id}/like"): None,
    ("POST", "/orgs/{org}/objectives/{objective_id}/follow"): None,
    ("DELETE", "/orgs/{org}/objectives/{objective_id}/follow"): None,
    ("POST", "/orgs/{org}/feedback"): {
        "objective_id": "{objective_id}",
        "kind": "suggestion",
        "body": "Try this",
        "receiver_id": "{person_id}",
    },
    ("POST", "/orgs/{org}/feedback/{feedback_id}/read"): None,
    ("POST", "/orgs/{org}/weekly-reports"): {"week": WEEK, "progress": "Good", "submit": True},
    ("POST", "/orgs/{org}/weekly-reports/draft"): {"week": WEEK},
    ("POST", "/orgs/{org}/monthly-summaries"): {"month": MONTH, "plans": "More"},
    ("POST", "/orgs/{org}/monthly-summaries/draft"): {"month": MONTH},
    ("POST", "/orgs/{org}/meetings"): {
        "unit_id": "{unit_id}",
        "kind": "monthly",
        "starts_at": "2026-12-01T10:00:00+08:00",
    },
    ("PATCH", "/orgs/{org}/meetings/{meeting_id}"): {"notes": "We agreed", "decisions": "Go"},
    ("POST", "/orgs/{org}/meetings/{meeting_id}/agenda"): None,
    ("POST", "/orgs/{org}/meetings/{meeting_id}/action-items"): {
        "title": "Follow up",
        "owner_id": "{person_id}",
        "key_result_id": "{key_result_id}",
    },
    ("PATCH", "/orgs/{org}/action-items/{item_id}"): {"done": True},
    ("POST", "/orgs/{org}/objectives/{objective_id}/submit"): {"note": "Ready"},
    ("POST", "/orgs/{org}/objectives/{objective_id}/approve"): {"comment": "Fine"},
    ("POST", "/orgs/{org}/objectives/{objective_id}/return"): {"comment": "Change it"},
    ("POST", "/orgs/{org}/alignment-requests"): {
        "objective_id": "{objective_id}",
        "to_unit_id": "{to_unit_id}",
        "message": "Please",
    },
    ("POST", "/orgs/{org}/alignment-requests/{request_id}/accept"): {"create": True},
    ("POST", "/orgs/{org}/alignment-requests/{request_id}/decline"): {"comment": "Not now"},
    ("POST", "/orgs/{org}/alignment-requests/{request_id}/cancel"): None,
}
# Reads take query parameters only.
ID_NAMES = {
    "objective_id",
    "key_result_id",
    "checkin_id",
    "comment_id",
    "feedback_id",
    "channel_id",
    "report_id",
    "meeting_id",
    "item_id",
    "request_id",
}
SCENE_NAMES = ID_NAMES | {"org", "unit_id", "to_unit_id", "person_id", "cycle_id", "week", "month"}
# Ids that name something of the private objective.
PRIVATE_IDS = {"objective_id", "key_result_id", "checkin_id", "comment_id", "feedback_id"}


def names_in(template: Any) -> set[str]:
    return set(re.findall(r"{(\w+)}", json.dumps(template)))


def request_body(method: str, path: str) -> Any:
    body = BODIES.get((method, path))
    if body is None and method in ("POST", "PATCH"):
        return {}
    return body


def values(side: Side) -> dict[str, Any]:
    return {**side.ids, "week": current_week(), "month": current_month()}


def attempt(api: Api, method: str, path: str, body: Any, ids: dict[str, Any]) -> Any:
    """One call inside a savepoint rolled back after: every persona meets the same scene.
    An exception escaping the view is answered as a 500 with its traceback."""
    url = fill(path, ids)
    with transaction.atomic():
        try:
            response = api.call(method, url, fill(body, ids))
        except Exception:
            response = Crash(traceback.format_exc(limit=-6))
        transaction.set_rollback(True)
    return response


@dataclass
class Crash:
    trace: str
    status_code: int = 500

    def json(self) -> Any:
        return {"crash": self.trace}


def describe(persona: str, target: str, method: str, path: str, response: Any) -> str:
    content = getattr(response, "trace", None) or getattr(response, "content", b"")[:300]
    return f"{persona} {target} {method} {path} → {response.status_code}: {content}"


def error_shape_ok(response: Any) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and set(body.get("error", {})) == ERROR_KEYS


# ------------------------------------------------------------------ the matrix


def test_every_route_is_covered() -> None:
    """A route added to one of the four routers must be given a body here (writes) and is
    then walked by the matrix below automatically."""
    routes = api_routes()
    assert len(routes) >= 45, routes
    missing = [r for r in routes if r[0] in WRITES and r not in BODIES]
    assert not missing, f"write routes without a body in BODIES: {missing}"
    stale = [key for key in BODIES if key not in routes]
    assert not stale, f"BODIES names routes that do not exist: {stale}"
    unknown = [
        (m, p)
        for m, p in routes
        if names_in(p) - {"org"} - ID_NAMES or names_in(BODIES.get((m, p))) - SCENE_NAMES
    ]
    assert not unknown, f"path or body names without an id in the scene: {unknown}"


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), api_routes(), ids=lambda v: str(v))
def test_route_matrix(scene: Scene, method: str, path: str) -> None:
    body = request_body(method, path)
    names = names_in(path) | names_in(body)
    problems: list[str] = []
    on_org = "{org}" in path

    own_answers: dict[str, Any] = {}

    def check(persona: str, target: str, side: Side, allowed: set[int]) -> Any:
        response = attempt(scene.world.api(persona), method, path, body, values(side))
        if target == "own":
            own_answers[persona] = response
        # A role gate (403) that answers the same whatever the id reveals nothing about it.
        gate = own_answers.get(persona)
        if (
            target != "own"
            and response.status_code == 403
            and gate is not None
            and gate.status_code == 403
            and gate.content == response.content
        ):
            return response
        if response.status_code not in allowed:
            problems.append(describe(persona, target, method, path, response))
        elif response.status_code >= 400 and not error_shape_ok(response):
            problems.append("error shape: " + describe(persona, target, method, path, response))
        return response

    # Anonymous: 401 whatever the target.
    check("anonymous", "own", scene.own, {401})
    # Insiders on their own organization's objects: never a 500, a 4xx in the error shape.
    for persona in INSIDERS:
        check(persona, "own", scene.own, {200, 201, 204, 403, 404, 409, 422})
    if on_org:
        # The outsider, through our slug: the organization does not exist for them.
        check("outsider", "own", scene.own, {404})
        for persona in ("owner", "member"):  # the roles that manage, and those that do not
            # Another organization's slug with its own ids.
            check(persona, "foreign-slug", scene.foreign, {404})
            # Our slug with another organization's ids: 404 when the id is in the path; in
            # a body an unknown id may also be a 422 naming the field.
            path_ids = names_in(path) & ID_NAMES
            body_ids = names_in(body) & (ID_NAMES | {"unit_id", "to_unit_id", "person_id"})
            if path_ids or body_ids:
                mixed = Side("acme", {**scene.foreign.ids, "org": "acme"})
                check(persona, "foreign-ids", mixed, {404} if path_ids else {404, 422})
        # A private objective of someone else: member and viewer find nothing.
        if names & PRIVATE_IDS:
            for persona in ("member", "viewer"):
                allowed = {404} if names_in(path) & PRIVATE_IDS else {404, 422}
                check(persona, "private", scene.private, allowed)
            for persona in ("owner", "admin"):
                check(persona, "private", scene.private, {200, 201, 204, 403, 404, 409, 422})
    else:
        check("outsider", "own", scene.own, {200, 201, 204})
    assert not problems, "\n".join(problems)
    if method == "GET":  # the scene is real: the owner reads every one of these
        assert own_answers["owner"].status_code == 200, own_answers["owner"].content


# ------------------------------------------------------------------ shapes (API.md)

COMMENT_KEYS = {"id", "author_id", "body", "body_html", "mentions", "created_at"}
NOTIFICATION_KEYS = {"id", "kind", "title", "url", "created_at", "read_at"}
DELIVERY_KEYS = {"id", "event", "status", "attempts", "last_error", "created_at"}
REPORT_KEYS = {"id", "user_id", "week", "progress", "problems", "plans", "submitted_at"}
ISO_WEEK = re.compile(r"\d{4}-W\d{2}")


def fresh(user: User) -> User:
    """The user without permission caches left by an earlier test."""
    return User.objects.get(pk=user.pk)


def page_of(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"items", "next"}, body
    return body["items"]


@pytest.mark.django_db
def test_comment_shape_mentions_and_sanitized_html(scene: Scene) -> None:
    world = scene.world
    url = f"/orgs/acme/objectives/{world.company_objective.pk}/comments"
    body = "Thanks @Olivia Owner and @viewer@acme.example <script>alert(1)</script> **go**"
    response = world.api("member").post(url, {"body": body})
    assert response.status_code == 201, response.content
    comment = response.json()
    assert set(comment) >= COMMENT_KEYS
    assert comment["author_id"] == world.member.pk
    assert comment["body"] == body
    assert sorted(comment["mentions"]) == sorted([world.owner.pk, world.viewer.pk])
    assert "<script" not in comment["body_html"] and "<strong>go</strong>" in comment["body_html"]
    items = page_of(world.api("viewer").get(url))
    assert comment["id"] in {c["id"] for c in items}
    assert all(set(c) >= COMMENT_KEYS for c in items)
    # Key result and check-in threads answer the same shape.
    for path in (
        f"/orgs/acme/key-results/{world.company_kr.pk}/comments",
        f"/orgs/acme/check-ins/{scene.own.ids['checkin_id']}/comments",
    ):
        created = world.api("member").post(path, {"body": "Also here"})
        assert created.status_code == 201, created.content
        assert set(created.json()) >= COMMENT_KEYS
        assert created.json()["id"] in {c["id"] for c in page_of(world.api("owner").get(path))}


@pytest.mark.django_db
def test_notifications_shape_unread_filter_and_mark_read(scene: Scene) -> None:
    world = scene.world
    owner = world.api("owner")
    items = page_of(owner.get("/me/notifications"))
    assert items, "the member's comment and feedback notify the owner"
    assert all(set(n) >= NOTIFICATION_KEYS for n in items)
    assert all(n["url"].startswith("/o/acme/") for n in items)
    ids = [n["id"] for n in items]
    assert ids == sorted(ids, reverse=True)  # newest first
    first = ids[0]
    answer = owner.post("/me/notifications/read", {"ids": [first]})
    assert answer.status_code == 200 and answer.json() == {"updated": 1}
    assert owner.post("/me/notifications/read", {"ids": [first]}).json() == {"updated": 0}
    unread = page_of(owner.get("/me/notifications?unread=true"))
    assert first not in {n["id"] for n in unread} and len(unread) == len(ids) - 1
    read = next(n for n in page_of(owner.get("/me/notifications")) if n["id"] == first)
    assert read["read_at"] is not None
    # Someone else's ids are ignored: nothing of theirs changes.
    theirs = scene.notification_ids["outsider"]
    assert theirs
    assert owner.post("/me/notifications/read", {"ids": theirs}).json() == {"updated": 0}
    assert Notification.objects.filter(pk__in=theirs, read_at__isnull=True).count() == len(theirs)
    # No ids: all of mine.
    assert owner.post("/me/notifications/read", {}).json() == {"updated": len(ids) - 1}
    assert page_of(owner.get("/me/notifications?unread=true")) == []


@pytest.mark.django_db
def test_channels_never_return_the_secret(scene: Scene) -> None:
    owner = scene.world.api("owner")
    created = owner.post(
        "/orgs/acme/channels",
        {
            "kind": "webhook",
            "url": "https://hooks.example/b",
            "secret": "do-not-echo-me",
            "events": ["mention"],
        },
    )
    assert created.status_code == 201, created.content
    channel_id = created.json()["id"]
    answers = [
        created,
        owner.get("/orgs/acme/channels"),
        owner.get(f"/orgs/acme/channels/{channel_id}"),
        owner.patch(f"/orgs/acme/channels/{channel_id}", {"secret": "a-new-secret"}),
        owner.get(f"/orgs/acme/channels/{scene.own.ids['channel_id']}"),
    ]
    for answer in answers:
        assert answer.status_code in (200, 201), answer.content
        raw = answer.content.decode()
        for secret in ("do-not-echo-me", "a-new-secret", "s3cret-value"):
            assert secret not in raw
        assert '"secret"' not in raw
    assert answers[2].json()["has_secret"] is True


@pytest.mark.django_db
def test_delivery_log_shape(scene: Scene) -> None:
    path = f"/orgs/acme/channels/{scene.own.ids['channel_id']}/deliveries"
    items = page_of(scene.world.api("admin").get(path))
    assert {d["event"] for d in items} >= {"checkin.created", "comment.created"}
    for delivery in items:
        assert set(delivery) >= DELIVERY_KEYS
        assert delivery["status"] in ("pending", "delivered", "failed")
        assert isinstance(delivery["attempts"], int) and isinstance(delivery["last_error"], str)


@pytest.mark.django_db
def test_weekly_report_shape_create_change_filter_and_draft(scene: Scene) -> None:
    world = scene.world
    week = current_week()
    items = page_of(world.api("admin").get(f"/orgs/acme/weekly-reports?week={week}"))
    assert [r["user_id"] for r in items] == [world.member.pk]  # submitted: the admin reads it
    for report in items:
        assert set(report) >= REPORT_KEYS and ISO_WEEK.fullmatch(report["week"])
    viewer = world.api("viewer")
    created = viewer.post("/orgs/acme/weekly-reports", {"week": week, "progress": "Read a lot"})
    assert created.status_code == 201, created.content
    report = created.json()
    assert set(report) >= REPORT_KEYS
    assert (report["week"], report["progress"], report["submitted_at"]) == (
        week,
        "Read a lot",
        None,
    )
    changed = viewer.post("/orgs/acme/weekly-reports", {"week": week, "plans": "Write"})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["id"], changed.json()["progress"]) == (report["id"], "Read a lot")
    mine = page_of(viewer.get(f"/orgs/acme/weekly-reports?user_id={world.viewer.pk}"))
    assert [r["id"] for r in mine] == [report["id"]]
    # A draft is the writer's own until submitted: the admin does not read it.
    others = page_of(world.api("admin").get(f"/orgs/acme/weekly-reports?user_id={world.viewer.pk}"))
    assert others == []
    draft = world.api("owner").post("/orgs/acme/weekly-reports/draft", {"week": week})
    assert draft.status_code == 200, draft.content
    assert set(draft.json()) >= REPORT_KEYS and draft.json()["week"] == week
    assert draft.json()["submitted_at"] is None
    assert "3" in draft.json()["progress"] or world.company_kr.title in draft.json()["progress"]


@pytest.mark.django_db
def test_meeting_has_a_generated_agenda_filtered_for_each_reader(scene: Scene) -> None:
    """The agenda lists the unit's key results off track; a private objective's key result
    is on it for those who may see it, and absent for the other attendees."""
    world = scene.world
    owner = fresh(world.owner)
    member_update(
        membership=Membership.objects.get(organization=world.org, user=scene.peer),
        actor=owner,
        unit_id=world.unit.pk,
    )
    unit_objective = make_objective(
        world.org, owner, world.cycle, title="Sales grow", level="unit", unit_id=world.unit.pk
    )
    lagging = make_metric(unit_objective, owner, title="Calls made")
    checkin_submit(key_result=lagging, actor=owner, value=Decimal(1))
    body = {"unit_id": world.unit.pk, "kind": "weekly", "starts_at": "2026-12-01T10:00:00+08:00"}
    created = world.api("owner").post("/orgs/acme/meetings", body)
    assert created.status_code == 201, created.content
    meeting = created.json()
    assert isinstance(meeting["agenda"], list)
    on_agenda = {item["key_result_id"] for item in meeting["agenda"]}
    secret_kr = scene.private.ids["key_result_id"]
    assert {lagging.pk, secret_kr} <= on_agenda  # the owner sees the private one
    seen = world.api("member").get(f"/orgs/acme/meetings/{meeting['id']}")
    assert seen.status_code == 200, seen.content
    member_items = {item["key_result_id"] for item in seen.json()["agenda"]}
    assert lagging.pk in member_items and secret_kr not in member_items
    assert "Secret plan" not in seen.content.decode()
    listed = page_of(world.api("member").get("/orgs/acme/meetings"))
    assert "Secret plan" not in json.dumps(listed)


@pytest.mark.django_db
def test_webhook_body_is_signed(scene: Scene, httpserver: Any) -> None:
    """A real event (a comment) posted to a generic webhook: {event, organization,
    occurred_at, data}, X-Luodi-Signature: sha256=<hex HMAC-SHA256 of the raw body>."""
    from luodi.notify import delivery
    from luodi.notify.models import Delivery

    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    owner = scene.world.api("owner")
    created = owner.post(
        "/orgs/acme/channels",
        {
            "kind": "webhook",
            "url": httpserver.url_for("/hook"),
            "secret": "hook-secret",
            "events": ["comment.created"],
        },
    )
    assert created.status_code == 201, created.content
    url = f"/orgs/acme/objectives/{scene.world.company_objective.pk}/comments"
    comment = scene.world.api("member").post(url, {"body": "For the hook"})
    assert comment.status_code == 201, comment.content
    pending = Delivery.objects.get(channel_id=created.json()["id"])
    assert delivery.attempt(pending.pk) is True
    (request, _response), *rest = httpserver.log
    assert rest == []
    raw = request.get_data()
    expected = "sha256=" + hmac.new(b"hook-secret", raw, hashlib.sha256).hexdigest()
    assert request.headers["X-Luodi-Signature"] == expected
    payload = json.loads(raw)
    assert set(payload) == {"event", "organization", "occurred_at", "data"}
    assert (payload["event"], payload["organization"]) == ("comment.created", "acme")
    assert payload["data"]["comment_id"] == comment.json()["id"]
    log = page_of(owner.get(f"/orgs/acme/channels/{created.json()['id']}/deliveries"))
    assert [(d["event"], d["status"], d["attempts"]) for d in log] == [
        ("comment.created", "delivered", 1)
    ]


def list_routes() -> list[str]:
    return [p for m, p in api_routes() if m == "GET" and not p.endswith("}")]


@pytest.mark.django_db
@pytest.mark.parametrize("path", list_routes())
def test_every_list_is_a_cursor_page(scene: Scene, path: str) -> None:
    """`{"items", "next"}` with limit/cursor: walking one item at a time meets every item
    of the full page exactly once; a bad cursor or limit is a 422, not a 500."""
    api = scene.world.api("owner")
    url = fill(path, values(scene.own))
    everything = [item["id"] for item in page_of(api.get(url + "?limit=200"))]
    walked: list[int] = []
    cursor: str | None = None
    for _ in range(len(everything) + 2):
        query = "?limit=1" + (f"&cursor={cursor}" if cursor else "")
        response = api.get(url + query)
        items = page_of(response)
        assert len(items) <= 1
        walked += [item["id"] for item in items]
        cursor = response.json()["next"]
        if cursor is None:
            break
    assert walked == everything
    for bad in ("?cursor=not-a-cursor", "?limit=0", "?limit=201", "?limit=x"):
        answer = api.get(url + bad)
        assert answer.status_code == 422, (bad, answer.content)
        assert error_shape_ok(answer)


# ------------------------------------------------------------------ privacy


def notifications_of(user: User) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user))


@pytest.mark.django_db
def test_private_objective_mentions_and_notifications_reach_only_who_may_see_it(
    scene: Scene,
) -> None:
    world = scene.world
    secret = scene.private.ids["objective_id"]
    before = {u.pk: len(notifications_of(u)) for u in (world.member, world.viewer)}
    body = "@Mia Member @viewer@acme.example @Pia Peer @Adam Admin look"
    answer = world.api("owner").post(f"/orgs/acme/objectives/{secret}/comments", {"body": body})
    assert answer.status_code == 201, answer.content
    # Only the people who may see it are mentioned: the peer (its owner) and the admin.
    assert sorted(answer.json()["mentions"]) == sorted([scene.peer.pk, world.admin.pk])
    for user in (world.member, world.viewer):
        assert len(notifications_of(user)) == before[user.pk]
    assert any(f"/objectives/{secret}/" in n.url for n in notifications_of(scene.peer))
    # And nothing reaches the group chat: drafts and private objectives never do.
    from luodi.notify.models import Delivery

    assert not Delivery.objects.filter(payload__data__objective_id=secret).exists()


@pytest.mark.django_db
def test_a_follower_who_loses_sight_hears_nothing_more(scene: Scene) -> None:
    world = scene.world
    objective = make_objective(
        world.org, fresh(world.owner), world.cycle, title="Soon hidden", level="company"
    )
    assert world.api("viewer").post(f"/orgs/acme/objectives/{objective.pk}/follow").json() == {
        "following": True
    }
    from luodi.okrs.services import objective_update

    objective_update(objective=objective, actor=fresh(world.owner), visibility="private")
    objective.refresh_from_db()
    count = len(notifications_of(world.viewer))
    collab.comment_create(actor=fresh(world.admin), objective=objective, body="Now private")
    assert len(notifications_of(world.viewer)) == count
    assert (
        world.api("viewer").get(f"/orgs/acme/objectives/{objective.pk}/comments").status_code == 404
    )


@pytest.mark.django_db
def test_feedback_on_a_private_objective_never_reaches_or_lists_for_others(scene: Scene) -> None:
    world = scene.world
    secret = scene.private.ids["objective_id"]
    given = world.api("owner").post(
        "/orgs/acme/feedback",
        {"objective_id": secret, "kind": "praise", "body": "x", "receiver_id": world.member.pk},
    )
    assert given.status_code == 422, given.content
    assert "receiver_id" in given.json()["error"]["fields"]
    for persona in ("member", "viewer"):
        items = page_of(world.api(persona).get("/orgs/acme/feedback"))
        assert secret not in {f["objective_id"] for f in items}
    # The peer, who received it, sees it; the member's own feedback list has only hers.
    peer_items = page_of(Api(scene.peer).get("/orgs/acme/feedback?received=true"))
    assert scene.private.ids["feedback_id"] in {f["id"] for f in peer_items}


@pytest.mark.django_db
def test_nothing_of_another_organization_is_listed(scene: Scene) -> None:
    world = scene.world
    for persona in INSIDERS:
        api = world.api(persona)
        assert {n["organization"] for n in page_of(api.get("/me/notifications"))} <= {"acme"}
        for path in list_routes():
            if "{org}" not in path:
                continue
            response = api.get(fill(path, values(scene.own)) + "?limit=200")
            if response.status_code in (403, 404) and persona in ("member", "viewer"):
                continue  # channels: admins only; a meeting of a unit not theirs
            items = page_of(response)
            raw = json.dumps(items)
            for theirs in ("Their goal", "Bea", "Ops other", "Theirs weekly review"):
                assert theirs not in raw, (persona, path, theirs)
        reports = page_of(api.get(f"/orgs/acme/weekly-reports?user_id={scene.bea.pk}"))
        assert reports == []
    outsider = page_of(world.api("outsider").get("/me/notifications"))
    assert outsider and {n["organization"] for n in outsider} == {"other"}


@pytest.mark.django_db
def test_a_checkin_heard_by_a_channel_is_stored_and_queued(scene: Scene) -> None:
    """Regression: checkin_events put the Objective itself into the webhook `data`, so any
    check-in in an organization with a channel listening to checkin.created was a 500."""
    from luodi.notify.models import Delivery

    kr = scene.world.company_kr
    answer = scene.world.api("owner").post(
        f"/orgs/acme/key-results/{kr.pk}/check-ins", {"value": 7}
    )
    assert answer.status_code == 201, answer.content
    queued = Delivery.objects.filter(
        channel_id=scene.own.ids["channel_id"], event="checkin.created"
    ).latest("pk")
    data = queued.payload["data"]
    assert data["checkin_id"] == answer.json()["id"]
    assert data["objective_id"] == scene.world.company_objective.pk
    json.dumps(queued.payload)  # plain JSON all the way down
