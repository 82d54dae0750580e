"""The stored map frame (web.map_frames): the map drawn from it equals the map placed at once,
for every kind of viewer, after check-ins and after every kind of structure edit; check-ins
reuse it, structure edits void it, and nobody is shown an objective they may not see."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from luodi.checkins.services import checkin_submit
from luodi.okrs.permissions import viewer_for
from luodi.okrs.services import objective_update
from luodi.orgs.choices import CycleState
from luodi.orgs.services import cycle_create, theme_create, theme_delete, theme_update
from luodi.reports.models import MapFrame
from luodi.reports.selectors import alignment_forest_of
from luodi.web import map_frames, queries_map
from luodi.web.views import insights
from tests.conftest import make_metric, make_objective
from tests.web.map_support import (
    build_strategy,
    checked_in,
    grow_the_map,
    map_url,
    payload_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def strategy(org, owner, member, cycle, unit_tree):
    return build_strategy(org, owner, member, cycle, unit_tree)


def page(client, org, **params):
    """Everything the map page shows that comes from the map model."""
    response = client.get(map_url(org), params)
    assert response.status_code == 200
    model = response.context["map"]
    return {
        "data": payload_of(response),
        "legend": [(s["key"], s["count"]) for s in response.context["legend"]],
        "total": model.total,
        "outline": str(model.outline_html()),
        "cut": model.outline_cut,
        "unaligned": model.unaligned,
        "unaligned_total": model.unaligned_total,
    }


def placed_at_once(client, org, monkeypatch, **params):
    """The page as it was before frames: placed from the viewer's own visible objectives."""
    with monkeypatch.context() as m:
        m.setattr(insights, "alignment_map_of", queries_map.placed_at_once)
        return page(client, org, **params)


def from_the_frame(client, org, monkeypatch, **params):
    """The page with placing forbidden: it must come from a stored frame."""

    def placing(**kwargs):
        raise AssertionError("the map was placed again instead of read from its frame")

    with monkeypatch.context() as m:
        m.setattr(queries_map, "alignment_forest_of", placing)
        return page(client, org, **params)


def check_every_viewer(client, org, monkeypatch, users, unit_tree):
    """For each viewer, the whole map and a unit's map: the page from the frame (when the
    viewer may use one) equals the page placed at once."""
    for user in users:
        client.force_login(user)
        for params in ({}, {"unit": unit_tree.dept.pk}):
            expected = placed_at_once(client, org, monkeypatch, **params)
            first = page(client, org, **params)  # places and stores, or reads
            assert first == expected, (user.email, params)
            if uses_a_frame(org, user, org_cycle(org)):
                assert from_the_frame(client, org, monkeypatch, **params) == expected


def public_frame(org, cycle, owner):
    forest = alignment_forest_of(organization=org, user=owner, cycle=cycle, part="public")
    return queries_map.frame_of(organization=org, cycle=cycle, forest=forest)


def uses_a_frame(org, user, cycle):
    viewer = viewer_for(org, user)
    if viewer.is_admin:
        return True
    owner = org.memberships.filter(role="owner").first().user
    return not map_frames.sees_beyond_public(org, viewer, cycle, public_frame(org, cycle, owner))


def a_year(org, owner):
    """An active cycle around the current quarter: for parents in another cycle."""
    today = timezone.localdate()
    return cycle_create(
        organization=org,
        actor=owner,
        name="The year",
        start_date=today - timedelta(days=100),
        end_date=today + timedelta(days=200),
        state=CycleState.ACTIVE,
    )


def org_cycle(org):
    from luodi.orgs.models import Cycle

    return Cycle.objects.get(organization=org, name="Current quarter")


def test_stored_frames_match_the_map_placed_at_once_through_edits(
    client, org, owner, member, cycle, unit_tree, strategy, monkeypatch
):
    users = [owner, member, unit_tree.colleague, unit_tree.tom, unit_tree.lead]
    check = lambda: check_every_viewer(client, org, monkeypatch, users, unit_tree)  # noqa: E731
    check()
    # a check-in: numbers move, the frame stays
    checked_in(strategy["lonely"], member, 7)
    check()
    # new objectives, under the company objective and under nothing
    make_objective(
        org,
        owner,
        cycle,
        title="Hire well",
        level="unit",
        unit_id=unit_tree.dept.pk,
        alignments=[{"parent_objective_id": strategy["company"].pk}],
    )
    make_objective(org, member, cycle, title="Another loner", level="individual")
    check()
    # a title, a theme's title, a theme removed, a cancellation, a new parent
    objective_update(objective=strategy["dept"], actor=owner, title="Engineering ships weekly")
    check()
    theme_update(theme=strategy["theme"], actor=owner, title="Grow revenue fast")
    check()
    second = theme_create(organization=org, actor=owner, title="Delight users", kind="vision")
    objective_update(objective=strategy["lonely"], actor=member, theme_ids=[second.pk])
    check()
    theme_delete(theme=second, actor=owner)
    check()
    objective_update(objective=strategy["mine"], actor=member, state="cancelled")
    check()
    objective_update(
        objective=strategy["lonely"],
        actor=member,
        alignments=[{"parent_objective_id": strategy["dept"].pk}],
    )
    check()
    # a parent in another cycle: a root of its own, its status against its own cycle
    year = a_year(org, owner)
    yearly = make_objective(org, owner, year, title="Yearly ambition", level="company")
    checked_in(yearly, owner, 3)
    objective_update(
        objective=strategy["lonely"],
        actor=member,
        alignments=[{"parent_objective_id": yearly.pk}],
    )
    check()
    client.force_login(owner)
    assert "Yearly ambition" in str(page(client, org)["data"]["nodes"])
    # visibility: the member's own objective made private, a unit-only objective in a team
    objective_update(objective=strategy["lonely"], actor=member, visibility="private")
    make_objective(
        org,
        unit_tree.tom,
        cycle,
        title="Team-only goal",
        level="unit",
        unit_id=unit_tree.team.pk,
        visibility="unit",
        alignments=[{"parent_objective_id": strategy["dept"].pk}],
    )
    check()


def test_a_check_in_keeps_the_frame_and_shows_at_once(
    client, org, owner, member, strategy, monkeypatch
):
    # key results first: adding one is a structure edit
    lonely_kr = make_metric(strategy["lonely"], member, start="0", target="10")
    company_kr = make_metric(strategy["company"], owner, start="0", target="10")
    client.force_login(owner)
    before = page(client, org)
    stamp = MapFrame.objects.get(organization=org, unit_id=0).stamp
    checkin_submit(key_result=lonely_kr, actor=member, value="10", confidence=8)  # done
    checkin_submit(key_result=company_kr, actor=owner, value="5", confidence=8)
    after = from_the_frame(client, org, monkeypatch)
    assert MapFrame.objects.get(organization=org, unit_id=0).stamp == stamp
    company = str(strategy["company"].pk)
    assert before["data"]["nodes"][company][1] != after["data"]["nodes"][company][1]
    assert before["legend"] != after["legend"]
    assert after == placed_at_once(client, org, monkeypatch)
    lonely = next(n for n in after["unaligned"] if n["objective_id"] == strategy["lonely"].pk)
    assert lonely["status"] == "done"


def test_a_title_change_shows_on_the_next_view(client, org, owner, strategy):
    client.force_login(owner)
    page(client, org)
    objective_update(objective=strategy["mine"], actor=owner, title="Release every day")
    body = client.get(map_url(org)).content.decode()
    assert "Release every day" in body
    assert "Automate the release" not in body


def test_members_share_the_public_frame_without_seeing_private_objectives(
    client, org, owner, member, unit_tree, strategy
):
    client.force_login(owner)
    assert "Secret plan" in client.get(map_url(org)).content.decode()
    client.force_login(member)
    body = client.get(map_url(org)).content.decode()
    assert "Secret plan" not in body
    kinds = set(MapFrame.objects.filter(organization=org).values_list("kind", flat=True))
    assert kinds == {"all", "public"}
    public = MapFrame.objects.get(organization=org, kind="public")
    assert "Secret plan" not in public.payload + public.chart
    # the owner of the private objective sees it: no shared frame for them
    client.force_login(unit_tree.colleague)
    assert "Secret plan" in client.get(map_url(org)).content.decode()


def test_who_sees_more_than_the_public_frame(org, owner, member, cycle, unit_tree, strategy):
    def beyond(user):
        frame = public_frame(org, cycle, owner)
        return map_frames.sees_beyond_public(org, viewer_for(org, user), cycle, frame)

    assert not beyond(member)
    assert beyond(unit_tree.colleague)  # owns a private objective of the cycle
    draft = make_objective(
        org, member, cycle, title="Half a thought", level="individual", state="draft"
    )
    assert beyond(member)  # their own draft
    objective_update(objective=draft, actor=member, state="cancelled")
    assert not beyond(member)  # cancelled objectives are not on the map
    # a private objective of another cycle counts only when something of this cycle
    # aligns to it (it would then be a root of the map)
    year = a_year(org, owner)
    yearly = make_objective(
        org, member, year, title="Yearly secret", level="individual", visibility="private"
    )
    assert not beyond(member)
    objective_update(
        objective=strategy["lonely"],
        actor=member,
        alignments=[{"parent_objective_id": yearly.pk}],
    )
    assert beyond(member)


def test_warm_views_run_the_same_queries_at_any_size(client, org, owner, member, cycle, strategy):
    def warm_count(user):
        client.force_login(user)
        client.get(map_url(org))  # stores the frame
        with CaptureQueriesContext(connection) as queries:
            assert client.get(map_url(org)).status_code == 200
        return len(queries.captured_queries)

    small = (warm_count(owner), warm_count(member))
    grow_the_map(org, owner, member, cycle, 8)
    assert (warm_count(owner), warm_count(member)) == small
