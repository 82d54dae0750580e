"""Writing OKRs in the pages: the objective form and its alignment picker, the key-result
form, and copying an objective into the next cycle."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from luodi.checkins.services import checkin_submit
from luodi.okrs.models import Alignment, KeyResult, Milestone, Objective, Revision
from luodi.okrs.services import key_result_create, objective_update
from luodi.orgs.choices import CycleState
from luodi.orgs.services import cycle_create, theme_create, unit_create
from tests.conftest import make_metric, make_objective

pytestmark = pytest.mark.django_db


def url(name: str, org, **kwargs) -> str:
    return reverse(f"web:{name}", kwargs={"org": org.slug, **kwargs})


def objective_post(cycle, **fields) -> dict:
    data = {
        "cycle": cycle.pk,
        "title": "Land the new onboarding",
        "description": "",
        "level": "individual",
        "unit": "",
        "owner": "",
        "weight": "1",
        "visibility": "organization",
    }
    data.update(fields)
    return data


def metric_post(**fields) -> dict:
    data = {
        "title": "Activation from 20% to 40%",
        "kind": "metric",
        "start": "20",
        "target": "40",
        "unit": "%",
        "direction": "",
        "threshold_direction": "at_least",
        "weight": "1",
        "owner": "",
        "start_date": "",
        "due_date": "",
    }
    data.update(fields)
    return data


def body(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def error_beside(html: str, field_id: str) -> str:
    """The text of the error block that belongs to a field (id_<name>-error)."""
    match = re.search(rf'id="{field_id}-error">(.*?)</div>', html, re.S)
    assert match, f"no error beside {field_id}"
    return re.sub(r"<[^>]+>", " ", match.group(1)).strip()


# --- creating ------------------------------------------------------------------------------


def test_create_objective_with_two_key_results_through_the_forms(client, org, member, cycle):
    client.force_login(member)
    page = client.get(url("objective-new", org) + f"?cycle={cycle.pk}")
    assert page.status_code == 200
    assert 'name="title"' in body(page) and 'id="al-q"' in body(page)

    response = client.post(url("objective-new", org), objective_post(cycle))

    objective = Objective.objects.get(title="Land the new onboarding")
    assert (objective.owner_id, objective.level, objective.cycle_id) == (
        member.pk,
        "individual",
        cycle.pk,
    )
    assert response.status_code == 302
    assert response["Location"] == url("key-result-new", org, pk=objective.pk)

    first = client.post(response["Location"], {**metric_post(), "_then": "another"})
    assert first.status_code == 302 and first["Location"] == response["Location"]
    second = client.post(
        response["Location"],
        metric_post(
            title="Ship the guided tour",
            kind="milestone",
            start="",
            target="",
            **{
                "ms-0-title": "Design review",
                "ms-0-weight": "1",
                "ms-3-title": "Full release",
                "ms-3-weight": "2",
                "ms-4-title": "",
                "ms-4-weight": "1",
            },
        ),
    )
    assert second.status_code == 302
    assert second["Location"] == url("objective", org, pk=objective.pk)
    metric, milestones = objective.key_results.order_by("position")
    assert (metric.kind, metric.start, metric.target, metric.measure_unit) == (
        "metric",
        Decimal(20),
        Decimal(40),
        "%",
    )
    assert metric.owner_id == member.pk  # the objective's owner by default
    assert [(m.title, m.weight) for m in milestones.milestones.all()] == [
        ("Design review", Decimal(1)),
        ("Full release", Decimal(2)),
    ]


def test_align_to_a_company_objective_and_the_parent_moves_after_a_check_in(
    client, org, owner, member, cycle
):
    company = make_objective(org, owner, cycle, title="Grow the company")
    make_metric(company, owner, title="Revenue")
    client.force_login(member)

    client.post(
        url("objective-new", org),
        objective_post(
            cycle,
            **{"al-0-parent": f"o{company.pk}", "al-0-type": "contributes", "al-0-weight": "2"},
        ),
    )
    child = Objective.objects.get(title="Land the new onboarding")
    link = Alignment.objects.get(child=child)
    assert (link.parent_objective_id, link.type, link.weight) == (
        company.pk,
        "contributes",
        Decimal(2),
    )
    client.post(url("key-result-new", org, pk=child.pk), metric_post(start="0", target="10"))
    kr = child.key_results.get()
    company.refresh_from_db()
    assert company.progress == 0.0

    checkin_submit(key_result=kr, actor=member, value="5", confidence=8)

    company.refresh_from_db()
    # (revenue 0 × 1 + child 0.5 × 2) / 3
    assert company.progress == pytest.approx(1 / 3)
    edit = client.get(url("objective-edit", org, pk=child.pk))
    assert "Grow the company" in body(edit) and 'value="2"' in body(edit)


def test_new_objective_can_start_under_a_parent(client, org, owner, member, cycle):
    company = make_objective(org, owner, cycle, title="Grow the company")
    client.force_login(member)
    page = client.get(url("objective-new", org) + f"?parent=o{company.pk}")
    assert f'name="al-0-parent" value="o{company.pk}"' in body(page)
    assert "Grow the company" in body(page)


# --- errors --------------------------------------------------------------------------------


def test_objective_errors_sit_beside_their_fields_and_keep_what_was_typed(
    client, org, member, cycle
):
    client.force_login(member)
    response = client.post(
        url("objective-new", org),
        objective_post(cycle, title="  ", description="Kept description", weight="-2"),
    )
    html = body(response)
    assert response.status_code == 200
    assert error_beside(html, "id_title")
    assert error_beside(html, "id_weight")
    assert "Kept description" in html and 'value="-2"' in html
    assert 'aria-invalid="true"' in html
    assert not Objective.objects.exists()


def test_service_errors_are_mapped_onto_fields_and_rows(client, org, owner, member, cycle):
    company = make_objective(org, owner, cycle, title="Grow the company")
    revenue = make_metric(company, owner, title="Revenue")
    client.force_login(member)
    # a unit objective without a unit → unit_id; contributes to a metric → alignments[0]
    response = client.post(
        url("objective-new", org),
        objective_post(
            cycle,
            level="unit",
            **{"al-0-parent": f"k{revenue.pk}", "al-0-type": "contributes", "al-0-weight": "1"},
        ),
    )
    html = body(response)
    assert response.status_code == 200
    assert "unit objective needs a unit" in error_beside(html, "id_unit")
    assert not Objective.objects.exclude(pk=company.pk).exists()

    unit = unit_create(organization=org, actor=owner, name="Sales", kind="department")
    response = client.post(
        url("objective-new", org),
        objective_post(
            cycle,
            level="individual",
            unit=str(unit.pk),
            **{"al-0-parent": f"k{revenue.pk}", "al-0-type": "contributes", "al-0-weight": "1"},
        ),
    )
    html = body(response)
    assert "Only a roll-up key result takes contributing children" in html
    assert 'class="al-row has-error"' in html
    assert "Land the new onboarding" in html
    assert not Objective.objects.exclude(pk=company.pk).exists()


def test_key_result_errors_keep_input_and_save_nothing(client, org, member, cycle):
    objective = make_objective(org, member, cycle, level="individual")
    client.force_login(member)
    response = client.post(
        url("key-result-new", org, pk=objective.pk),
        metric_post(title="", target="", weight="heavy", unit="signups"),
    )
    html = body(response)
    assert response.status_code == 200
    assert error_beside(html, "id_title")
    assert "needs a target" in error_beside(html, "id_target")
    assert error_beside(html, "id_weight")
    assert 'value="heavy"' in html and 'value="signups"' in html and 'value="20"' in html
    assert not KeyResult.objects.exists()


def test_milestone_and_phase_errors_land_on_their_rows(client, org, member, cycle):
    objective = make_objective(org, member, cycle, level="individual")
    client.force_login(member)
    outside = (cycle.end_date + timedelta(days=10)).isoformat()
    response = client.post(
        url("key-result-new", org, pk=objective.pk),
        metric_post(**{"ph-0-date": outside, "ph-0-target": "30"}),
    )
    assert "The date must fall inside the period." in body(response)
    assert 'class="row-item has-error"' in body(response)
    response = client.post(
        url("key-result-new", org, pk=objective.pk),
        metric_post(kind="milestone", **{"ms-0-title": "Kick-off", "ms-0-weight": "-1"}),
    )
    assert "The weight cannot be negative." in body(response)
    assert 'value="Kick-off"' in body(response)
    response = client.post(
        url("key-result-new", org, pk=objective.pk),
        metric_post(kind="milestone", **{"ms-0-title": "", "ms-0-weight": "1"}),
    )
    assert "List at least one milestone." in body(response)
    assert not KeyResult.objects.exists()


def test_enforced_policy_refuses_with_an_error_and_saves_nothing(client, org, member, cycle):
    org.policy_mode = "enforce"
    org.policy_objectives_min = 1
    org.policy_objectives_max = 1
    org.save()
    make_objective(org, member, cycle, title="The only one", level="individual")
    client.force_login(member)

    response = client.post(url("objective-new", org), objective_post(cycle))

    assert response.status_code == 200
    assert "2 objectives for one owner in this cycle" in error_beside(body(response), "id_owner")
    assert "form-summary" in body(response)
    assert Objective.objects.count() == 1


def test_advised_policy_saves_and_warns(client, org, member, cycle):
    org.policy_objectives_min = 1
    org.policy_objectives_max = 1
    org.save()
    make_objective(org, member, cycle, title="The only one", level="individual")
    client.force_login(member)

    response = client.post(url("objective-new", org), objective_post(cycle), follow=True)

    assert Objective.objects.count() == 2
    assert "2 objectives for one owner in this cycle" in body(response)
    assert "message-warning" in body(response)


def test_key_result_policy_warning_after_saving(client, org, member, cycle):
    org.policy_key_results_min = 1
    org.policy_key_results_max = 1
    org.save()
    objective = make_objective(org, member, cycle, level="individual")
    make_metric(objective, member)
    client.force_login(member)
    response = client.post(url("key-result-new", org, pk=objective.pk), metric_post())
    assert response.status_code == 302
    assert any("2 key results on one objective" in m for m in messages_of(response))


# --- editing -------------------------------------------------------------------------------


def test_a_target_change_mid_cycle_needs_a_reason(client, org, member, cycle):
    objective = make_objective(org, member, cycle, level="individual")
    kr = make_metric(objective, member, start="0", target="100", title="Signups")
    client.force_login(member)
    edit = client.get(url("key-result-edit", org, pk=kr.pk))
    assert 'data-cycle-started="1"' in body(edit)
    assert 'class="field-reason" hidden' in body(edit)

    response = client.post(
        url("key-result-edit", org, pk=kr.pk),
        metric_post(title="Signups (renamed)", start="0", target="80", state="active", reason=""),
    )

    html = body(response)
    assert response.status_code == 200
    assert "say why the start or target changes" in error_beside(html, "id_reason")
    assert 'class="field-reason" hidden' not in html
    assert 'value="80"' in html and "Signups (renamed)" in html
    kr.refresh_from_db()
    assert (kr.title, kr.target) == ("Signups", Decimal(100))

    response = client.post(
        url("key-result-edit", org, pk=kr.pk),
        metric_post(
            title="Signups", start="0", target="80", state="active", reason="Budget was halved"
        ),
    )
    assert response.status_code == 302
    kr.refresh_from_db()
    assert kr.target == Decimal(80)
    assert Revision.objects.get(key_result=kr, field="target").reason == "Budget was halved"


def test_edit_keeps_milestones_done_and_cancels(client, org, member, cycle):
    objective = make_objective(org, member, cycle, level="individual")
    client.force_login(member)
    client.post(
        url("key-result-new", org, pk=objective.pk),
        metric_post(
            kind="milestone",
            **{"ms-0-title": "One", "ms-0-weight": "1", "ms-1-title": "Two", "ms-1-weight": "1"},
        ),
    )
    kr = KeyResult.objects.get()
    one, two = kr.milestones.all()
    checkin_submit(key_result=kr, actor=member, milestone_ids_done=[one.pk], confidence=7)
    page = client.get(url("key-result-edit", org, pk=kr.pk))
    assert f'name="ms-0-id" value="{one.pk}"' in body(page)

    response = client.post(
        url("key-result-edit", org, pk=kr.pk),
        metric_post(
            kind="milestone",
            state="cancelled",
            **{
                "ms-0-id": str(one.pk),
                "ms-0-title": "One (renamed)",
                "ms-0-weight": "1",
                "ms-2-title": "Three",
                "ms-2-weight": "3",
            },
        ),
    )

    assert response.status_code == 302
    kr.refresh_from_db()
    assert kr.state == "cancelled"
    assert [(m.title, m.done) for m in kr.milestones.all()] == [
        ("One (renamed)", True),
        ("Three", False),
    ]
    assert not Milestone.objects.filter(pk=two.pk).exists()


def test_objective_edit_saves_only_what_changed(client, org, owner, member, cycle):
    theme = theme_create(organization=org, actor=owner, title="Win the market")
    company = make_objective(org, owner, cycle, title="Grow the company")
    objective = make_objective(
        org,
        member,
        cycle,
        title="Mine",
        level="individual",
        alignments=[{"parent_objective_id": company.pk}],
    )
    client.force_login(member)
    page = client.get(url("objective-edit", org, pk=objective.pk))
    assert page.status_code == 200 and 'name="state"' in body(page)

    response = client.post(
        url("objective-edit", org, pk=objective.pk),
        {
            **objective_post(cycle, title="Mine, sharper", owner=str(member.pk)),
            "state": "active",
            "themes": [str(theme.pk)],
            "reason": "Clearer wording",
            "al-0-parent": f"o{company.pk}",
            "al-0-type": "contributes",
            "al-0-weight": "1",
        },
    )

    assert response.status_code == 302
    objective.refresh_from_db()
    assert objective.title == "Mine, sharper"
    fields = set(
        Revision.objects.filter(objective=objective)
        .exclude(field="created")
        .values_list("field", flat=True)
    )
    assert fields == {"title", "theme_ids"}
    assert Revision.objects.get(objective=objective, field="title").reason == "Clearer wording"
    assert Alignment.objects.filter(child=objective).count() == 1


def test_removing_a_parent_on_edit(client, org, owner, member, cycle):
    company = make_objective(org, owner, cycle, title="Grow the company")
    objective = make_objective(
        org,
        member,
        cycle,
        title="Mine",
        level="individual",
        alignments=[{"parent_objective_id": company.pk}],
    )
    client.force_login(member)
    response = client.post(
        url("objective-edit", org, pk=objective.pk),
        {**objective_post(cycle, title="Mine", owner=str(member.pk)), "state": "active"},
    )
    assert response.status_code == 302
    assert not Alignment.objects.filter(child=objective).exists()


# --- without JavaScript --------------------------------------------------------------------


def test_row_buttons_work_without_javascript_and_save_nothing(client, org, owner, member, cycle):
    company = make_objective(org, owner, cycle, title="Grow the company")
    other = make_objective(org, owner, cycle, title="Keep customers")
    client.force_login(member)
    data = objective_post(cycle, title="Typed title", q="keep")
    data.update({"_action": "search"})
    searched = client.post(url("objective-new", org), data)
    assert f'<option value="o{other.pk}"' in body(searched)
    assert f'<option value="o{company.pk}"' not in body(searched)
    assert "Typed title" in body(searched)

    data.update({"_action": "add:al", "al_add": f"o{other.pk}"})
    added = client.post(url("objective-new", org), data)
    assert f'name="al-0-parent" value="o{other.pk}"' in body(added)
    assert "Nothing was saved yet" not in body(added)  # no errors for a row button

    data.update(
        {
            "_action": "remove:al:0",
            "al-0-parent": f"o{other.pk}",
            "al-0-type": "contributes",
            "al-0-weight": "1",
        }
    )
    removed = client.post(url("objective-new", org), data)
    assert 'name="al-0-parent"' not in body(removed)
    assert Objective.objects.count() == 2

    objective = make_objective(org, member, cycle, level="individual")
    more = client.post(
        url("key-result-new", org, pk=objective.pk),
        metric_post(kind="milestone", _action="add:ms", **{"ms-0-title": "One"}),
    )
    assert 'name="ms-1-title"' in body(more) and 'value="One"' in body(more)
    assert not KeyResult.objects.exists()


def test_htmx_fragment_and_redirect_header(client, org, member, cycle):
    objective = make_objective(org, member, cycle, level="individual")
    client.force_login(member)
    fragment = client.get(url("key-result-new", org, pk=objective.pk), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert "<html" not in body(fragment) and 'id="key-result-form"' in body(fragment)
    assert "hx-post=" in body(fragment)
    saved = client.post(
        url("key-result-new", org, pk=objective.pk), metric_post(), HTTP_HX_REQUEST="true"
    )
    assert saved.status_code == 204
    assert saved["HX-Redirect"] == url("objective", org, pk=objective.pk)


# --- who may ---------------------------------------------------------------------------------


def test_who_may_open_the_forms(client, org, owner, member, viewer, other_owner, cycle):
    company = make_objective(org, owner, cycle, title="Grow the company")
    kr = make_metric(company, owner)
    secret = make_objective(
        org,
        owner,
        cycle,
        title="Secret",
        level="individual",
        owner_id=owner.pk,
        visibility="private",
    )
    client.force_login(viewer)
    assert client.get(url("objective-new", org)).status_code == 403
    client.force_login(member)
    assert client.get(url("objective-edit", org, pk=company.pk)).status_code == 403
    assert client.get(url("key-result-new", org, pk=company.pk)).status_code == 403
    assert client.get(url("key-result-edit", org, pk=kr.pk)).status_code == 403
    assert client.post(url("key-result-edit", org, pk=kr.pk), metric_post()).status_code == 403
    assert client.get(url("objective-edit", org, pk=secret.pk)).status_code == 404
    assert client.get(url("objective-copy", org, pk=secret.pk)).status_code == 404
    client.force_login(other_owner)
    assert client.get(url("objective-new", org)).status_code == 404
    assert client.get(url("alignment-search", org)).status_code == 404
    kr.refresh_from_db()
    assert kr.title == "Raise the number"


def test_member_cannot_create_a_company_objective(client, org, member, cycle):
    client.force_login(member)
    response = client.post(url("objective-new", org), objective_post(cycle, level="company"))
    assert response.status_code == 403
    assert "You may create objectives for yourself" in body(response)
    assert not Objective.objects.exists()


# --- alignment search ------------------------------------------------------------------------


def test_alignment_search_shows_only_what_the_user_may_see(
    client, org, owner, member, cycle, other_org, other_owner, other_cycle
):
    visible = make_objective(org, owner, cycle, title="Onboarding for everyone")
    make_metric(visible, owner, title="Onboarding NPS")
    make_objective(
        org,
        owner,
        cycle,
        title="Onboarding secret",
        level="individual",
        owner_id=owner.pk,
        visibility="private",
    )
    make_objective(other_org, other_owner, other_cycle, title="Onboarding elsewhere")
    client.force_login(member)

    response = client.get(
        url("alignment-search", org) + f"?q=onboarding&cycle={cycle.pk}", HTTP_HX_REQUEST="true"
    )

    html = body(response)
    assert response.status_code == 200 and "<html" not in html
    assert "Onboarding for everyone" in html and "Onboarding NPS" in html
    assert "supports only" in html  # a metric key result takes only supports
    assert "Onboarding secret" not in html
    assert "Onboarding elsewhere" not in html
    assert 'role="option"' in html
    # a key-result title finds its objective; no match says so
    by_kr = client.get(url("alignment-search", org) + "?q=nps", HTTP_HX_REQUEST="true")
    assert "Onboarding for everyone" in body(by_kr)
    none = client.get(url("alignment-search", org) + "?q=zzz", HTTP_HX_REQUEST="true")
    assert "Nothing visible matches" in body(none)
    # without JavaScript the same URL is a page
    page = client.get(url("alignment-search", org) + "?q=onboarding")
    assert "<html" in body(page) and "Onboarding secret" not in body(page)


def test_alignment_search_offers_longer_covering_cycles_not_later_ones(
    client, org, owner, member, cycle
):
    year = cycle_create(
        organization=org,
        actor=owner,
        name="The year",
        start_date=cycle.start_date - timedelta(days=60),
        end_date=cycle.end_date + timedelta(days=60),
        state=CycleState.ACTIVE,
    )
    later = cycle_create(
        organization=org,
        actor=owner,
        name="Next quarter",
        start_date=cycle.end_date + timedelta(days=1),
        end_date=cycle.end_date + timedelta(days=90),
    )
    make_objective(org, owner, year, title="Goal of the year")
    make_objective(org, owner, later, title="Goal of next quarter")
    client.force_login(member)
    html = body(
        client.get(url("alignment-search", org) + f"?cycle={cycle.pk}", HTTP_HX_REQUEST="true")
    )
    assert "Goal of the year" in html and "Goal of next quarter" not in html


# --- copy ------------------------------------------------------------------------------------


@pytest.fixture
def next_quarter(org, owner, cycle):
    return cycle_create(
        organization=org,
        actor=owner,
        name="Next quarter",
        start_date=cycle.end_date + timedelta(days=1),
        end_date=cycle.end_date + timedelta(days=91),
    )


def test_copy_into_the_next_cycle(client, org, member, cycle, next_quarter):
    objective = make_objective(org, member, cycle, title="Mine", level="individual")
    kr = make_metric(objective, member, title="Signups")
    make_metric(objective, member, title="Revenue")
    checkin_submit(key_result=kr, actor=member, value="50", confidence=8)
    client.force_login(member)
    page = client.get(url("objective-copy", org, pk=objective.pk))
    assert page.status_code == 200
    assert f'<option value="{next_quarter.pk}" selected' in body(page)

    response = client.post(url("objective-copy", org, pk=objective.pk))

    copy = Objective.objects.get(cycle=next_quarter)
    assert response.status_code == 302
    assert response["Location"] == url("objective", org, pk=copy.pk)
    assert any("Next quarter" in m for m in messages_of(response))
    assert [k.title for k in copy.key_results.all()] == ["Signups", "Revenue"]
    assert all(k.progress is None and k.checkin_count == 0 for k in copy.key_results.all())


def test_copy_refuses_a_closed_cycle(client, org, owner, member, cycle):
    closed = cycle_create(
        organization=org,
        actor=owner,
        name="Old quarter",
        start_date=cycle.start_date - timedelta(days=100),
        end_date=cycle.start_date - timedelta(days=10),
        state=CycleState.CLOSED,
    )
    objective = make_objective(org, member, cycle, title="Mine", level="individual")
    client.force_login(member)
    page = client.get(url("objective-copy", org, pk=objective.pk))
    assert f'value="{closed.pk}"' not in body(page)  # not offered
    assert "no other open cycle" in body(page)

    response = client.post(url("objective-copy", org, pk=objective.pk), {"cycle": closed.pk})

    assert response.status_code == 400
    assert "This cycle is closed." in body(response)
    assert Objective.objects.count() == 1


# --- query counts ----------------------------------------------------------------------------


def _count(client, path: str, **headers) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, **headers)
    assert response.status_code == 200, path
    return len(queries.captured_queries)


def _grow(org, owner, member, cycle, n: int) -> None:
    unit = unit_create(organization=org, actor=owner, name=f"Unit {n}", kind="team")
    theme_create(organization=org, actor=owner, title=f"Theme {n}")
    for index in range(n):
        parent = make_objective(org, owner, cycle, title=f"Company {n}.{index}")
        rollup, _w = key_result_create(objective=parent, actor=owner, kind="rollup", title="R")
        make_metric(parent, owner, title=f"K {n}.{index}")
        child = make_objective(
            org,
            owner,
            cycle,
            title=f"Unit goal {n}.{index}",
            level="unit",
            unit_id=unit.pk,
            alignments=[{"parent_objective_id": parent.pk}, {"parent_key_result_id": rollup.pk}],
        )
        make_metric(child, owner, title=f"KC {n}.{index}")


def _align(edited, owner, objectives: int, rollups: int) -> None:
    parents = Objective.objects.filter(title__startswith="Company").order_by("id")
    krs = KeyResult.objects.filter(kind="rollup").order_by("id")
    objective_update(
        objective=edited,
        actor=owner,
        alignments=[{"parent_objective_id": o.pk} for o in parents[:objectives]]
        + [{"parent_key_result_id": k.pk} for k in krs[:rollups]],
    )


def test_query_counts_do_not_grow_with_the_data(client, org, owner, member, cycle, next_quarter):
    edited = make_objective(org, owner, cycle, title="Edited")
    kr = make_metric(edited, owner, title="Edited KR")
    client.force_login(owner)
    paths = [
        (url("objective-new", org) + f"?cycle={cycle.pk}", {}),
        (url("objective-edit", org, pk=edited.pk), {}),
        (url("key-result-new", org, pk=edited.pk), {}),
        (url("key-result-edit", org, pk=kr.pk), {}),
        (url("objective-copy", org, pk=edited.pk), {}),
        (url("alignment-search", org) + "?q=o", {"HTTP_HX_REQUEST": "true"}),
    ]
    _grow(org, owner, member, cycle, 1)
    _align(edited, owner, 1, 1)
    small = [_count(client, path, **headers) for path, headers in paths]
    _grow(org, owner, member, cycle, 6)
    _align(edited, owner, 4, 3)
    make_metric(edited, owner, title="Another KR")
    large = [_count(client, path, **headers) for path, headers in paths]
    assert large == small, (small, large)
    assert max(small) <= 25, small


# --- every kind ------------------------------------------------------------------------------


def test_every_kind_through_the_form(client, org, member, cycle):
    objective = make_objective(org, member, cycle, level="individual")
    client.force_login(member)
    new = url("key-result-new", org, pk=objective.pk)
    posts = [
        metric_post(title="Churn down", start="8", target="5", unit="%"),
        metric_post(title="Coverage", kind="percentage", start="", target=""),
        metric_post(
            title="Uptime",
            kind="threshold",
            start="",
            target="99.9",
            threshold_direction="at_least",
        ),
        metric_post(title="Latency", kind="threshold", target="300", threshold_direction="at_most"),
        metric_post(title="Hire a lead", kind="boolean", start="", target=""),
        metric_post(title="Teams land it", kind="rollup", start="", target=""),
    ]
    for data in posts:
        response = client.post(new, data)
        assert response.status_code == 302, body(response)
    krs = {kr.title: kr for kr in objective.key_results.all()}
    assert krs["Churn down"].direction == "decrease"
    assert (krs["Coverage"].start, krs["Coverage"].target) == (Decimal(0), Decimal(100))
    assert (krs["Uptime"].direction, krs["Uptime"].target) == ("at_least", Decimal("99.9"))
    assert krs["Uptime"].start is None  # the metric's start typed earlier is not kept
    assert krs["Latency"].direction == "at_most"
    assert (krs["Hire a lead"].kind, krs["Hire a lead"].direction) == ("boolean", "")
    assert krs["Teams land it"].kind == "rollup"
    # a decreasing metric's edit form leaves the direction to start and target
    edit = body(client.get(url("key-result-edit", org, pk=krs["Churn down"].pk)))
    assert '<option value="" selected>' in edit


def test_contributing_to_a_rollup_key_result_through_the_picker(client, org, owner, member, cycle):
    company = make_objective(org, owner, cycle, title="Grow the company")
    rollup, _w = key_result_create(
        objective=company, actor=owner, kind="rollup", title="Every team lands its goal"
    )
    client.force_login(member)
    search = body(
        client.get(url("alignment-search", org) + "?q=every team", HTTP_HX_REQUEST="true")
    )
    assert f'data-parent="k{rollup.pk}"' in search and 'data-supports-only="0"' in search
    client.post(
        url("objective-new", org),
        objective_post(
            cycle,
            **{"al-0-parent": f"k{rollup.pk}", "al-0-type": "contributes", "al-0-weight": "1"},
        ),
    )
    child = Objective.objects.get(title="Land the new onboarding")
    client.post(url("key-result-new", org, pk=child.pk), metric_post(start="0", target="4"))
    checkin_submit(key_result=child.key_results.get(), actor=member, value="3", confidence=7)
    rollup.refresh_from_db()
    assert rollup.progress == pytest.approx(0.75)
