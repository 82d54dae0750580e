"""The weekly check-in in a browser: one bad row saves nothing and keeps what was typed;
the whole page works from the keyboard."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from luodi.checkins.models import CheckIn
from tests.e2e.support import missing_reason, url

if missing_reason():
    pytest.skip(missing_reason() or "", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def field(page: Page, kr, name: str):
    return page.locator(f"#id_kr{kr.pk}-{name}")


def focused_id(page: Page) -> str:
    return page.evaluate("() => document.activeElement && document.activeElement.id")


def test_one_bad_row_saves_nothing_keeps_what_was_typed_then_saves(
    new_context, org, member, member_okrs
):
    okrs = member_okrs
    page = new_context(user=member).new_page()
    page.goto(url("checkin", org))
    expect(page.locator("h1")).to_have_text("Weekly check-in")
    before = CheckIn.objects.count()

    field(page, okrs.accounts, "value").fill("35")
    field(page, okrs.accounts, "confidence").fill("8")
    field(page, okrs.accounts, "note").fill("Two more customers moved over.")
    field(page, okrs.docs, "value").fill("4")
    field(page, okrs.errors, "note").fill("Blocked on the CSV parser.")  # but no new value
    confidence = field(page, okrs.errors, "confidence")
    confidence.fill("11")

    # The browser itself refuses confidence 11 (max=10): the form does not go out.
    page.get_by_role("button", name="Save check-ins").click()
    assert confidence.evaluate("(input) => input.validity.rangeOverflow") is True
    assert page.evaluate("() => document.getElementById('checkin-form').checkValidity()") is False

    # A browser that does not check (or a person who gets past it) reaches the server, which
    # answers beside the row: no value in a touched row, confidence out of range.
    page.evaluate("() => { document.getElementById('checkin-form').noValidate = true; }")
    with page.expect_navigation():
        page.get_by_role("button", name="Save check-ins").click()
    assert CheckIn.objects.count() == before  # nothing saved, not even the good rows
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("1 row needs attention; nothing was saved yet.")
    expect(summary.get_by_role("link", name="Import errors per week")).to_be_visible()
    bad_row = page.locator(f"#ci-row-{okrs.errors.pk}")
    expect(bad_row).to_have_class(re.compile(r"\bhas-error\b"))
    expect(bad_row.locator(".ci-field-value .errorlist")).to_have_text("Enter the new value.")
    expect(bad_row.locator(".ci-field-confidence .errorlist")).to_have_text(
        "Confidence is a whole number from 0 to 10."
    )
    for good in (okrs.accounts, okrs.docs):
        expect(page.locator(f"#ci-row-{good.pk} .errorlist")).to_have_count(0)
    # Everything typed is still there, in every row.
    expect(field(page, okrs.accounts, "value")).to_have_value("35")
    expect(field(page, okrs.accounts, "confidence")).to_have_value("8")
    expect(field(page, okrs.accounts, "note")).to_have_value("Two more customers moved over.")
    expect(field(page, okrs.docs, "value")).to_have_value("4")
    expect(field(page, okrs.errors, "note")).to_have_value("Blocked on the CSV parser.")
    expect(field(page, okrs.errors, "confidence")).to_have_value("11")
    # The cursor waits in the first field to fix.
    assert focused_id(page) == f"id_kr{okrs.errors.pk}-value"

    # Fix the row and save all three.
    field(page, okrs.errors, "value").fill("42")
    field(page, okrs.errors, "confidence").fill("4")
    page.get_by_role("button", name="Save check-ins").click()
    expect(page.locator(".message-success")).to_have_text("3 key results updated.")
    expect(page.get_by_role("alert")).to_have_count(0)
    saved = {c.key_result_id: c for c in CheckIn.objects.filter(author=member).order_by("id")}
    assert CheckIn.objects.count() == before + 3
    assert saved[okrs.accounts.pk].value == Decimal("35")
    assert saved[okrs.accounts.pk].confidence == 8
    assert saved[okrs.errors.pk].value == Decimal("42")
    assert saved[okrs.errors.pk].note == "Blocked on the CSV parser."
    assert saved[okrs.docs.pk].value == Decimal("4")
    expect(page.locator(f"#ci-row-{okrs.errors.pk} .ci-fresh")).to_be_visible()


def test_check_in_with_the_keyboard_only(new_context, org, member, member_okrs):
    okrs = member_okrs
    page = new_context(user=member).new_page()
    page.goto(url("checkin", org))
    value = field(page, okrs.accounts, "value")
    expect(value).to_be_focused()  # the page starts where the work is

    # From the heading, Tab reaches the first value in a few steps.
    page.locator("h1").click()
    for _ in range(10):
        page.keyboard.press("Tab")
        if focused_id(page) == value.get_attribute("id"):
            break
    expect(value).to_be_focused()
    outline = value.evaluate("(el) => getComputedStyle(el).outlineStyle")
    assert outline != "none", "the focused field shows where the keyboard is"
    page.keyboard.type("40")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # Enter in a value saves the form
    expect(page.locator(".message-success")).to_have_text("1 key result updated.")
    assert CheckIn.objects.filter(key_result=okrs.accounts).latest("id").value == Decimal("40")

    # Value, Tab, confidence, Tab, note, Enter: the note's Enter saves too.
    expect(value).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("45")
    page.keyboard.press("Tab")
    expect(field(page, okrs.accounts, "confidence")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("9")
    page.keyboard.press("Tab")
    expect(field(page, okrs.accounts, "note")).to_be_focused()
    page.keyboard.type("Half of the accounts are in.")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".message-success")).to_have_text("1 key result updated.")
    latest = CheckIn.objects.filter(key_result=okrs.accounts).latest("id")
    assert (latest.value, latest.confidence, latest.note) == (
        Decimal("45"),
        9,
        "Half of the accounts are in.",
    )


def test_save_right_after_typing_a_note(new_context, org, member, member_okrs):
    okrs = member_okrs
    page = new_context(user=member).new_page()
    page.goto(url("checkin", org))
    field(page, okrs.accounts, "value").fill("30")
    field(page, okrs.accounts, "note").fill("Typed last, then clicked Save.")
    # A click in the lower half of the button, as people click: the note shrinks by 16 px
    # when it loses focus, which carries the button out from under the pointer.
    page.get_by_role("button", name="Save check-ins").click(position={"x": 20, "y": 26})
    expect(page.locator(".message-success")).to_have_text("1 key result updated.", timeout=5000)
