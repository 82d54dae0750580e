"""Switching language: the page changes at once, and the choice is kept on the person —
after a reload, and after signing out and in again from another browser."""

from __future__ import annotations

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from tests.e2e.support import (
    REPO,
    ends_with,
    missing_reason,
    set_language,
    set_password,
    sign_in_by_form,
    url,
)

if missing_reason():
    pytest.skip(missing_reason() or "", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ZH_CATALOG = REPO / "src" / "luodi" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"
GUIDE_TITLE = {"zh-hans": "让战略真正落地的 OKR", "en": "OKRs that land your strategy"}


def my_okrs_label(language: str) -> str:
    """The nav label "My OKRs" as the catalogs translate it (English until zh-Hans has one)."""
    with translation.override(language):
        return translation.gettext("My OKRs")


def expect_language(page: Page, language: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", language)
    nav = page.get_by_role("navigation", name=translation_of("Main", language))
    expect(nav.get_by_role("link").first).to_have_text(my_okrs_label(language))


def translation_of(text: str, language: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


def test_switch_language_and_keep_it(new_context, org, member, cycle):
    set_language(member, "zh-hans")
    set_password(member)
    if ZH_CATALOG.exists():  # then the nav must really be in Chinese
        assert my_okrs_label("zh-hans") != "My OKRs", "the zh-Hans catalog misses 'My OKRs'"

    page = new_context(locale="zh-CN").new_page()
    sign_in_by_form(page, member.email)
    expect(page).to_have_url(ends_with(url("home", org)))
    expect_language(page, "zh-hans")
    page.goto(url("guide"))
    expect(page.locator("h1")).to_have_text(GUIDE_TITLE["zh-hans"])

    # One click: the same page, in English.
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    expect(page).to_have_url(ends_with(url("guide")))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text(GUIDE_TITLE["en"])
    expect(page.get_by_role("button", name="中文")).to_be_visible()
    member.refresh_from_db()
    assert member.language == "en"

    page.reload()
    expect(page.locator("h1")).to_have_text(GUIDE_TITLE["en"])
    page.goto(url("home", org))
    expect_language(page, "en")

    # Sign out; then sign in from a browser that asks for Chinese and has no cookie.
    page.locator("details.menu summary").click()
    with page.expect_navigation():
        page.get_by_role("button", name=translation_of("Sign out", "en")).click()
    expect(page).to_have_url(ends_with("/accounts/login/"))

    other = new_context(locale="zh-CN").new_page()
    sign_in_by_form(other, member.email)
    expect(other).to_have_url(ends_with(url("home", org)))
    expect_language(other, "en")

    # And back to Chinese.
    with other.expect_navigation():
        other.get_by_role("button", name="中文").click()
    expect(other).to_have_url(ends_with(url("home", org)))
    expect_language(other, "zh-hans")
    member.refresh_from_db()
    assert member.language == "zh-hans"
