"""The inbox, the unread badge, the preference table and the channel pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from luodi.notify.events import EventKind
from luodi.notify.models import Channel, Delivery, Notification, NotificationPreference
from tests.notify.conftest import make_channel


def url(name: str, org: str = "acme", **kwargs: object) -> str:
    return reverse(name, kwargs={"org": org, **kwargs})


def note(user, org, title: str = "Hello", url: str = "/o/acme/", **fields) -> Notification:
    return Notification.objects.create(
        organization=org, recipient=user, kind="mention", title=title, url=url, **fields
    )


# the inbox


@pytest.mark.django_db
def test_inbox_lists_mine_newest_first(client, org, member, owner, other_org):
    note(member, org, "First")
    note(member, org, "Second")
    note(owner, org, "Not mine")
    note(member, other_org, "Other organization")
    client.force_login(member)
    response = client.get(url("web:notify-inbox"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Second") < html.index("First")
    assert "Not mine" not in html and "Other organization" not in html


@pytest.mark.django_db
def test_inbox_times_are_the_organizations(client, org, member):
    from datetime import UTC, datetime

    org.timezone = "Asia/Shanghai"
    org.save(update_fields=["timezone"])
    row = note(member, org, "Lunch-time comment")
    Notification.objects.filter(pk=row.pk).update(
        created_at=datetime(2026, 11, 24, 5, 1, tzinfo=UTC)
    )
    client.force_login(member)
    html = client.get(url("web:notify-inbox")).content.decode()
    assert "1:01 p.m." in html  # 05:01 UTC is 13:01 in Shanghai
    assert "5:01 a.m." not in html


@pytest.mark.django_db
def test_inbox_of_another_organization_is_404(client, org, other_org, other_owner):
    client.force_login(other_owner)
    assert client.get(url("web:notify-inbox")).status_code == 404


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client, org):
    response = client.get(url("web:notify-inbox"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_badge_in_the_header_counts_unread_of_this_organization(
    client, org, member, other_org, owner
):
    note(member, org)
    note(member, org)
    note(member, org, read_at="2026-01-01T00:00:00Z")
    note(member, other_org)  # the badge is per organization
    client.force_login(member)
    html = client.get(url("web:home")).content.decode()
    assert 'id="inbox-badge"' in html
    assert (
        '<span class="badge" aria-hidden="true">2</span><span class="sr-only">2 unread</span>'
        in html
    )


@pytest.mark.django_db
def test_no_badge_number_when_all_read(client, org, member):
    note(member, org, read_at="2026-01-01T00:00:00Z")
    client.force_login(member)
    html = client.get(url("web:home")).content.decode()
    assert 'id="inbox-badge"' in html and "unread" not in html.split('id="inbox-badge"')[1][:200]


@pytest.mark.django_db
def test_mark_one_read_without_js(client, org, member):
    n = note(member, org)
    client.force_login(member)
    response = client.post(url("web:notify-inbox-read", pk=n.pk))
    assert response.status_code == 302
    n.refresh_from_db()
    assert n.read_at is not None


@pytest.mark.django_db
def test_mark_one_read_with_htmx_answers_the_row_and_the_badge(client, org, member):
    n = note(member, org)
    note(member, org, "Still unread")
    client.force_login(member)
    response = client.post(url("web:notify-inbox-read", pk=n.pk), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert f'id="notification-{n.pk}"' in html and "is-unread" not in html
    assert 'hx-swap-oob="true"' in html and '<span class="sr-only">1 unread</span>' in html


@pytest.mark.django_db
def test_someone_elses_notification_is_404(client, org, member, owner):
    theirs = note(owner, org)
    client.force_login(member)
    assert client.post(url("web:notify-inbox-read", pk=theirs.pk)).status_code == 404
    assert client.get(url("web:notify-inbox-open", pk=theirs.pk)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.django_db
def test_mark_all_read(client, org, member, other_org):
    note(member, org)
    note(member, org)
    elsewhere = note(member, other_org)
    client.force_login(member)
    response = client.post(url("web:notify-inbox-read-all"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert Notification.objects.filter(organization=org, read_at__isnull=True).count() == 0
    elsewhere.refresh_from_db()
    assert elsewhere.read_at is None  # only this organization's inbox


@pytest.mark.django_db
def test_open_marks_read_and_follows_only_local_links(client, org, member):
    local = note(member, org, url="/o/acme/objectives/3/#comment-1")
    outside = note(member, org, url="https://evil.example/")
    client.force_login(member)
    response = client.get(url("web:notify-inbox-open", pk=local.pk))
    assert response["Location"] == "/o/acme/objectives/3/#comment-1"
    local.refresh_from_db()
    assert local.read_at is not None
    response = client.get(url("web:notify-inbox-open", pk=outside.pk))
    assert response["Location"] == url("web:notify-inbox")


@pytest.mark.django_db
def test_inbox_query_count_is_constant(client, org, member, django_assert_num_queries):
    client.force_login(member)
    note(member, org)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url("web:notify-inbox")).status_code == 200
    for i in range(40):
        note(member, org, f"N{i}")
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url("web:notify-inbox")).status_code == 200


# preferences


@pytest.mark.django_db
def test_preferences_page_shows_defaults_and_saves(client, org, member):
    client.force_login(member)
    html = client.get(url("web:notify-settings")).content.decode()
    assert 'name="email:mention" id="email-2" checked' in html
    assert 'name="email:checkin.created" id="email-3" checked' not in html
    data = {f"inbox:{kind}": "on" for kind in EventKind.values}
    data.pop("inbox:comment.liked")
    data["email:checkin.created"] = "on"
    response = client.post(url("web:notify-settings"), data)
    assert response.status_code == 302
    rows = {
        (p.kind, p.inbox, p.email)
        for p in NotificationPreference.objects.filter(user=member, organization=org)
    }
    # Only what differs from the defaults is stored: mention etc. lost their e-mail.
    assert ("comment.liked", False, False) in rows
    assert ("checkin.created", True, True) in rows
    assert ("mention", True, False) in rows


# channels (administration)

CHANNEL_PAGES = ["web:settings-channels"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "expected"),
    [("owner", 200), ("admin", 200), ("member", 403), ("viewer", 403), ("other_owner", 404)],
)
def test_channel_pages_permission_matrix(client, org, other_org, persona, expected, request):
    request.getfixturevalue("admin")
    request.getfixturevalue("member")
    request.getfixturevalue("viewer")
    channel = make_channel(org, "https://hooks.example/x")
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url("web:settings-channels")).status_code == expected
    assert client.get(url("web:settings-channel", pk=channel.pk)).status_code == expected
    for name in ("web:settings-channel-toggle", "web:settings-channel-test"):
        if expected != 200:
            assert client.post(url(name, pk=channel.pk)).status_code == expected
    if expected != 200:
        assert client.post(url("web:settings-channel-delete", pk=channel.pk)).status_code == (
            expected
        )
        assert Channel.objects.filter(pk=channel.pk, enabled=True).exists()


@pytest.mark.django_db
def test_channel_pages_anonymous_redirects(client, org):
    assert client.get(url("web:settings-channels")).status_code == 302


@pytest.mark.django_db
def test_admin_creates_a_channel_secret_never_shown(client, org, owner):
    client.force_login(owner)
    response = client.post(
        url("web:settings-channels"),
        {
            "name": "Team chat",
            "kind": "feishu",
            "url": "https://open.feishu.cn/open-apis/bot/v2/hook/abc",
            "secret": "top-secret-value",
            "events": ["checkin.created", "mention"],
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    channel = Channel.objects.get()
    assert channel.secret == "top-secret-value"
    assert channel.events == ["checkin.created", "mention"]
    assert channel.created_by == owner
    for page in (url("web:settings-channels"), url("web:settings-channel", pk=channel.pk)):
        html = client.get(page).content.decode()
        assert "top-secret-value" not in html
        assert "Team chat" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("url", "http://hooks.example/plain-http"),
        ("url", "ftp://hooks.example/"),
        ("url", "not a url"),
        ("kind", "telegram"),
        ("events", ["no.such.event"]),
    ],
)
def test_bad_channel_input_is_refused(client, org, owner, field, value):
    client.force_login(owner)
    data = {"kind": "slack", "url": "https://hooks.slack.com/services/x", "events": ["mention"]}
    data[field] = value
    response = client.post(url("web:settings-channels"), data)
    assert response.status_code == 200
    assert "Nothing was saved" in response.content.decode()
    assert Channel.objects.count() == 0


@pytest.mark.django_db
def test_edit_keeps_the_secret_unless_told(client, org, owner):
    channel = make_channel(org, "https://hooks.example/x", secret="keep-me", name="C")
    client.force_login(owner)
    data = {"kind": "feishu", "url": "https://hooks.example/y", "events": ["mention"]}
    assert client.post(url("web:settings-channel", pk=channel.pk), data).status_code == 302
    channel.refresh_from_db()
    assert (channel.url, channel.secret, channel.events) == (
        "https://hooks.example/y",
        "keep-me",
        ["mention"],
    )
    client.post(url("web:settings-channel", pk=channel.pk), {**data, "clear_secret": "on"})
    channel.refresh_from_db()
    assert channel.secret == ""


@pytest.mark.django_db
def test_generic_webhook_needs_a_secret(client, org, owner):
    client.force_login(owner)
    data = {"kind": "webhook", "url": "https://hooks.example/y", "events": ["mention"]}
    response = client.post(url("web:settings-channels"), data)
    assert "receivers check X-Luodi-Signature" in response.content.decode()
    assert Channel.objects.count() == 0
    client.post(url("web:settings-channels"), {**data, "secret": "s"})
    channel = Channel.objects.get()
    edit = {**data, "secret": "", "clear_secret": "on"}
    client.post(url("web:settings-channel", pk=channel.pk), edit)
    channel.refresh_from_db()
    assert channel.secret == "s"


@pytest.mark.django_db
def test_unit_of_another_organization_is_refused(client, org, owner, other_org, other_owner):
    from luodi.orgs.services import unit_create

    theirs = unit_create(organization=other_org, actor=other_owner, name="T", kind="team")
    client.force_login(owner)
    data = {
        "kind": "slack",
        "url": "https://hooks.slack.com/x",
        "events": ["mention"],
        "unit_id": theirs.pk,
    }
    client.post(url("web:settings-channels"), data)
    assert Channel.objects.count() == 0


@pytest.mark.django_db
def test_toggle_delete_and_other_organizations_channel(client, org, owner, other_org, other_owner):
    mine = make_channel(org, "https://hooks.example/x")
    theirs = make_channel(other_org, "https://hooks.example/t")
    client.force_login(owner)
    client.post(url("web:settings-channel-toggle", pk=mine.pk))
    mine.refresh_from_db()
    assert mine.enabled is False
    assert client.get(url("web:settings-channel", pk=theirs.pk)).status_code == 404
    assert client.post(url("web:settings-channel-delete", pk=theirs.pk)).status_code == 404
    client.post(url("web:settings-channel-delete", pk=mine.pk))
    assert list(Channel.objects.all()) == [theirs]


@pytest.mark.django_db
def test_send_test_and_the_delivery_log(client, org, owner, httpserver):
    httpserver.expect_request("/ok").respond_with_data("ok")
    httpserver.expect_request("/down").respond_with_data("nope", status=502)
    good = make_channel(org, httpserver.url_for("/ok"))
    bad = make_channel(org, httpserver.url_for("/down"))
    client.force_login(owner)
    response = client.post(url("web:settings-channel-test", pk=good.pk), follow=True)
    assert "Test message delivered." in response.content.decode()
    response = client.post(url("web:settings-channel-test", pk=bad.pk), follow=True)
    html = response.content.decode()
    assert "The test message failed: HTTP 502" in html
    assert "Failed" in html  # the delivery log
    failed = Delivery.objects.get(channel=bad)
    assert (failed.status, failed.attempts) == ("failed", 1)  # a test is not retried
    assert Delivery.objects.get(channel=good).status == "delivered"


@pytest.mark.django_db
def test_channel_list_query_count_is_constant(client, org, owner, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(owner)
    make_channel(org, "https://hooks.example/0")
    with CaptureQueriesContext(connection) as few:
        client.get(url("web:settings-channels"))
    for i in range(1, 8):
        channel = make_channel(org, f"https://hooks.example/{i}")
        Delivery.objects.create(organization=org, channel=channel, event="mention")
    with django_assert_num_queries(len(few.captured_queries) + 1):  # + the deliveries read
        client.get(url("web:settings-channels"))
