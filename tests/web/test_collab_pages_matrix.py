"""Independent review of the communication loop's pages (issue 5).

Every URL pattern of web/urls_{notify,collab,rhythm,approvals}.py — read from the modules,
so a page added later is walked without a new line here — is requested with GET and POST
by owner, admin, member, viewer, an outsider (owner of another organization) and anonymous,
against the organization's own objects, another organization's ids under our slug, the
other organization's slug, and a private objective of someone else. Never a 500; anonymous
is sent to sign in; what one may not see is a 404 (405 only for a method the page does not
take, and then the other method is the 404).
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from luodi.web import urls_approvals, urls_collab, urls_notify, urls_rhythm
from tests.api.test_collab_contract import Scene, scene_in_a_transaction

MODULES = (urls_notify, urls_collab, urls_rhythm, urls_approvals)
INSIDERS = ("owner", "admin", "member", "viewer")
# The admin's pages are the owner's (both manage); the API matrix walks the admin too.
OWN_PERSONAS = ("owner", "member", "viewer")
# What <int:pk> names, by the path segment before it.
PK_OF = {
    "inbox": "notification_id",
    "channels": "channel_id",
    "objectives": "objective_id",
    "comments": "comment_id",
    "feedback": "feedback_id",
    "meetings": "meeting_id",
    "action-items": "item_id",
    "alignment-requests": "request_id",
}
PRIVATE_PKS = {"objective_id", "comment_id", "feedback_id"}
FORM = {
    "body": "Hello @Mia Member",
    "kind": "praise",
    "comment": "Fine",
    "note": "Ready",
    "notes": "We agreed",
    "decisions": "Go",
    "title": "Follow up",
    "progress": "Good",
    "problems": "None",
    "plans": "More",
    "message": "Please",
    "create": "1",
    "done": "1",
}


@pytest.fixture(scope="module")
def scene(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Scene]:
    yield from scene_in_a_transaction(django_db_blocker)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """The channel test page posts to the channel's URL: answer it here, not on the net."""
    import httpx

    monkeypatch.setattr(
        "luodi.notify.delivery.httpx.post", lambda *a, **k: httpx.Response(200, json={})
    )


def page_routes() -> list[str]:
    routes = []
    for module in MODULES:
        for pattern in module.urlpatterns:
            routes.append("/" + str(pattern.pattern))
    return routes


def pk_name(route: str) -> str | None:
    match = re.search(r"([\w-]+)/<int:pk>", route)
    if match is None:
        return None
    return PK_OF[match.group(1)]


def url_for(route: str, slug: str, ids: dict[str, Any]) -> str:
    url = route.replace("<slug:org>", slug)
    name = pk_name(route)
    if name is not None:
        url = url.replace("<int:pk>", str(ids[name]))
    return url


def side_ids(scene: Scene, side: str) -> dict[str, Any]:
    ids = dict(getattr(scene, side).ids)
    who = "outsider" if side == "foreign" else "owner"
    ids["notification_id"] = scene.notification_ids[who][0]
    return ids


def clients(scene: Scene) -> dict[str, Client]:
    made = {"anonymous": Client()}
    for persona in (*INSIDERS, "outsider"):
        made[persona] = Client()
        made[persona].force_login(getattr(scene.world, persona))
    return made


def attempt(client: Client, method: str, url: str) -> Any:
    """One request in a savepoint rolled back after; an escaping exception is a 500."""
    with transaction.atomic():
        try:
            response = client.get(url) if method == "GET" else client.post(url, FORM)
        except Exception:
            response = Crash(traceback.format_exc(limit=-5))
        transaction.set_rollback(True)
    return response


class Crash:
    status_code = 500

    def __init__(self, trace: str) -> None:
        self.trace = trace


def test_every_page_has_a_target() -> None:
    routes = page_routes()
    assert len(routes) >= 35, routes
    for route in routes:
        assert "<slug:org>" in route, route
        leftover = re.sub(r"<slug:org>|<int:pk>", "", route)
        assert "<" not in leftover, f"{route}: a path parameter this matrix does not know"
        if "<int:pk>" in route:
            assert pk_name(route) is not None, route


@pytest.mark.django_db
@pytest.mark.parametrize("route", page_routes())
def test_page_matrix(scene: Scene, route: str) -> None:
    people = clients(scene)
    own, foreign = side_ids(scene, "own"), side_ids(scene, "foreign")
    problems: list[str] = []
    answers: dict[tuple[str, str, str], int] = {}
    gates: dict[tuple[str, str], Any] = {}

    def hit(persona: str, target: str, method: str, url: str) -> Any:
        response = attempt(people[persona], method, url)
        answers[(persona, target, method)] = response.status_code
        if response.status_code >= 500:
            problems.append(
                f"{persona} {target} {method} {url} → 500 {getattr(response, 'trace', '')}"
            )
        if target == "own" and response.status_code == 403:
            gates[(persona, method)] = response.content
        return response

    def hidden(persona: str, target: str, url: str) -> None:
        """Both methods: 404, or 405 for the method the page does not take, or the same
        role gate (403) the persona meets on our own objects; at least one 404."""
        statuses = []
        for method in ("GET", "POST"):
            response = hit(persona, target, method, url)
            gate = gates.get((persona, method))
            if response.status_code == 403 and gate == response.content:
                statuses.append(403)
                continue
            statuses.append(response.status_code)
        if not set(statuses) <= {403, 404, 405} or (404 not in statuses and 403 not in statuses):
            problems.append(f"{persona} {target} {url}: {statuses}")

    own_url = url_for(route, "acme", own)
    for persona in OWN_PERSONAS:
        for method in ("GET", "POST"):
            hit(persona, "own", method, own_url)
    for method in ("GET", "POST"):
        response = hit("anonymous", "own", method, own_url)
        if response.status_code != 302 or not response["Location"].startswith("/accounts/login/"):
            problems.append(f"anonymous {method} {own_url} → {response.status_code}")
    hidden("outsider", "own", own_url)
    name = pk_name(route)
    if name is not None:
        for persona in ("owner", "member"):
            hidden(persona, "foreign-ids", url_for(route, "acme", foreign))
    hidden("member", "foreign-slug", url_for(route, "other", foreign))
    if name in PRIVATE_PKS:
        private = {**own, **scene.private.ids}
        for persona in ("member", "viewer"):
            hidden(persona, "private", url_for(route, "acme", private))
    assert not problems, "\n".join(problems)
    # The scene is real: someone inside reaches every page by one method or the other.
    reached = {answers[(p, "own", m)] for p in OWN_PERSONAS for m in ("GET", "POST")}
    assert reached & {200, 204, 302, 422}, answers


@pytest.mark.django_db
def test_mention_autocomplete_lists_only_people_who_may_see_the_objective(scene: Scene) -> None:
    world = scene.world
    people = clients(scene)
    company = world.company_objective.pk
    secret = scene.private.ids["objective_id"]
    listed = people["member"].get(f"/o/acme/objectives/{company}/mentions/?q=Pi")
    assert listed.status_code == 200 and "Pia Peer" in listed.content.decode()
    # The secret objective: the member may not even ask; the owner is offered only those
    # who may see it (its owner the peer, admins), never the member or the viewer.
    assert people["member"].get(f"/o/acme/objectives/{secret}/mentions/?q=").status_code == 404
    offered = people["owner"].get(f"/o/acme/objectives/{secret}/mentions/?q=").content.decode()
    assert "Pia Peer" in offered and "Adam Admin" in offered
    assert "Mia Member" not in offered and "Vera Viewer" not in offered
    # Another organization's people are never offered.
    assert (
        "Bea"
        not in people["owner"].get(f"/o/acme/objectives/{company}/mentions/?q=B").content.decode()
    )
    other = scene.foreign.ids["objective_id"]
    assert people["owner"].get(f"/o/acme/objectives/{other}/mentions/?q=").status_code == 404


@pytest.mark.django_db
def test_inbox_pages_show_only_my_notifications_of_this_organization(scene: Scene) -> None:
    people = clients(scene)
    theirs = scene.notification_ids["outsider"][0]
    mine = scene.notification_ids["owner"][0]
    inbox = people["owner"].get("/o/acme/inbox/")
    assert inbox.status_code == 200
    assert f"/inbox/{mine}/" in inbox.content.decode()
    assert f"/inbox/{theirs}/" not in inbox.content.decode()
    assert people["owner"].get(f"/o/acme/inbox/{theirs}/open/").status_code == 404
    assert people["member"].get(f"/o/acme/inbox/{mine}/open/").status_code == 404
    opened = people["owner"].get(f"/o/acme/inbox/{mine}/open/")
    assert opened.status_code == 302 and opened["Location"].startswith("/o/acme/")


@pytest.mark.django_db
def test_objective_page_discussion_hides_the_private_objective(scene: Scene) -> None:
    """The private objective's comment never shows on pages the member can reach."""
    people = clients(scene)
    secret = scene.private.ids["objective_id"]
    assert people["member"].get(f"/o/acme/objectives/{secret}/").status_code == 404
    for url in ("/o/acme/inbox/", "/o/acme/", "/o/acme/meetings/", "/o/acme/alignment-requests/"):
        page = people["member"].get(url, follow=True)
        assert page.status_code == 200, url
        assert (
            "Only for me" not in page.content.decode()
            and "Secret plan" not in page.content.decode()
        )


# Query strings and forms at the edges, each a 500 before this review's fixes.
EDGE_PAGES = [
    ("GET", "/o/acme/weekly-reports/?week=9999-W52", None),
    ("GET", "/o/acme/weekly-reports/?week=0001-W01", None),
    ("GET", "/o/acme/weekly-reports/team/?week=0001-W01", None),
    ("GET", "/o/acme/weekly-reports/team/?week=9999-W52", None),
    ("GET", "/o/acme/monthly-summaries/?month=0001-01", None),
    ("GET", "/o/acme/monthly-summaries/?month=9999-12", None),
    ("GET", "/o/acme/monthly-summaries/team/?month=9999-12", None),
    ("POST", "/o/acme/weekly-reports/", {"week": "9999-W52", "progress": "x", "action": "draft"}),
    ("POST", "/o/acme/weekly-reports/", {"week": "0001-W01", "progress": "x", "action": "draft"}),
    (
        "POST",
        "/o/acme/meetings/new/",
        {"unit_id": "{unit}", "kind": "weekly", "starts_at": "0001-01-01T00:30"},
    ),
    # "²".isdigit() is true but int("²") fails: ids from forms and query strings are read
    # with isdecimal() now (was a 500 on each of these).
    ("GET", "/o/acme/meetings/new/?unit=²", None),
    ("GET", "/o/acme/weekly-reports/team/?unit=²", None),
    ("POST", "/o/acme/objectives/{objective}/comments/", {"body": "x", "key_result": "²"}),
    ("POST", "/o/acme/objectives/{objective}/comments/", {"body": "x", "checkin": "²"}),
    ("POST", "/o/acme/objectives/{objective}/alignment-requests/new/", {"to_unit": "²"}),
    ("POST", "/o/acme/alignment-requests/{request}/accept/", {"objective": "²"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "url", "data"), EDGE_PAGES, ids=str)
def test_edge_periods_never_500(scene: Scene, method: str, url: str, data: Any) -> None:
    from luodi.rhythm.models import Meeting, WeeklyReport

    client = clients(scene)["owner"]
    url = url.replace("{objective}", str(scene.own.ids["objective_id"]))
    url = url.replace("{request}", str(scene.own.ids["request_id"]))
    before = (Meeting.objects.count(), WeeklyReport.objects.count())
    if data is not None:
        data = {k: v.replace("{unit}", str(scene.world.unit.pk)) for k, v in data.items()}
    response = client.get(url) if method == "GET" else client.post(url, data)
    assert response.status_code in (200, 302, 422), response.status_code
    if method == "GET" or "meetings" in url:
        assert (Meeting.objects.count(), WeeklyReport.objects.count()) == before


@pytest.mark.django_db
def test_a_report_form_naming_a_week_that_does_not_exist_writes_nothing(scene: Scene) -> None:
    """A typo in the week (or a stale form) must not save or submit this week's report."""
    from luodi.rhythm.models import WeeklyReport

    client = clients(scene)["viewer"]
    form = {"week": "2026-W99", "progress": "Meant for another week", "action": "submit"}
    response = client.post("/o/acme/weekly-reports/", form)
    assert response.status_code in (200, 422), response.status_code
    assert not WeeklyReport.objects.filter(user=scene.world.viewer).exists()
