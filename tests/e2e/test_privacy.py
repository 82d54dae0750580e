"""A member who may not see a colleague's private objective finds it nowhere: not on their
home page, the unit pages, the map, the alignment search, the check-in page, the dashboard
— and its address answers 404. An admin, who may see it, finds it (so the absence means
something)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from luodi.checkins.services import checkin_submit
from tests.conftest import make_metric, make_objective
from tests.e2e.support import (
    map_payload,
    missing_reason,
    record_search_swaps,
    set_language,
    url,
    wait_for_search_results,
)

if missing_reason():
    pytest.skip(missing_reason() or "", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRETS = ("Secret plan", "Hidden metric")


@pytest.fixture
def okrs(org, owner, member, cycle, unit_tree):
    """Carl (in the member's team) has a public and a private objective, both aligned to the
    company objective; the private one's key result is off track and lists the member as a
    contributor — still not enough to see it."""
    set_language(member, "en")
    set_language(owner, "en")
    carl = unit_tree.colleague
    company = make_objective(
        org, owner, cycle, title="Double revenue", level="company", unit_id=unit_tree.company.pk
    )
    make_metric(company, owner, title="Revenue doubled")
    public = make_objective(
        org,
        carl,
        cycle,
        title="Public plan",
        level="individual",
        alignments=[{"parent_objective_id": company.pk}],
    )
    checkin_submit(
        key_result=make_metric(public, carl, title="Visible metric"),
        actor=carl,
        value="50",
        confidence=8,
    )
    secret = make_objective(
        org,
        carl,
        cycle,
        title="Secret plan",
        level="individual",
        visibility="private",
        alignments=[{"parent_objective_id": company.pk}],
    )
    hidden = make_metric(secret, carl, title="Hidden metric", contributor_ids=[member.pk])
    checkin_submit(key_result=hidden, actor=carl, value="1", confidence=2)  # off track
    mine = make_objective(org, member, cycle, title="Learn the platform", level="individual")
    make_metric(mine, member, title="Read the code")
    return {"company": company, "public": public, "secret": secret, "hidden": hidden}


def shows_no_secret(page: Page, path: str) -> str:
    """Open the page as the member; nothing of the private objective is in it, not even in
    hidden markup or chart data. Returns the HTML."""
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    html = page.content()
    for secret in SECRETS:
        assert secret not in html, f"{secret!r} shows on {path}"
    return html


def test_private_objective_is_nowhere_for_a_member(
    new_context, browser_errors, org, owner, member, unit_tree, okrs
):
    secret, hidden, company = okrs["secret"], okrs["hidden"], okrs["company"]
    page = new_context(user=member).new_page()

    # Lists: home, the unit tree, every unit on the way up, the company objective's page.
    html = shows_no_secret(page, url("home", org))
    assert "Learn the platform" in html
    html = shows_no_secret(page, url("units", org))
    assert "Platform" in html
    html = shows_no_secret(page, url("unit", org, pk=unit_tree.team.pk))
    assert "Public plan" in html  # Carl's team lists his public objective
    for unit in (unit_tree.dept, unit_tree.company):
        shows_no_secret(page, url("unit", org, pk=unit.pk))
    html = shows_no_secret(page, url("objective", org, pk=company.pk))
    assert "Public plan" in html  # its visible child is linked

    # The map: neither the chart data nor the outline.
    shows_no_secret(page, url("map", org))
    data = map_payload(page)
    assert str(secret.pk) not in data["nodes"]
    assert secret.pk not in data["kids"].get(str(company.pk), [])
    assert str(okrs["public"].pk) in data["nodes"]

    # The search the objective form uses to find a parent.
    page.goto(url("objective-new", org))
    record_search_swaps(page)
    page.locator("#al-q").fill("plan")
    wait_for_search_results(page, "plan")
    results = page.locator("#al-results")
    expect(results.get_by_role("option", name="Public plan")).to_be_visible()
    for text in SECRETS:
        expect(results).not_to_contain_text(text)
    for q in ("Secret", "Hidden", "plan"):
        shows_no_secret(page, url("alignment-search", org) + f"?q={q}")

    # The weekly check-in (the member contributes to the hidden key result) and the dashboard.
    html = shows_no_secret(page, url("checkin", org))
    assert "Read the code" in html
    shows_no_secret(page, url("dashboard", org))
    expect(page.locator("#dash-at-risk")).to_have_text("0")

    # Its addresses.
    for path in (
        url("objective", org, pk=secret.pk),
        url("objective-edit", org, pk=secret.pk),
        url("key-result-checkin", org, pk=hidden.pk),
        url("key-result-edit", org, pk=hidden.pk),
    ):
        browser_errors.expect_404(path)
        response = page.goto(path)
        assert response is not None and response.status == 404, path
        for text in SECRETS:
            assert text not in page.content()

    # An admin sees it in the same places: the checks above are not empty.
    admin_page = new_context(user=owner).new_page()
    admin_page.goto(url("dashboard", org))
    expect(admin_page.locator(".dash-risk")).to_contain_text("Hidden metric")
    admin_page.goto(url("map", org))
    assert str(secret.pk) in map_payload(admin_page)["nodes"]
    admin_page.goto(url("objective", org, pk=secret.pk))
    expect(admin_page.locator("h1")).to_have_text("Secret plan")
