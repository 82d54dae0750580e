"""What the browser tests share besides fixtures: where Chromium is, why a module skips,
how a person signs in, and how the pages are addressed."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import BrowserContext, Page

from luodi.accounts.models import User
from tests.conftest import merged_map_data

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO = Path(__file__).resolve().parents[2]
VENDOR_HTMX = REPO / "src" / "luodi" / "static" / "vendor" / "htmx.min.js"
SCREENSHOTS = REPO / "var" / "screenshots"

LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}

# Generous: other test runs keep this machine busy. Tests wait on conditions, never sleep.
ACTION_TIMEOUT_MS = 15_000
NAVIGATION_TIMEOUT_MS = 30_000

PASSWORD = "pw-12345678"  # tests/conftest.py make_user()
STATUS_ORDER = ["not_started", "on_track", "at_risk", "off_track", "done"]


def missing_reason() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is not installed (CI installs Debian's chromium; see .ci/run)"
    if not VENDOR_HTMX.exists():
        return f"{VENDOR_HTMX.relative_to(REPO)} is missing: run `make install` first"
    return None


def url(name: str, org: Any = None, **kwargs: Any) -> str:
    """A path of the web app; `org` is an Organization or a slug."""
    if org is not None:
        kwargs["org"] = getattr(org, "slug", org)
    return reverse(f"web:{name}", kwargs=kwargs)


def sign_in_by_cookie(context: BrowserContext, base_url: str, user: User) -> None:
    """Give the browser a signed-in session without going through the form (the form has
    its own test): faster, and the flows under test stay the point of each test."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}]
    )


def sign_in_by_form(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("#main form button[type=submit]")


def set_language(user: User, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])


def set_password(user: User, password: str = PASSWORD) -> None:
    """Members added by an admin have no password until they accept; give them one."""
    user.set_password(password)
    user.save(update_fields=["password"])


def map_payload(page: Page) -> dict:
    """The alignment map's chart data as map.js puts it together."""
    live = json.loads(page.locator("#map-data").text_content() or "")
    frame = json.loads(page.locator("#map-frame").text_content() or "")
    return merged_map_data(live, frame)


def record_search_swaps(page: Page) -> None:
    """Note the address of every answer the alignment picker draws (see below)."""
    page.evaluate(
        """() => document.body.addEventListener("htmx:afterSettle", (event) => {
            if (event.detail.target.id !== "al-results") return;
            (window.__alSwaps = window.__alSwaps || []).push(event.detail.xhr.responseURL);
        })"""
    )


def wait_for_search_results(page: Page, q: str) -> None:
    """Wait until the picker shows the answer to `q`: an earlier answer (to the focus, or to
    fewer letters) may still arrive and redraw the list under the keyboard."""
    page.wait_for_function(
        """(q) => {
            const swaps = window.__alSwaps || [];
            const last = swaps[swaps.length - 1];
            const busy = document.querySelector("#al-q").classList.contains("htmx-request");
            return !busy && last !== undefined && new URL(last).searchParams.get("q") === q;
        }""",
        arg=q,
    )


def no_horizontal_scroll(page: Page) -> tuple[int, int]:
    """(scrollWidth, clientWidth) of the document."""
    return page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )


def ends_with(path: str) -> re.Pattern[str]:
    """For expect(page).to_have_url(): this path, on whatever host and port."""
    return re.compile(re.escape(path) + r"(#.*)?$")
