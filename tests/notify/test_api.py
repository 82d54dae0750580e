"""The notification endpoints: my notifications, and an organization's channels."""

from __future__ import annotations

import pytest

from luodi.notify.models import Channel, Delivery, Notification
from tests.api.conftest import Api
from tests.notify.conftest import make_channel


def note(user, org, title: str = "Hello", **fields) -> Notification:
    return Notification.objects.create(
        organization=org, recipient=user, kind="mention", title=title, url="/o/x/", **fields
    )


CHANNEL = {
    "kind": "dingtalk",
    "url": "https://oapi.dingtalk.com/robot/send?access_token=abc",
    "secret": "SEC-do-not-show",
    "events": ["checkin.created", "mention"],
}


# my notifications


@pytest.mark.django_db
def test_my_notifications_newest_first_mine_only(org, member, owner, other_org):
    first = note(member, org, "First")
    second = note(member, org, "Second", read_at="2026-01-01T00:00:00Z")
    note(owner, org, "Not mine")
    response = Api(member).get("/me/notifications")
    assert response.status_code == 200
    body = response.json()
    assert [n["id"] for n in body["items"]] == [second.pk, first.pk]
    assert body["next"] is None
    item = body["items"][1]
    assert set(item) >= {"id", "kind", "title", "url", "created_at", "read_at"}
    assert item["organization"] == "acme" and item["read_at"] is None
    unread = Api(member).get("/me/notifications?unread=true").json()["items"]
    assert [n["id"] for n in unread] == [first.pk]


@pytest.mark.django_db
def test_notifications_of_an_organization_i_left_are_hidden(org, member, other_org):
    note(member, other_org, "From before")  # member never belonged to other_org
    assert Api(member).get("/me/notifications").json()["items"] == []


@pytest.mark.django_db
def test_cursor_walks_every_notification_once(org, member):
    ids = [note(member, org, f"N{i}").pk for i in range(5)]
    api = Api(member)
    seen, cursor = [], None
    while True:
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        body = api.get("/me/notifications" + query).json()
        seen += [n["id"] for n in body["items"]]
        cursor = body["next"]
        if cursor is None:
            break
    assert seen == sorted(ids, reverse=True)
    assert api.get("/me/notifications?cursor=garbage").status_code == 422


@pytest.mark.django_db
def test_mark_read_by_ids_and_all(org, member, owner):
    a, b, c = note(member, org), note(member, org), note(member, org)
    theirs = note(owner, org)
    api = Api(member)
    response = api.post("/me/notifications/read", {"ids": [a.pk, theirs.pk]})
    assert response.json() == {"updated": 1}
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert api.post("/me/notifications/read", {}).json() == {"updated": 2}
    assert not Notification.objects.filter(recipient=member, read_at__isnull=True).exists()
    assert {b.pk, c.pk}


@pytest.mark.django_db
def test_mark_read_bad_input(org, member):
    api = Api(member)
    assert api.post("/me/notifications/read", {"ids": ["x"]}).status_code == 422
    assert api.post("/me/notifications/read", {"ids": 3}).status_code == 422
    assert api.post("/me/notifications/read", {"other": 1}).status_code == 422
    assert Api().get("/me/notifications").status_code == 401


# channels


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "read", "write"),
    [
        ("owner", 200, 201),
        ("admin", 200, 201),
        ("member", 403, 403),
        ("viewer", 403, 403),
        ("outsider", 404, 404),
        ("anonymous", 401, 401),
    ],
)
def test_channel_permission_matrix(world, persona, read, write):
    channel = make_channel(world.org, "https://hooks.example/x")
    api = world.api(persona)
    assert api.get("/orgs/acme/channels").status_code == read
    assert api.get(f"/orgs/acme/channels/{channel.pk}/deliveries").status_code == read
    assert api.get(f"/orgs/acme/channels/{channel.pk}").status_code == read
    response = api.post("/orgs/acme/channels", CHANNEL)
    assert response.status_code == write, response.content
    assert Channel.objects.count() == (2 if write == 201 else 1)
    patched = api.patch(f"/orgs/acme/channels/{channel.pk}", {"enabled": False})
    assert patched.status_code == read


@pytest.mark.django_db
def test_secret_is_never_returned(world):
    api = world.api("owner")
    response = api.post("/orgs/acme/channels", CHANNEL)
    assert response.status_code == 201
    created = response.json()
    assert "secret" not in created and created["has_secret"] is True
    assert created["events"] == ["checkin.created", "mention"]
    for path in ("/orgs/acme/channels", f"/orgs/acme/channels/{created['id']}"):
        assert "SEC-do-not-show" not in api.get(path).content.decode()
    assert Channel.objects.get().secret == "SEC-do-not-show"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "telegram"}, "kind"),
        ({"url": "http://hooks.example/plain"}, "url"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"events": []}, "events"),
        ({"events": ["nope"]}, "events"),
        ({"unit_id": "{other_unit}"}, "unit_id"),
        ({"secret": 5}, "secret"),
        ({"kind": "webhook", "secret": None}, "secret"),  # API.md: webhooks are signed
    ],
)
def test_bad_channel_is_422_and_nothing_saved(world, change, field):
    body = {**CHANNEL, **change}
    if body.get("unit_id") == "{other_unit}":
        body["unit_id"] = world.other_unit.pk
    response = world.api("owner").post("/orgs/acme/channels", body)
    assert response.status_code == 422, response.content
    assert field in response.json()["error"]["fields"]
    assert Channel.objects.count() == 0


@pytest.mark.django_db
def test_local_http_is_allowed_for_development(world):
    body = {**CHANNEL, "url": "http://127.0.0.1:9000/hook"}
    assert world.api("owner").post("/orgs/acme/channels", body).status_code == 201


@pytest.mark.django_db
def test_other_organizations_channel_is_404(world):
    theirs = make_channel(world.other_org, "https://hooks.example/t")
    api = world.api("owner")
    assert api.get(f"/orgs/acme/channels/{theirs.pk}").status_code == 404
    assert api.get(f"/orgs/acme/channels/{theirs.pk}/deliveries").status_code == 404
    assert api.delete(f"/orgs/acme/channels/{theirs.pk}").status_code == 404
    assert Channel.objects.filter(pk=theirs.pk).exists()


@pytest.mark.django_db
def test_patch_secret_and_delete(world):
    channel = make_channel(world.org, "https://hooks.example/x", kind="slack", secret="s1")
    api = world.api("admin")
    response = api.patch(f"/orgs/acme/channels/{channel.pk}", {"name": "Renamed"})
    assert response.json()["name"] == "Renamed" and response.json()["has_secret"] is True
    response = api.patch(f"/orgs/acme/channels/{channel.pk}", {"secret": None})
    assert response.json()["has_secret"] is False
    assert api.delete(f"/orgs/acme/channels/{channel.pk}").status_code == 204
    assert not Channel.objects.exists()


@pytest.mark.django_db
def test_delivery_log_newest_first(world):
    channel = make_channel(world.org, "https://hooks.example/x")
    older = Delivery.objects.create(
        organization=world.org,
        channel=channel,
        event="mention",
        status="failed",
        attempts=5,
        last_error="HTTP 500: boom",
    )
    newer = Delivery.objects.create(organization=world.org, channel=channel, event="mention")
    items = world.api("owner").get(f"/orgs/acme/channels/{channel.pk}/deliveries").json()["items"]
    assert [d["id"] for d in items] == [newer.pk, older.pk]
    assert items[1] | {} == {
        "id": older.pk,
        "event": "mention",
        "status": "failed",
        "attempts": 5,
        "last_error": "HTTP 500: boom",
        "created_at": items[1]["created_at"],
        "next_attempt_at": None,
        "delivered_at": None,
    }
