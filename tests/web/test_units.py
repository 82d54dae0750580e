"""Teams: the unit tree and one unit's OKRs, as people with different rights see them."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from luodi.checkins.services import checkin_submit
from luodi.orgs.services import cycle_create, unit_create
from tests.conftest import make_metric, make_objective

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    """The assertions read English; the pages default to Chinese."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def units_url(org):
    return reverse("web:units", kwargs={"org": org.slug})


def unit_url(org, unit):
    return reverse("web:unit", kwargs={"org": org.slug, "pk": unit.pk})


def checked_in(objective, actor, value, confidence=8, title="Reach ten"):
    kr = make_metric(objective, actor, start="0", target="10", title=title)
    checkin_submit(key_result=kr, actor=actor, value=str(value), confidence=confidence)
    return kr


@pytest.fixture
def platform_okrs(org, owner, member, cycle, unit_tree):
    """A team objective at 50% (on track), the member's at 10% (off track), and Carl's private
    one at 90%."""
    team_goal = make_objective(
        org,
        owner,
        cycle,
        title="Ship the platform",
        level="unit",
        unit_id=unit_tree.team.pk,
        owner_id=unit_tree.tom.pk,
    )
    checked_in(team_goal, owner, 5)
    mine = make_objective(org, member, cycle, title="Learn the codebase", level="individual")
    checked_in(mine, member, 1)
    secret = make_objective(
        org,
        unit_tree.colleague,
        cycle,
        title="Secret side project",
        level="individual",
        visibility="private",
    )
    checked_in(secret, unit_tree.colleague, 9)
    return {"team": team_goal, "mine": mine, "secret": secret}


def row_for(response, unit):
    return next(row.node for row in response.context["rows"] if row.node.pk == unit.pk)


def test_tree_shows_every_unit_with_leader_people_objectives_and_progress(
    client, org, member, unit_tree, platform_okrs
):
    client.force_login(member)
    response = client.get(units_url(org))
    assert response.status_code == 200
    body = response.content.decode()
    for name in ("Acme", "Engineering", "Platform", "Lena Lead", "Tom Team"):
        assert name in body
    team = row_for(response, unit_tree.team)
    assert (team.people, team.objectives, team.leader_name) == (3, 2, "Tom Team")
    assert team.progress == pytest.approx(0.3)  # (50% + 10%) / 2: Carl's secret stays out
    company = row_for(response, unit_tree.company)
    assert (company.people, company.objectives) == (5, 2)  # the whole subtree
    assert company.progress == pytest.approx(0.3)
    assert "30%" in body
    assert "Secret side project" not in body
    # nested: company opens a level that holds the department, which holds the team
    assert body.index("Acme") < body.index("Engineering") < body.index("Platform")
    assert body.count('<summary class="unit-cols') == 2  # company and department open levels


def test_admin_counts_the_private_objective_too(client, org, owner, unit_tree, platform_okrs):
    client.force_login(owner)
    response = client.get(units_url(org))
    team = row_for(response, unit_tree.team)
    assert team.objectives == 3
    assert team.progress == pytest.approx((0.5 + 0.1 + 0.9) / 3)


def test_unit_page_lists_visible_objectives_of_the_unit_and_its_people(
    client, org, member, owner, unit_tree, platform_okrs
):
    client.force_login(member)
    response = client.get(unit_url(org, unit_tree.team))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ship the platform" in body and "Learn the codebase" in body
    assert "Secret side project" not in body
    assert "Mia Member" in body  # the owner shows on the card and in the owner filter
    client.force_login(owner)
    body = client.get(unit_url(org, unit_tree.team)).content.decode()
    assert "Secret side project" in body


def test_unit_page_lists_sub_units_and_breadcrumb(client, org, member, unit_tree, platform_okrs):
    client.force_login(member)
    body = client.get(unit_url(org, unit_tree.dept)).content.decode()
    assert f'href="{unit_url(org, unit_tree.team)}' in body  # the sub-unit
    assert f'href="{unit_url(org, unit_tree.company)}' in body  # the breadcrumb
    # the team's objectives are not the department's own
    assert "Ship the platform" not in body


def test_owner_filter(client, org, member, unit_tree, platform_okrs):
    client.force_login(member)
    response = client.get(unit_url(org, unit_tree.team), {"owner": member.pk})
    body = response.content.decode()
    assert "Learn the codebase" in body
    assert "Ship the platform" not in body
    assert response.context["okrs"].total == 2 and response.context["okrs"].shown == 1


def test_status_filter(client, org, member, unit_tree, platform_okrs):
    client.force_login(member)
    body = client.get(unit_url(org, unit_tree.team), {"status": "off_track"}).content.decode()
    assert "Learn the codebase" in body
    assert "Ship the platform" not in body
    body = client.get(unit_url(org, unit_tree.team), {"status": "on_track"}).content.decode()
    assert "Ship the platform" in body
    assert "Learn the codebase" not in body
    # an unknown status is ignored rather than an error
    body = client.get(unit_url(org, unit_tree.team), {"status": "bogus"}).content.decode()
    assert "Ship the platform" in body and "Learn the codebase" in body


def test_cycle_filter(client, org, owner, member, cycle, unit_tree, platform_okrs):
    today = timezone.localdate()
    earlier = cycle_create(
        organization=org,
        actor=owner,
        name="Last quarter",
        start_date=today - timedelta(days=130),
        end_date=today - timedelta(days=31),
        state="active",
    )
    make_objective(org, member, earlier, title="Old goal", level="individual")
    client.force_login(member)
    body = client.get(unit_url(org, unit_tree.team)).content.decode()
    assert "Old goal" not in body and "Learn the codebase" in body
    body = client.get(unit_url(org, unit_tree.team), {"cycle": earlier.pk}).content.decode()
    assert "Old goal" in body and "Learn the codebase" not in body


def test_htmx_request_gets_only_the_results(client, org, member, unit_tree, platform_okrs):
    client.force_login(member)
    response = client.get(
        unit_url(org, unit_tree.team), {"owner": member.pk}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="unit-body"')
    assert "<html" not in body
    assert "Learn the codebase" in body and "Ship the platform" not in body
    # a history restore needs the whole page
    response = client.get(
        unit_url(org, unit_tree.team),
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in response.content.decode()


def test_every_hx_get_link_has_an_href(client, org, member, unit_tree, platform_okrs):
    import re

    client.force_login(member)
    body = client.get(unit_url(org, unit_tree.team)).content.decode()
    anchors = re.findall(r"<a [^>]*hx-get[^>]*>", body)
    assert anchors
    assert all("href=" in tag for tag in anchors)
    forms = re.findall(r"<form [^>]*hx-get[^>]*>", body)
    assert forms and all('method="get"' in f and "action=" in f for f in forms)


def test_other_organizations_unit_is_404(client, org, owner, other_org, other_owner, unit_tree):
    theirs = unit_create(organization=other_org, actor=other_owner, name="Theirs", kind="team")
    client.force_login(owner)
    assert client.get(unit_url(org, theirs)).status_code == 404
    # and an outsider cannot open ours through their own organization either
    client.force_login(other_owner)
    assert client.get(unit_url(org, unit_tree.team)).status_code == 404
    assert client.get(units_url(org)).status_code == 404


def test_pages_without_units_or_cycles(client, org, owner):
    client.force_login(owner)
    response = client.get(units_url(org))
    assert response.status_code == 200
    assert "no units yet" in response.content.decode()


def grow(org, owner, cycle, unit_tree, n):
    """n more teams, each with an objective and two checked-in key results."""
    for index in range(n):
        team = unit_create(
            organization=org,
            actor=owner,
            name=f"Team {index}",
            kind="team",
            parent_id=unit_tree.dept.pk,
            leader_id=unit_tree.tom.pk,
        )
        objective = make_objective(
            org, owner, cycle, title=f"Goal {index}", level="unit", unit_id=team.pk
        )
        checked_in(objective, owner, 4, title=f"K{index}a")
        checked_in(objective, owner, 6, title=f"K{index}b")
        make_objective(
            org, owner, cycle, title=f"Team goal {index}", level="unit", unit_id=unit_tree.team.pk
        )


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    if PRINT_QUERIES:
        print("\n".join(q["sql"][:160] for q in queries.captured_queries))
    return len(queries.captured_queries)


PRINT_QUERIES = False


def test_query_counts_do_not_grow_with_the_data(client, org, owner, member, cycle, unit_tree):
    client.force_login(member)
    grow(org, owner, cycle, unit_tree, 1)
    small_tree = count_queries(client, units_url(org))
    small_unit = count_queries(client, unit_url(org, unit_tree.team))
    grow(org, owner, cycle, unit_tree, 6)
    assert count_queries(client, units_url(org)) == small_tree
    assert count_queries(client, unit_url(org, unit_tree.team)) == small_unit
    assert small_tree <= 14 and small_unit <= 24
