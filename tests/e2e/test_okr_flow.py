"""A member writes an objective with two key results, aligns it to the company objective,
checks in on both from the weekly page, and sees the objective page, the company
objective, the dashboard and the map move."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from luodi.checkins.models import CheckIn
from luodi.checkins.services import checkin_submit
from luodi.okrs.models import Alignment, KeyResult, Objective
from tests.conftest import make_metric, make_objective
from tests.e2e.support import (
    STATUS_ORDER,
    ends_with,
    map_payload,
    missing_reason,
    record_search_swaps,
    set_language,
    set_password,
    sign_in_by_form,
    url,
    wait_for_search_results,
)

if missing_reason():
    pytest.skip(missing_reason() or "", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Delight our customers"


@pytest.fixture
def company_goal(org, owner, member, cycle, unit_tree):
    """The company objective at 40% (its one key result: revenue 0 → 100, now 40)."""
    set_language(member, "en")
    set_password(member)
    goal = make_objective(
        org, owner, cycle, title="Grow revenue", level="company", unit_id=unit_tree.company.pk
    )
    revenue = make_metric(goal, owner, start="0", target="100", title="Revenue to 100")
    checkin_submit(key_result=revenue, actor=owner, value="40", confidence=8)
    goal.refresh_from_db()
    assert goal.progress == pytest.approx(0.4)
    return goal


def progress_of(page: Page) -> str:
    """The big number in the objective page's header."""
    return (page.locator(".ob-head-side .progress-number").text_content() or "").strip()


def test_write_align_check_in_and_see_everything_move(page: Page, org, member, company_goal):
    goal_url = url("objective", org, pk=company_goal.pk)

    # --- sign in; the numbers before -------------------------------------------------------
    sign_in_by_form(page, member.email)
    expect(page).to_have_url(ends_with(url("home", org)))
    expect(page.locator("h1")).to_have_text("My OKRs")
    page.goto(url("dashboard", org))
    expect(page.locator("#dash-progress")).to_have_text("40%")
    page.goto(goal_url)
    assert progress_of(page) == "40%"

    # --- write the objective and align it --------------------------------------------------
    page.goto(url("home", org))
    page.get_by_role("link", name="New objective").first.click()
    expect(page.locator("h1")).to_have_text("New objective")
    page.fill("#id_title", TITLE)
    record_search_swaps(page)
    search = page.locator("#al-q")
    search.click()  # suggestions come on focus, then narrow as one types
    expect(page.locator("#al-results")).to_be_visible()
    search.press_sequentially("Grow")
    wait_for_search_results(page, "Grow")
    option = page.locator(f"#al-results [role=option][data-parent='o{company_goal.pk}']")
    expect(option).to_be_visible()
    search.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    wait_for_search_results(page, "Grow")  # no later answer may redraw the list now
    expect(search).to_have_attribute("aria-activedescendant", f"al-opt-o{company_goal.pk}")
    search.press("Enter")  # picks the option, never submits the form
    row = page.locator(f"#al-rows .al-row[data-parent='o{company_goal.pk}']")
    expect(row).to_contain_text("Grow revenue")
    expect(row.locator("select.al-type")).to_have_value("contributes")
    page.get_by_role("button", name="Create objective").click()

    # --- two key results: a metric, and one where lower is better ----------------------------
    expect(page.locator(".message-success")).to_contain_text("Objective saved")
    page.fill("#id_title", "Net promoter score from 20 to 40")
    page.fill("#id_start", "20")
    page.fill("#id_target", "40")
    page.get_by_role("button", name="Add and write another").click()
    expect(page.locator(".message-success")).to_contain_text("Key result saved")
    page.fill("#id_title", "Complaint rate from 5% to 2%")
    page.fill("#id_start", "5")
    page.fill("#id_target", "2")
    page.fill("#id_unit", "%")
    page.get_by_role("button", name="Add key result", exact=True).click()

    expect(page.locator("h1")).to_have_text(TITLE)  # the objective page (read the DB after)
    objective = Objective.objects.get(organization=org, title=TITLE)
    nps, complaints = KeyResult.objects.filter(objective=objective).order_by("position", "id")
    expect(page).to_have_url(ends_with(url("objective", org, pk=objective.pk)))
    expect(page.locator(f"#kr-{complaints.pk}")).to_contain_text("lower is better")
    assert complaints.direction == "decrease"
    assert Alignment.objects.filter(
        child=objective, parent_objective=company_goal, type="contributes"
    ).exists()
    assert objective.owner_id == member.pk and objective.level == "individual"
    assert progress_of(page) == "0%"  # key results without check-ins count as 0

    # --- check in on both from the weekly page -------------------------------------------------
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Check-in").click()
    expect(page.locator("h1")).to_have_text("Weekly check-in")
    # The note first: see test_checkin.py::test_save_right_after_typing_a_note.
    page.fill(f"#id_kr{complaints.pk}-note", "New FAQ answers the top questions.")
    page.fill(f"#id_kr{nps.pk}-value", "30")  # (30 − 20) / (40 − 20) = 50%
    page.fill(f"#id_kr{nps.pk}-confidence", "8")
    page.fill(f"#id_kr{complaints.pk}-value", "2.9")  # (2.9 − 5) / (2 − 5) = 70%
    page.fill(f"#id_kr{complaints.pk}-confidence", "7")
    expect(page.locator(".ci-dirty")).to_have_text("2 rows will be saved")
    page.get_by_role("button", name="Save check-ins").click()
    expect(page.locator(".message-success")).to_have_text("2 key results updated.")
    assert CheckIn.objects.filter(key_result__objective=objective).count() == 2

    # --- the objective page: (50% + 70%) / 2 ---------------------------------------------------
    page.get_by_role("link", name=TITLE).first.click()
    expect(page.locator("h1")).to_have_text(TITLE)
    assert progress_of(page) == "60%"
    expect(page.locator(f"#kr-{nps.pk} .progress-number")).to_have_text("50%")
    expect(page.locator(f"#kr-{complaints.pk} .progress-number")).to_have_text("70%")
    expect(page.locator(f"#kr-{complaints.pk} .ob-kr-measure")).to_contain_text("2.9")
    expect(page.locator(".ob-head-status .status")).to_have_text("On track")

    # --- the company objective: (40% + 60%) / 2 -------------------------------------------------
    page.goto(goal_url)
    assert progress_of(page) == "50%"
    expect(page.locator(".ob-area-links")).to_contain_text(TITLE)

    # --- the dashboard: mean of the two objectives, (50% + 60%) / 2 -------------------------------
    page.goto(url("dashboard", org))
    expect(page.locator("#dash-progress")).to_have_text("55%")

    # --- the map: the new objective under the company objective, on track ------------------------
    page.goto(url("map", org))
    data = map_payload(page)
    node = data["nodes"][str(objective.pk)]
    assert node[:3] == [TITLE, 60.0, STATUS_ORDER.index("on_track")]
    assert objective.pk in data["kids"][str(company_goal.pk)]
    expect(page.locator("#alignment-chart canvas").first).to_be_visible()
    outline = page.locator("#map-outline")
    outline.locator("summary").click()  # the chart shows; the outline is one click away
    entry = outline.locator("li", has=page.get_by_role("link", name=TITLE, exact=True)).last
    expect(entry.locator(".map-dot.dot-on_track").first).to_be_attached()
    parent = outline.locator("li", has=page.get_by_role("link", name="Grow revenue")).first
    expect(parent).to_contain_text(TITLE)
    expect(page.locator(".map-legend-total")).to_have_text("2 objectives on the map")
