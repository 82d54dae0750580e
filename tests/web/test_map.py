"""The alignment map: chart data, outline and unaligned list, as each person may see them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from luodi.orgs.services import theme_create
from tests.conftest import make_objective
from tests.web.map_support import (
    build_strategy,
    grow_the_map,
    map_url,
    objective_url,
    payload_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    """The assertions read English; the pages default to Chinese."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


STATUS_ORDER = ["not_started", "on_track", "at_risk", "off_track", "done"]


@pytest.fixture
def strategy(org, owner, member, cycle, unit_tree):
    return build_strategy(org, owner, member, cycle, unit_tree)


def test_map_carries_the_tree_with_statuses(client, org, member, strategy):
    client.force_login(member)
    response = client.get(map_url(org))
    assert response.status_code == 200
    data = payload_of(response)
    nodes = data["nodes"]
    company, dept, mine = strategy["company"], strategy["dept"], strategy["mine"]
    # [title, progress %, status index, level index, unit id]
    assert nodes[str(dept.pk)][:3] == [
        "Engineering ships faster",
        36.7,  # (100% + 10% + the secret child's 0%) / 3, as stored
        STATUS_ORDER.index("on_track"),
    ]
    assert nodes[str(mine.pk)][:3] == [
        "Automate the release",
        10.0,
        STATUS_ORDER.index("off_track"),
    ]
    assert data["kids"][str(company.pk)] == [dept.pk]
    assert data["kids"][str(dept.pk)] == [mine.pk]  # the secret child is not there
    # strategy first: the theme holds the company objective; an empty theme still shows
    assert data["themes"][0][0] == "Grow revenue" and data["themes"][0][2] == [company.pk]
    assert data["themes"][1][0] == "Unused theme" and data["themes"][1][2] == []
    assert data["url"] == reverse("web:objective", kwargs={"org": org.slug, "pk": 0})
    assert len(data["labels"]["statuses"]) == 5


def test_objectives_sit_under_their_own_themes_unless_a_parent_brings_them(
    client, org, owner, member, cycle, strategy
):
    other = theme_create(organization=org, actor=owner, title="Delight customers")
    below = make_objective(
        org,
        owner,
        cycle,
        title="Faster checkout",
        level="company",
        theme_ids=[strategy["theme"].pk, other.pk],
        alignments=[{"parent_objective_id": strategy["company"].pk}],
    )
    client.force_login(member)
    data = payload_of(client.get(map_url(org)))
    themes = {title: ids for title, _kind, ids in data["themes"]}
    assert themes["Grow revenue"] == [strategy["company"].pk]  # reached through its parent
    assert themes["Delight customers"] == [below.pk]
    assert data["loose"][1] == []


def test_private_objectives_the_user_cannot_see_leave_no_trace(
    client, org, member, owner, strategy
):
    client.force_login(member)
    response = client.get(map_url(org))
    body = response.content.decode()
    assert "Secret plan" not in body
    assert str(strategy["secret"].pk) not in payload_of(response)["nodes"]
    client.force_login(owner)  # an admin sees everything
    response = client.get(map_url(org))
    assert "Secret plan" in response.content.decode()
    assert payload_of(response)["kids"][str(strategy["dept"].pk)] == [
        strategy["mine"].pk,
        strategy["secret"].pk,
    ]


def test_unaligned_list_and_outline(client, org, member, strategy):
    client.force_login(member)
    response = client.get(map_url(org))
    body = response.content.decode()
    unaligned = [node["objective_id"] for node in response.context["map"].unaligned]
    assert unaligned == [strategy["lonely"].pk]
    aside = body[body.index('class="card map-unaligned"') :]
    assert "Lonely goal" in aside
    # the outline: nested list with links, the theme first, then down the chain
    outline = body[body.index('class="outline"') : body.index("map-unaligned")]
    for key in ("company", "dept", "mine"):
        assert f'href="{objective_url(org, strategy[key])}"' in outline
    assert outline.index("Grow revenue") < outline.index("Double revenue")
    assert outline.index("Double revenue") < outline.index("Engineering ships faster")
    assert outline.index("Engineering ships faster") < outline.index("Automate the release")
    assert "Lonely goal" not in outline


def test_unit_filter_keeps_the_chain_above(client, org, member, unit_tree, strategy):
    client.force_login(member)
    response = client.get(map_url(org), {"unit": unit_tree.team.pk})
    data = payload_of(response)
    shown = {int(pk) for pk in data["nodes"]}
    # the team's objective and the chain above it; nothing else of other units
    assert shown == {strategy["company"].pk, strategy["dept"].pk, strategy["mine"].pk}
    assert data["root"] == "Platform"
    response = client.get(map_url(org), {"unit": unit_tree.dept.pk})
    shown = {int(pk) for pk in payload_of(response)["nodes"]}
    assert strategy["dept"].pk in shown


def test_unknown_unit_means_the_whole_organization(client, org, member, strategy):
    client.force_login(member)
    response = client.get(map_url(org), {"unit": "999999"})
    assert response.status_code == 200
    assert payload_of(response)["root"] == org.name


def test_map_without_cycle_or_objectives(client, org, owner):
    client.force_login(owner)
    response = client.get(map_url(org))
    assert response.status_code == 200
    assert 'id="map-data"' not in response.content.decode()


def test_other_organization_cannot_open_the_map(client, org, other_owner, other_org):
    client.force_login(other_owner)
    assert client.get(map_url(org)).status_code == 404


def test_query_count_does_not_grow(client, org, owner, member, cycle, unit_tree, strategy):
    client.force_login(member)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(map_url(org)).status_code == 200
        return len(queries.captured_queries)

    small = count()
    grow_the_map(org, owner, member, cycle, 6)
    assert count() == small


def test_large_maps_start_shallow_and_load_branches_on_demand(
    client, org, member, strategy, monkeypatch
):
    from luodi.web import queries_map

    monkeypatch.setattr(queries_map, "LAZY_LIMIT", 1)
    monkeypatch.setattr(queries_map, "LAZY_DEPTH", 2)
    client.force_login(member)
    company, dept, mine = strategy["company"], strategy["dept"], strategy["mine"]
    data = payload_of(client.get(map_url(org)))
    # theme → company → department; the department's children wait
    assert set(data["nodes"]) == {str(company.pk), str(dept.pk)}
    assert data["more"] == {str(dept.pk): 1}
    assert str(dept.pk) not in data["kids"]
    response = client.get(map_url(org), {"expand": dept.pk})
    assert response["Content-Type"] == "application/json"
    branch = response.json()
    assert branch["kids"] == {str(dept.pk): [mine.pk]}
    assert branch["nodes"][str(mine.pk)][0] == "Automate the release"
    assert branch["more"] == {}
    # what the member may not see is not there to load
    assert client.get(map_url(org), {"expand": strategy["secret"].pk}).status_code == 404
    assert client.get(map_url(org), {"expand": "x"}).status_code == 404


def test_expand_step_reads_only_the_branch_in_a_fixed_number_of_queries(
    client, org, owner, member, cycle, strategy
):
    client.force_login(member)
    company = strategy["company"]
    # Four levels below the company objective, so that every level is read (a shallower
    # branch stops early, with fewer queries).
    make_objective(
        org,
        member,
        cycle,
        title="Below the release",
        level="individual",
        alignments=[{"parent_objective_id": strategy["mine"].pk}],
    )

    def expand():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(map_url(org), {"expand": company.pk})
        assert response.status_code == 200
        return len(queries.captured_queries), response.json()

    small, branch = expand()
    assert branch["kids"][str(company.pk)] == [strategy["dept"].pk]
    for index in range(6):  # more of the cycle elsewhere, and more below the branch
        other = make_objective(org, owner, cycle, title=f"Company {index}", level="company")
        make_objective(
            org,
            member,
            cycle,
            title=f"Mine {index}",
            level="individual",
            alignments=[{"parent_objective_id": other.pk}],
        )
        make_objective(
            org,
            member,
            cycle,
            title=f"Below {index}",
            level="individual",
            alignments=[{"parent_objective_id": strategy["mine"].pk}],
        )
    large, branch = expand()
    assert large == small
    assert len(branch["kids"][str(strategy["mine"].pk)]) == 7
    assert not any(row[0].startswith("Company") for row in branch["nodes"].values())


def test_expand_step_with_a_unit_filter_keeps_to_the_unit(
    client, org, member, unit_tree, strategy, monkeypatch
):
    from luodi.web import queries_map

    monkeypatch.setattr(queries_map, "LAZY_LIMIT", 1)
    monkeypatch.setattr(queries_map, "LAZY_DEPTH", 1)
    client.force_login(member)
    company, dept, mine = strategy["company"], strategy["dept"], strategy["mine"]
    data = payload_of(client.get(map_url(org), {"unit": unit_tree.team.pk}))
    assert data["more"] == {str(company.pk): 1}
    branch = client.get(map_url(org), {"unit": unit_tree.team.pk, "expand": company.pk}).json()
    assert branch["kids"] == {str(company.pk): [dept.pk]}
    assert branch["more"] == {str(dept.pk): 1}
    assert set(branch["nodes"]) == {str(company.pk), str(dept.pk)}
    lonely = strategy["lonely"]  # unaligned: not on the chart, nothing to expand
    assert client.get(map_url(org), {"expand": lonely.pk}).status_code == 404
    del mine
