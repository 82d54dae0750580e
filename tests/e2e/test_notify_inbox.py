"""In a browser: marking notifications read updates the row and the header badge in
place (htmx), and the pages render without console errors."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from luodi.notify.models import Notification
from tests.e2e.support import missing_reason, set_language
from tests.notify.conftest import make_channel

if missing_reason():
    pytest.skip(missing_reason() or "", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("LUODI_SCREENSHOTS", "")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_mark_read_updates_row_and_badge(org, member, new_context, browser_errors):
    set_language(member, "en")
    for title in ("Lena commented on Revenue", "Tom checked in on Deals closed"):
        Notification.objects.create(
            organization=org,
            recipient=member,
            kind="comment.created",
            title=title,
            body="Looks good, let's keep the pace.",
            url="/o/acme/",
        )
    page = new_context(user=member).new_page()
    page.goto("/o/acme/inbox/")
    badge = page.locator("#inbox-badge .badge")
    expect(badge).to_have_text("2")
    shot(page, "inbox")
    first = page.locator(".inbox-row").first
    first.get_by_role("button", name="Mark read").click()
    expect(page.locator(".inbox-row.is-unread")).to_have_count(1)
    expect(badge).to_have_text("1")
    page.get_by_role("button", name="Mark all read").click()
    expect(page.locator(".inbox-row.is-unread")).to_have_count(0)
    expect(page.locator("#inbox-badge .badge")).to_have_count(0)
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    page.goto("/o/acme/notifications/settings/")
    shot(page, "preferences")
    browser_errors.settle()
    assert browser_errors.seen == []


def test_channel_pages_render(org, owner, new_context, browser_errors):
    set_language(owner, "en")
    make_channel(
        org,
        "https://open.feishu.cn/open-apis/bot/v2/hook/x",
        kind="feishu",
        name="Leadership chat",
        secret="s",
    )
    page = new_context(user=owner).new_page()
    page.goto("/o/acme/settings/channels/")
    expect(page.get_by_role("link", name="Leadership chat")).to_be_visible()
    shot(page, "channels")
    page.get_by_role("link", name="Leadership chat").click()
    expect(page.get_by_role("heading", name="Delivery log")).to_be_visible()
    shot(page, "channel")
    browser_errors.settle()
    assert browser_errors.seen == []
