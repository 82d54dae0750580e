"""Screenshots of the main pages with the demo organization, in Chinese and in English, for
people to look at: var/screenshots/<language>/<page>.png (laptop) and <page>-phone.png.

Each language loads its own demo (the loader writes the demo in one language and is
idempotent on its slug; every test here starts from an empty database)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from luodi.accounts.models import User
from luodi.demo.loader import load_demo
from tests.e2e.support import PHONE, SCREENSHOTS, missing_reason, url

if missing_reason():
    pytest.skip(missing_reason() or "", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PERSON = "wang.lei@demo.example"  # head of marketing: owns OKRs, checks in, sees the map


def ready(page: Page, name: str) -> None:
    """Wait until what the page draws after load is drawn: charts and web fonts."""
    expect(page.locator("h1")).to_be_visible()
    if name == "objective":
        expect(page.locator("[data-chart] svg").first).to_be_visible()
    elif name == "map":
        expect(page.locator("#alignment-chart canvas").first).to_be_visible()
    elif name == "dashboard":
        expect(page.locator("#dash-trend svg")).to_be_visible()
        expect(page.locator("#dash-status svg")).to_be_visible()
    page.evaluate("() => document.fonts.ready.then(() => true)")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_screenshots_of_the_main_pages(new_context, language):
    demo = load_demo(lang=language)
    org = demo.organization
    person = User.objects.get(email=PERSON)
    assert person.language == language
    pages = {
        "home": url("home", org),
        "objective": url("objective", org, pk=demo.objectives["company"]),
        "map": url("map", org),
        "dashboard": url("dashboard", org),
        "checkin": url("checkin", org),
    }
    folder = SCREENSHOTS / language
    folder.mkdir(parents=True, exist_ok=True)

    page = new_context(user=person).new_page()
    for name, path in pages.items():
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", language)
        ready(page, name)
        page.screenshot(path=folder / f"{name}.png", full_page=True)

    phone = new_context(
        user=person, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    ).new_page()
    for name in ("home", "checkin"):
        phone.goto(pages[name])
        ready(phone, name)
        phone.screenshot(path=folder / f"{name}-phone.png", full_page=True)

    for name in [*pages, "home-phone", "checkin-phone"]:
        assert (folder / f"{name}.png").stat().st_size > 10_000, name
