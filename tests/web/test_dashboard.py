"""The dashboard shows the selector's numbers, for the whole organization or one unit."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from luodi.checkins.services import checkin_submit
from luodi.okrs.selectors import Clock
from luodi.reports import selectors as reports
from tests.conftest import make_metric, make_objective

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    """The assertions read English; the pages default to Chinese."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def dashboard_url(org):
    return reverse("web:dashboard", kwargs={"org": org.slug})


@pytest.fixture
def small_org(org, owner, member, cycle, unit_tree):
    """Company objective: its key result at 40% and the team objective aligned to it.
    Team objective: the member's key result at 20%, Carl's not checked in.

    The cycle is a third gone (30 of 90 days): expected 33.3%.
    team = (20% + 0%) / 2 = 10%; company = (40% + 10%) / 2 = 25%; all = (25% + 10%) / 2 = 17.5%.
    """
    company = make_objective(
        org, owner, cycle, title="Win the market", level="company", unit_id=unit_tree.company.pk
    )
    k1 = make_metric(company, owner, target="10", title="Signed customers", owner_id=owner.pk)
    checkin_submit(key_result=k1, actor=owner, value="4", confidence=7)
    team = make_objective(
        org,
        owner,
        cycle,
        title="Platform is ready",
        level="unit",
        unit_id=unit_tree.team.pk,
        alignments=[{"parent_objective_id": company.pk}],
    )
    k2 = make_metric(team, owner, target="10", title="Services migrated", owner_id=member.pk)
    checkin_submit(key_result=k2, actor=member, value="2", confidence=6)
    k3 = make_metric(
        team, owner, target="10", title="Latency budget met", owner_id=unit_tree.colleague.pk
    )
    return {"company": company, "team": team, "k1": k1, "k2": k2, "k3": k3}


def chart_data(response):
    match = re.search(
        r'<script id="dash-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match
    return json.loads(match.group(1))


def stat(body, element_id):
    match = re.search(rf'id="{element_id}">([^<]*)<', body)
    assert match, element_id
    return match.group(1)


def test_dashboard_shows_the_numbers(client, org, member, small_org):
    client.force_login(member)
    response = client.get(dashboard_url(org))
    assert response.status_code == 200
    body = response.content.decode()
    assert stat(body, "dash-progress") == "17.5%"
    assert stat(body, "dash-checkin-rate") == "66.7%"  # the owner and the member, not Carl
    assert "2 of 3 people checked in" in body
    assert stat(body, "dash-coverage") == "100%"  # the team objective supports the company's
    assert stat(body, "dash-at-risk") == "1"  # k2 at risk; k3 not started (but stale)
    assert "Expected by today: 33.3%" in body
    data = chart_data(response)
    counts = {s["key"]: s["value"] for s in data["statuses"]}
    assert counts == {"not_started": 1, "on_track": 1, "at_risk": 1, "off_track": 0, "done": 0}
    assert data["trend"]["progress"][-1] == 17.5
    assert data["trend"]["expected"][-1] == 33.3
    assert data["labels"]["progress"] == "Progress"


def test_dashboard_matches_the_selector(client, org, member, cycle, small_org):
    client.force_login(member)
    response = client.get(dashboard_url(org))
    expected = reports.dashboard(
        organization=org, user=member, cycle=cycle, clock=Clock.for_org(org)
    )
    assert response.context["data"]["progress"] == expected["progress"]
    assert response.context["data"]["status_counts"] == expected["status_counts"]
    assert [u["unit_id"] for u in response.context["unit_rows"]] == [
        u["unit_id"] for u in expected["units"]
    ]


def test_key_results_most_at_risk_link_to_their_objectives(client, org, member, small_org):
    client.force_login(member)
    response = client.get(dashboard_url(org))
    body = response.content.decode()
    table = body[body.index("dash-risk-table") :]
    team_url = reverse("web:objective", kwargs={"org": org.slug, "pk": small_org["team"].pk})
    # largest gap first: Carl's untouched key result, then the member's at 20%
    first = table.index("Latency budget met")
    second = table.index("Services migrated")
    assert first < second
    assert f'href="{team_url}#kr-{small_org["k3"].pk}"' in table
    assert "Carl Colleague" in table and "Mia Member" in table
    assert "Signed customers" not in table  # on track


def test_unit_dashboard(client, org, member, unit_tree, small_org):
    client.force_login(member)
    response = client.get(dashboard_url(org), {"unit": unit_tree.team.pk})
    body = response.content.decode()
    assert stat(body, "dash-progress") == "10%"
    assert [u["name"] for u in response.context["unit_rows"]] == ["Platform"]
    assert "Win the market" not in body


def test_units_tiles_drill_down(client, org, member, cycle, unit_tree, small_org):
    client.force_login(member)
    response = client.get(dashboard_url(org))
    names = [u["name"] for u in response.context["unit_rows"]]
    assert names == ["Acme", "Engineering"]  # the top unit and its direct children
    body = response.content.decode()
    assert f'href="?cycle={cycle.pk}&amp;unit={unit_tree.dept.pk}"' in body


def test_private_objectives_count_nowhere_for_those_who_cannot_see_them(
    client, org, owner, member, cycle, unit_tree, small_org
):
    secret = make_objective(
        org,
        unit_tree.colleague,
        cycle,
        title="Secret plan",
        level="individual",
        visibility="private",
    )
    kr = make_metric(secret, unit_tree.colleague, target="10", title="Secret key result")
    checkin_submit(key_result=kr, actor=unit_tree.colleague, value="0", confidence=1)
    client.force_login(member)
    body = client.get(dashboard_url(org)).content.decode()
    assert "Secret" not in body
    assert stat(body, "dash-progress") == "17.5%"
    client.force_login(owner)
    body = client.get(dashboard_url(org)).content.decode()
    assert "Secret key result" in body  # off track, so at risk for those who may see it


def test_dashboard_without_a_cycle(client, org, owner):
    client.force_login(owner)
    response = client.get(dashboard_url(org))
    assert response.status_code == 200
    assert 'id="dash-data"' not in response.content.decode()


def test_dashboard_is_printable(client, org, member, small_org):
    client.force_login(member)
    body = client.get(dashboard_url(org)).content.decode()
    assert 'class="print-only dash-print-head"' in body
    assert "dashboard.css" in body  # its print rules


def test_other_organization_cannot_open_the_dashboard(client, org, other_owner, other_org):
    client.force_login(other_owner)
    assert client.get(dashboard_url(org)).status_code == 404


def test_query_count_does_not_grow(client, org, owner, member, cycle, unit_tree, small_org):
    client.force_login(member)

    def count(params=None):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(dashboard_url(org), params or {}).status_code == 200
        return len(queries.captured_queries)

    count(), count({"unit": unit_tree.dept.pk})  # the trend's first sweep, stored
    small, small_unit = count(), count({"unit": unit_tree.dept.pk})
    for index in range(6):
        objective = make_objective(
            org,
            member,
            cycle,
            title=f"Mine {index}",
            level="individual",
            alignments=[{"parent_objective_id": small_org["team"].pk}],
        )
        kr = make_metric(objective, member, target="10", title=f"K{index}", owner_id=member.pk)
        checkin_submit(key_result=kr, actor=member, value=str(index), confidence=index)
    count(), count({"unit": unit_tree.dept.pk})  # the edits voided it: swept again
    assert count() == small
    assert count({"unit": unit_tree.dept.pk}) == small_unit


def test_chart_labels_follow_the_language(client, org, member, small_org):
    client.force_login(member)
    english = chart_data(client.get(dashboard_url(org)))
    chinese = chart_data(client.get(dashboard_url(org), HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert english["labels"]["progress"] == "Progress"
    assert chinese["labels"]["progress"] != "Progress"  # translated, whatever the wording
    assert [s["label"] for s in chinese["statuses"]] != [s["label"] for s in english["statuses"]]
