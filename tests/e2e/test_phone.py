"""At phone width (390 × 844) the main pages fit: nothing makes the page scroll sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.support import PHONE, missing_reason, no_horizontal_scroll, url

if missing_reason():
    pytest.skip(missing_reason() or "", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_main_pages_fit_a_phone(new_context, org, member, member_okrs):
    page = new_context(
        user=member, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    ).new_page()
    pages = {
        "home": url("home", org),
        "objective": url("objective", org, pk=member_okrs.objective.pk),
        "checkin": url("checkin", org),
        "map": url("map", org),
        "dashboard": url("dashboard", org),
    }
    too_wide = {}
    for name, path in pages.items():
        page.goto(path)
        expect(page.locator("h1")).to_be_visible()
        scroll_width, client_width = no_horizontal_scroll(page)
        assert client_width == PHONE["width"], name
        if scroll_width > client_width:
            too_wide[name] = scroll_width
    assert too_wide == {}, f"pages wider than the phone ({PHONE['width']} px): {too_wide}"

    # The objective page keeps its key results and their check-in action in reach.
    page.goto(pages["objective"])
    kr = page.locator(f"#kr-{member_okrs.accounts.pk}")
    expect(kr.get_by_role("link", name="Check in")).to_be_visible()
    box = kr.get_by_role("link", name="Check in").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def test_tabbing_through_the_check_in_never_hides_the_field_under_the_save_bar(
    new_context, org, member, member_okrs
):
    # A phone with the on-screen keyboard open shows about this much of the page.
    short_phone = {"width": PHONE["width"], "height": 600}
    page = new_context(user=member, viewport=short_phone, is_mobile=True, has_touch=True).new_page()
    page.goto(url("checkin", org))
    covered = []
    for _ in range(9):  # value, confidence and note of the three rows
        page.keyboard.press("Tab")
        where = page.evaluate(
            """async () => {
                // Let the browser finish scrolling the focused field into view first.
                for (let i = 0; i < 3; i++) await new Promise((r) => requestAnimationFrame(r));
                const field = document.activeElement;
                if (!field.matches("input, select, textarea")) return [field.id, true];
                const box = field.getBoundingClientRect();
                const x = box.x + box.width / 2, y = box.y + box.height / 2;
                const hit = document.elementFromPoint(x, y);
                return [field.id, field === hit || field.contains(hit)];
            }"""
        )
        if not where[1]:
            covered.append(where[0])
    assert covered == []
