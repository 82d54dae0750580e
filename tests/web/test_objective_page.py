"""The objective page and the check-in on one key result (dialog with htmx, page without)."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from luodi.checkins.models import CheckIn
from luodi.okrs.services import key_result_update
from tests.okrs.factories import check_in, contributes, key_result, objective, progress_of

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def page_url(org, obj) -> str:
    return reverse("web:objective", kwargs={"org": org.slug, "pk": obj.pk})


def checkin_url(org, kr) -> str:
    return reverse("web:key-result-checkin", kwargs={"org": org.slug, "pk": kr.pk})


@pytest.fixture
def tree(org, owner, member, cycle):
    """company ← member's objective (contributes, weight 2) ← nothing; a roll-up KR on the
    company objective fed by another member objective."""
    company = objective(org, owner, cycle, "Win the market")
    revenue = key_result(company, owner, title="Revenue to 10M", start=Decimal(0), target=10)
    teams = key_result(company, owner, "rollup", title="Teams deliver")
    mine = objective(
        org,
        member,
        cycle,
        "Happier customers",
        level="individual",
        description="Because happy customers stay.",
        alignments=[contributes(company, weight=2)],
    )
    nps = key_result(mine, member, title="Raise NPS", start=Decimal(20), target=Decimal(60))
    churn = key_result(
        mine, member, title="Cut churn", start=Decimal(10), target=Decimal(4), unit="%"
    )
    side = objective(
        org,
        member,
        cycle,
        "Support the teams",
        level="individual",
        alignments=[contributes(teams)],
    )
    return {
        "company": company,
        "revenue": revenue,
        "teams": teams,
        "mine": mine,
        "nps": nps,
        "churn": churn,
        "side": side,
    }


def test_page_shows_header_key_results_history_and_links(client, org, owner, member, tree):
    nps, churn, mine = tree["nps"], tree["churn"], tree["mine"]
    check_in(nps, member, value="43.6", confidence=8, note="Survey wave one")
    check_in(churn, member, value=8, confidence=4, note="Blocked on billing data")
    key_result_update(key_result=nps, actor=member, target=Decimal(70), reason="Board raised it")
    client.force_login(member)
    response = client.get(page_url(org, mine))
    assert response.status_code == 200
    html = response.content.decode()
    # header
    assert "<h1>Happier customers</h1>" in html
    assert "Mia Member" in html and "Current quarter" in html and "Individual" in html
    assert "Whole organization" in html and "Because happy customers stay." in html
    assert "Score" in html and "suggested" in html
    # key results: exact progress (23.6 of 50 → 47.2%), pace marker, status, confidence
    assert "Raise NPS" in html and "Cut churn" in html
    assert "47.2%" in html
    assert "progress-pace" in html
    assert "confidence 8/10" in html and "lower is better" in html
    # history, newest first: the revision, then churn's check-in, then nps's
    history = html[html.index('id="ob-history"') :]
    assert history.index("Board raised it") < history.index("Blocked on billing data")
    assert history.index("Blocked on billing data") < history.index("Survey wave one")
    assert re.search(
        r'class="tl-field">target</span> <span class="tl-old">60</span> → '
        r'<span class="tl-new">70</span>',
        history,
    )
    assert "created" in history
    # parent with type and weight; no children here
    aside = html[html.index('id="ob-parents"') :]
    assert "Win the market" in aside and "contributes" in aside and "weight 2" in aside
    assert page_url(org, tree["company"]) in aside
    # chart data for each key result, embedded as JSON
    charts = json.loads(
        re.search(
            r'<script id="objective-charts" type="application/json">(.*?)</script>', html, re.S
        ).group(1)
    )
    by_id = {c["id"]: c for c in charts}
    assert by_id[nps.pk]["points"][0][1] == 43.6 and by_id[nps.pk]["target"] == 70
    assert by_id[churn.pk]["unit"] == "%"
    # ... and a table of the same numbers for pages without JavaScript
    assert f'id="chart-table-{nps.pk}"' in html


def test_children_through_objective_and_key_result(client, org, owner, member, tree):
    client.force_login(owner)
    html = client.get(page_url(org, tree["company"])).content.decode()
    aside = html[html.index('id="ob-children"') :]
    assert "Happier customers" in aside and "Support the teams" in aside
    assert "to Teams deliver" in aside  # aligned through the roll-up key result
    assert page_url(org, tree["mine"]) in aside and page_url(org, tree["side"]) in aside


def test_private_objectives_are_never_linked(client, org, owner, member, admin, tree):
    secret = objective(
        org,
        admin,
        tree["company"].cycle,
        "Secret plan",
        level="individual",
        visibility="private",
        alignments=[contributes(tree["mine"])],
    )
    client.force_login(member)
    html = client.get(page_url(org, tree["mine"])).content.decode()
    assert "Secret plan" not in html
    assert client.get(page_url(org, secret)).status_code == 404
    client.force_login(admin)
    html = client.get(page_url(org, tree["mine"])).content.decode()
    assert "Secret plan" in html  # its owner (an admin) sees the link


def test_hidden_parent_is_left_out(client, org, owner, member, admin, cycle):
    hidden = objective(
        org, admin, cycle, "Board-only goal", level="individual", visibility="private"
    )
    child = objective(
        org,
        admin,
        cycle,
        "Visible child",
        level="company",
        alignments=[contributes(hidden, type="supports")],
    )
    client.force_login(member)
    html = client.get(page_url(org, child)).content.decode()
    assert "Visible child" in html
    assert "Board-only goal" not in html
    assert "Not aligned to a higher objective." in html


def test_other_organization_objective_is_404(
    client, org, other_org, other_owner, other_cycle, member, tree
):
    theirs = objective(other_org, other_owner, other_cycle, "Their goal")
    client.force_login(member)
    assert client.get(page_url(org, theirs)).status_code == 404
    client.force_login(other_owner)
    assert client.get(page_url(org, tree["mine"])).status_code == 404
    assert client.get(page_url(other_org, tree["mine"])).status_code == 404


def test_edit_links_and_check_in_only_for_those_allowed(client, org, owner, member, tree):
    client.force_login(member)
    html = client.get(page_url(org, tree["company"])).content.decode()
    edit_company = reverse("web:objective-edit", kwargs={"org": org.slug, "pk": tree["company"].pk})
    assert edit_company not in html
    assert "Copy to next cycle" not in html
    assert "<dialog" not in html and checkin_url(org, tree["revenue"]) not in html
    html = client.get(page_url(org, tree["mine"])).content.decode()
    assert reverse("web:objective-edit", kwargs={"org": org.slug, "pk": tree["mine"].pk}) in html
    assert reverse("web:key-result-new", kwargs={"org": org.slug, "pk": tree["mine"].pk}) in html
    assert reverse("web:key-result-edit", kwargs={"org": org.slug, "pk": tree["nps"].pk}) in html
    assert reverse("web:objective-copy", kwargs={"org": org.slug, "pk": tree["mine"].pk}) in html
    assert f'id="checkin-dialog-{tree["nps"].pk}"' in html
    # the opener is a link to the check-in page, so it works without JavaScript
    assert re.search(
        rf'<a[^>]*href="{checkin_url(org, tree["nps"])}"[^>]*'
        rf'data-dialog="checkin-dialog-{tree["nps"].pk}"',
        html,
    )
    client.force_login(owner)
    html = client.get(page_url(org, tree["company"])).content.decode()
    assert f'id="checkin-dialog-{tree["revenue"].pk}"' in html
    assert f'id="checkin-dialog-{tree["teams"].pk}"' not in html  # roll-ups take no check-ins


def test_checkin_without_htmx_redirects_back(client, org, member, tree):
    nps = tree["nps"]
    client.force_login(member)
    page = client.get(checkin_url(org, nps))
    assert page.status_code == 200
    assert "<html" in page.content.decode() and f'name="kr{nps.pk}-value"' in page.content.decode()
    response = client.post(
        checkin_url(org, nps),
        {
            f"kr{nps.pk}-value": "50",
            f"kr{nps.pk}-confidence": "6",
            f"kr{nps.pk}-note": "Half way",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == page_url(org, tree["mine"]) + f"#kr-{nps.pk}"
    saved = CheckIn.objects.get(key_result=nps)
    assert saved.value == Decimal(50) and saved.confidence == 6 and saved.note == "Half way"
    assert progress_of(tree["mine"]) == pytest.approx(0.75 / 2)
    assert "Check-in saved." in client.get(response["Location"]).content.decode()


def test_checkin_with_htmx_swaps_the_objective_body(client, org, member, tree):
    nps = tree["nps"]
    client.force_login(member)
    partial = client.get(checkin_url(org, nps), **HTMX)
    assert partial.status_code == 200
    assert "<html" not in partial.content.decode()
    assert f'hx-post="{checkin_url(org, nps)}"' in partial.content.decode()
    response = client.post(
        checkin_url(org, nps),
        {
            f"kr{nps.pk}-value": "30",
            f"kr{nps.pk}-confidence": "7",
        },
        **HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#objective-body"
    assert response["HX-Reswap"] == "outerHTML"
    body = response.content.decode()
    assert body.startswith('<div id="objective-body"') and "<html" not in body
    assert "Check-in saved." in body and "25%" in body  # (30 − 20) / (60 − 20)
    assert f'data-focus-target="#checkin-open-{nps.pk}"' in body
    assert CheckIn.objects.filter(key_result=nps).count() == 1
    # The discussion, which offers the latest check-ins to comment on, comes out of band.
    checkin = CheckIn.objects.get(key_result=nps)
    assert '<section id="discussion" hx-swap-oob="true"' in body
    assert f"checkin-{checkin.pk}" in body.split('<section id="discussion"', 1)[1]


def test_checkin_errors_stay_in_the_dialog_with_typed_values(client, org, member, tree):
    nps = tree["nps"]
    client.force_login(member)
    data = {f"kr{nps.pk}-value": "", f"kr{nps.pk}-confidence": "11", f"kr{nps.pk}-note": "Keep me"}
    response = client.post(checkin_url(org, nps), data, **HTMX)
    assert response.status_code == 200
    assert "HX-Retarget" not in response
    body = response.content.decode()
    assert body.startswith("<form")
    assert "Enter the new value." in body
    assert "Confidence is a whole number from 0 to 10." in body
    assert 'value="11"' in body and "Keep me" in body
    assert not CheckIn.objects.exists()
    # without htmx: the same errors on the check-in page
    page = client.post(checkin_url(org, nps), data).content.decode()
    assert "<html" in page and "Enter the new value." in page and "Keep me" in page
    assert not CheckIn.objects.exists()


def test_milestone_and_yes_no_in_the_dialog(client, org, member, tree):
    launch = key_result(
        tree["mine"],
        member,
        "milestone",
        title="Launch",
        milestones=[{"title": "Design"}, {"title": "Ship"}],
    )
    survey = key_result(tree["mine"], member, "boolean", title="Survey")
    design = launch.milestones.first()
    client.force_login(member)
    assert (
        client.post(
            checkin_url(org, launch),
            {
                f"kr{launch.pk}-milestones": [str(design.pk)],
                f"kr{launch.pk}-confidence": "7",
            },
        ).status_code
        == 302
    )
    assert client.post(checkin_url(org, survey), {f"kr{survey.pk}-done": "on"}).status_code == 302
    launch.refresh_from_db()
    survey.refresh_from_db()
    assert launch.progress == pytest.approx(0.5) and survey.progress == 1


def test_checkin_endpoint_permissions(client, org, owner, member, viewer, admin, tree):
    revenue, nps = tree["revenue"], tree["nps"]
    client.force_login(member)  # not the owner nor a contributor
    assert client.get(checkin_url(org, revenue)).status_code == 403
    assert client.post(checkin_url(org, revenue), {f"kr{revenue.pk}-value": "5"}).status_code == 403
    client.force_login(viewer)
    assert client.post(checkin_url(org, nps), {f"kr{nps.pk}-value": "5"}).status_code == 403
    assert not CheckIn.objects.exists()
    html = client.get(page_url(org, tree["mine"])).content.decode()
    assert "<dialog" not in html and "Raise NPS" in html
    # an invisible key result is a 404, as is one in another organization
    secret = objective(
        org, admin, tree["company"].cycle, "Secret", level="individual", visibility="private"
    )
    hidden_kr = key_result(secret, admin, title="Hidden")
    client.force_login(member)
    assert client.get(checkin_url(org, hidden_kr)).status_code == 404
    assert client.post(checkin_url(org, hidden_kr), {}).status_code == 404
    # a roll-up: allowed person, but the key result takes no check-ins
    client.force_login(owner)
    response = client.post(checkin_url(org, tree["teams"]), {f"kr{tree['teams'].pk}-value": "1"})
    assert response.status_code == 200 and "Roll-up" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_query_count_is_constant(client, org, owner, member, cycle):
    company = objective(org, owner, cycle, "Company goal")
    mine = objective(
        org, member, cycle, "Mine", level="individual", alignments=[contributes(company)]
    )
    client.force_login(member)

    def grow(first: int, last: int) -> None:
        for index in range(first, last):
            kr = key_result(mine, member, title=f"KR {index}", contributor_ids=[owner.pk])
            check_in(kr, member, value=index, note=f"note {index}")
            check_in(kr, owner, value=index + 1)
            key_result(mine, member, "milestone", title=f"Steps {index}")
            key_result_update(key_result=kr, actor=member, target=Decimal(50), reason="why")
            objective(org, owner, cycle, f"Child {index}", alignments=[contributes(mine)])

    grow(0, 2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(page_url(org, mine)).status_code == 200
    grow(2, 10)
    with CaptureQueriesContext(connection) as large:
        html = client.get(page_url(org, mine)).content.decode()
    assert "KR 9" in html and "Child 9" in html and "note 9" in html
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(small.captured_queries) <= 25


def test_query_count_does_not_depend_on_the_kinds_of_parent_or_themes(
    client, org, owner, member, cycle
):
    """Parents by objective and by key result, themes or none: the same queries run."""
    from luodi.orgs.services import theme_create

    company = objective(org, owner, cycle, "Company goal")
    other = objective(org, owner, cycle, "Other goal")
    teams = key_result(other, owner, "rollup", title="Teams deliver")
    theme = theme_create(organization=org, actor=owner, title="Growth")
    bare = objective(org, member, cycle, "Bare", level="individual")
    linked = objective(
        org,
        member,
        cycle,
        "Linked",
        level="individual",
        theme_ids=[theme.pk],
        alignments=[contributes(company), contributes(teams)],
    )
    for goal in (bare, linked):
        key_result(goal, member, title=f"KR of {goal.title}")
    client.force_login(member)
    counts = []
    for goal in (bare, linked):
        with CaptureQueriesContext(connection) as queries:
            html = client.get(page_url(org, goal)).content.decode()
        counts.append(len(queries))
    assert "Growth" in html and "Company goal" in html and "Teams deliver" in html
    assert counts[0] == counts[1]
