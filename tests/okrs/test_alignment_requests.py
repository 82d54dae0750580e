"""Cross-team alignment requests (okrs.alignment_requests): ask, accept by linking or by
creating, decline, cancel; who may; what is refused; who hears of it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from luodi.notify.events import EventKind
from luodi.okrs.alignment_requests import (
    alignment_request_accept,
    alignment_request_cancel,
    alignment_request_create,
    alignment_request_decline,
    incoming_for,
    link_candidates,
    outgoing_for,
)
from luodi.okrs.models import Alignment, AlignmentRequest, Objective
from luodi.okrs.permissions import viewer_for
from luodi.okrs.services import objective_update
from luodi.orgs.choices import CycleState
from luodi.orgs.models import Membership
from luodi.orgs.services import cycle_create, member_add, member_update, unit_create
from tests.okrs.factories import check_in, key_result, objective, progress_of
from tests.okrs.test_approvals import forget, persona
from tests.okrs.test_approvals import spy as spy  # the fixture


@pytest.fixture
def teams(org, owner, member, admin, viewer, cycle, unit_tree):
    """Platform (Tom) asks Sales (Sam, with Sue) for support."""
    sam = member_add(
        organization=org, actor=owner, email="sam@acme.example", name="Sam Sales", role="member"
    ).user
    sue = member_add(
        organization=org, actor=owner, email="sue@acme.example", name="Sue Seller", role="member"
    ).user
    sales = unit_create(
        organization=org,
        actor=owner,
        name="Sales",
        kind="department",
        parent_id=unit_tree.company.pk,
        leader_id=sam.pk,
    )
    for user in (sam, sue):
        member_update(
            membership=Membership.objects.get(organization=org, user=user),
            actor=owner,
            unit_id=sales.pk,
        )
    forget(owner, member, admin, viewer, sam, sue, unit_tree.lead, unit_tree.tom)
    unit_tree.sam, unit_tree.sue, unit_tree.sales = sam, sue, sales
    return unit_tree


@pytest.fixture
def asking(org, cycle, teams) -> Objective:
    return objective(
        org,
        teams.tom,
        cycle,
        "Launch the self-service portal",
        level="unit",
        unit_id=teams.team.pk,
        owner_id=teams.tom.pk,
    )


def ask(asking, actor, teams, **fields) -> AlignmentRequest:
    fields.setdefault("to_unit_id", teams.sales.pk)
    return alignment_request_create(objective=asking, actor=actor, **fields)


def fresh(request: AlignmentRequest) -> AlignmentRequest:
    return AlignmentRequest.objects.get(pk=request.pk)


# --- the flows ---------------------------------------------------------------------------------


def test_accept_by_linking_an_existing_objective(org, cycle, teams, asking, spy):
    request = ask(asking, teams.tom, teams, type="contributes", message="Can you help?")
    assert (request.state, request.from_unit_id, request.requested_by_id) == (
        "pending",
        teams.team.pk,
        teams.tom.pk,
    )
    theirs = objective(
        org,
        teams.sam,
        cycle,
        "Sell the portal",
        level="unit",
        unit_id=teams.sales.pk,
        owner_id=teams.sam.pk,
    )
    assert list(link_candidates(viewer_for(org, teams.sam), request)) == [theirs]
    check_in(key_result(theirs, teams.sam), teams.sam, "5")

    alignment_request_accept(request=request, actor=teams.sam, objective_id=theirs.pk)

    got = fresh(request)
    assert (got.state, got.answered_by_id, got.child_objective_id) == (
        "accepted",
        teams.sam.pk,
        theirs.pk,
    )
    link = Alignment.objects.get(child=theirs)
    assert (link.parent_objective_id, link.type) == (asking.pk, "contributes")
    assert progress_of(asking) == 0.5  # the child counts in the parent at once
    (answered,) = spy.of(EventKind.ALIGNMENT_ANSWERED)
    assert answered["recipients"] == [teams.tom.pk]
    assert answered["objective_id"] == asking.pk


def test_accept_keeps_the_childs_other_links(org, owner, cycle, teams, asking):
    company = objective(org, owner, cycle, "Company goal")
    theirs = objective(
        org,
        teams.sam,
        cycle,
        "Sell",
        level="unit",
        unit_id=teams.sales.pk,
        alignments=[{"parent_objective_id": company.pk, "type": "supports"}],
    )
    request = ask(asking, teams.tom, teams, type="supports")
    alignment_request_accept(request=request, actor=teams.sam, objective_id=str(theirs.pk))
    parents = set(Alignment.objects.filter(child=theirs).values_list("parent_objective_id", "type"))
    assert parents == {(company.pk, "supports"), (asking.pk, "supports")}


def test_accept_by_creating_a_new_objective(org, cycle, teams, asking):
    request = ask(asking, teams.tom, teams)
    alignment_request_accept(request=request, actor=teams.sam, create=True, comment="On it")
    got = fresh(request)
    child = got.child_objective
    assert child is not None
    assert (child.title, child.level, child.unit_id, child.owner_id, child.cycle_id) == (
        asking.title,
        "unit",
        teams.sales.pk,
        teams.sam.pk,
        asking.cycle_id,
    )
    assert Alignment.objects.filter(child=child, parent_objective=asking).exists()
    assert (got.state, got.answer_comment) == ("accepted", "On it")


def test_decline_needs_a_comment(org, teams, asking, spy):
    request = ask(asking, teams.tom, teams)
    with pytest.raises(ValidationError) as exc:
        alignment_request_decline(request=request, actor=teams.sam, comment=" ")
    assert list(exc.value.message_dict) == ["comment"]
    assert fresh(request).state == "pending"
    alignment_request_decline(request=request, actor=teams.sam, comment="Full this quarter")
    got = fresh(request)
    assert (got.state, got.answer_comment, got.child_objective_id) == (
        "declined",
        "Full this quarter",
        None,
    )
    (answered,) = spy.of(EventKind.ALIGNMENT_ANSWERED)
    assert answered["recipients"] == [teams.tom.pk]
    assert answered["body"].params == {"comment": "Full this quarter"}


def test_the_requester_cancels(org, teams, asking):
    request = ask(asking, teams.tom, teams)
    with pytest.raises(PermissionDenied):
        alignment_request_cancel(request=request, actor=teams.sam)
    alignment_request_cancel(request=request, actor=teams.tom)
    assert fresh(request).state == "cancelled"
    for action in (
        lambda: alignment_request_accept(request=request, actor=teams.sam, create=True),
        lambda: alignment_request_decline(request=request, actor=teams.sam, comment="no"),
        lambda: alignment_request_cancel(request=request, actor=teams.tom),
    ):
        with pytest.raises(ValidationError):
            action()
    assert fresh(request).state == "cancelled"
    # Once answered, the same team may be asked again.
    again = ask(asking, teams.tom, teams)
    assert again.state == "pending"


# --- what is refused ---------------------------------------------------------------------------


def test_refusals_when_asking(org, cycle, teams, asking, other_org, other_owner):
    with pytest.raises(ValidationError) as exc:
        ask(asking, teams.tom, teams, to_unit_id=teams.team.pk)
    assert list(exc.value.message_dict) == ["to_unit_id"]
    foreign = unit_create(organization=other_org, actor=other_owner, name="Theirs", kind="team")
    with pytest.raises(ValidationError) as exc:
        ask(asking, teams.tom, teams, to_unit_id=foreign.pk)
    assert exc.value.message_dict == {"to_unit_id": ["No such unit in this organization."]}
    with pytest.raises(ValidationError):
        ask(asking, teams.tom, teams, type="owns")
    ask(asking, teams.tom, teams)
    with pytest.raises(ValidationError) as exc:
        ask(asking, teams.tom, teams)
    assert "already waiting" in str(exc.value)
    assert AlignmentRequest.objects.count() == 1


@pytest.mark.parametrize(
    "change", [{"visibility": "unit"}, {"visibility": "private"}, {"state": "cancelled"}]
)
def test_only_active_organization_wide_objectives_are_shared(org, teams, asking, change):
    hidden = objective_update(objective=asking, actor=teams.tom, **change)[0]
    with pytest.raises(ValidationError) as exc:
        ask(hidden, teams.tom, teams)
    assert list(exc.value.message_dict) == ["objective"]
    assert AlignmentRequest.objects.count() == 0


def test_an_objective_of_a_closed_cycle_asks_no_one(org, cycle, teams, asking):
    cycle.state = CycleState.CLOSED
    cycle.save(update_fields=["state"])
    asking.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        ask(asking, teams.tom, teams)
    assert exc.value.message_dict == {"objective": ["This objective's cycle is closed."]}
    assert AlignmentRequest.objects.count() == 0


def test_a_request_whose_objective_turned_private_cannot_be_accepted(org, teams, asking):
    request = ask(asking, teams.tom, teams)
    objective_update(objective=asking, actor=teams.tom, visibility="private")
    forget(teams.sam)
    assert list(incoming_for(viewer_for(org, teams.sam))) == []
    with pytest.raises(PermissionDenied):
        alignment_request_accept(request=request, actor=teams.sam, create=True)
    assert fresh(request).state == "pending"


def test_refusals_when_linking(org, owner, cycle, teams, asking, other_org, other_cycle):
    request = ask(asking, teams.tom, teams)
    ours = objective(org, teams.tom, cycle, "Platform other", level="unit", unit_id=teams.team.pk)
    later = cycle_create(
        organization=org,
        actor=owner,
        name="Far future",
        start_date=cycle.end_date + timedelta(days=100),
        end_date=cycle.end_date + timedelta(days=190),
        state=CycleState.PLANNING,
    )
    future = objective(org, teams.sam, later, "Far", level="unit", unit_id=teams.sales.pk)
    foreign = objective(other_org, other_org_owner(other_org), other_cycle, "Theirs")
    cases = [
        ({}, "objective_id"),
        ({"objective_id": 1, "create": True}, "objective_id"),
        ({"objective_id": ours.pk}, "objective_id"),  # not Sales'
        ({"objective_id": future.pk}, "objective_id"),  # cycles do not overlap
        ({"objective_id": foreign.pk}, "objective_id"),  # another organization
        ({"objective_id": "x"}, "objective_id"),
        ({"objective_id": 10**30}, "objective_id"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as exc:
            alignment_request_accept(request=request, actor=teams.sam, **kwargs)
        assert list(exc.value.message_dict) == [field], kwargs
    assert fresh(request).state == "pending"
    assert not Alignment.objects.filter(parent_objective=asking).exists()


def other_org_owner(other_org) -> Any:
    return Membership.objects.filter(organization=other_org).first().user


def test_alignment_cycles_are_refused_with_the_existing_rule(org, cycle, teams, asking):
    # Sales' objective is already above Platform's: linking it below would make a cycle.
    theirs = objective(org, teams.sam, cycle, "Sales goal", level="unit", unit_id=teams.sales.pk)
    objective_update(
        objective=asking, actor=teams.tom, alignments=[{"parent_objective_id": theirs.pk}]
    )
    request = ask(asking, teams.tom, teams)
    with pytest.raises(ValidationError) as exc:
        alignment_request_accept(request=request, actor=teams.sam, objective_id=theirs.pk)
    assert exc.value.message_dict == {"objective_id": ["This alignment would make a cycle."]}
    assert fresh(request).state == "pending"


def test_already_aligned_is_refused(org, cycle, teams, asking):
    theirs = objective(
        org,
        teams.sam,
        cycle,
        "Sales goal",
        level="unit",
        unit_id=teams.sales.pk,
        alignments=[{"parent_objective_id": asking.pk}],
    )
    request = ask(asking, teams.tom, teams)
    with pytest.raises(ValidationError) as exc:
        alignment_request_accept(request=request, actor=teams.sam, objective_id=theirs.pk)
    assert "already aligned" in str(exc.value)


# --- permissions -------------------------------------------------------------------------------

ASKERS = {"tom", "lead", "owner", "admin"}  # objective's owner, leaders above, admins
ANSWERERS = {"sam", "owner", "admin"}  # Sales' leader, the company leader/owner, admins


@pytest.mark.parametrize(
    "name", ["member", "colleague", "tom", "lead", "owner", "sam", "admin", "viewer", "outsider"]
)
def test_who_may_ask(name, request, org, teams, asking):
    actor = persona(name, request, teams)
    if name in ASKERS:
        ask(asking, actor, teams)
        assert AlignmentRequest.objects.count() == 1
        return
    with pytest.raises(PermissionDenied):
        ask(asking, actor, teams)
    assert AlignmentRequest.objects.count() == 0


@pytest.mark.parametrize(
    "name", ["member", "tom", "lead", "owner", "sam", "sue", "admin", "viewer", "outsider"]
)
def test_who_may_answer(name, request, org, teams, asking):
    pending = ask(asking, teams.tom, teams)
    actor = teams.sue if name == "sue" else persona(name, request, teams)
    if name in ANSWERERS:
        alignment_request_decline(request=pending, actor=actor, comment="No room")
        assert fresh(pending).state == "declined"
        return
    with pytest.raises(PermissionDenied):
        alignment_request_decline(request=pending, actor=actor, comment="No room")
    with pytest.raises(PermissionDenied):
        alignment_request_accept(request=pending, actor=actor, create=True)
    assert fresh(pending).state == "pending"


# --- notifications and lists -------------------------------------------------------------------


def test_the_asked_teams_leader_hears_of_it(org, owner, teams, asking, spy):
    ask(asking, teams.tom, teams, message="Please")
    (event,) = spy.of(EventKind.ALIGNMENT_REQUESTED)
    assert event["recipients"] == [teams.sam.pk]
    assert event["unit_id"] == teams.sales.pk
    assert event["objective_id"] == asking.pk
    assert event["url"] == f"/o/{org.slug}/alignment-requests/"
    assert event["body"].params == {"message": "Please"}


def test_a_unit_without_leader_asks_the_admins(org, owner, admin, teams, asking, spy):
    ops = unit_create(organization=org, actor=owner, name="Ops", kind="team")
    ask(asking, teams.tom, teams, to_unit_id=ops.pk)
    (event,) = spy.of(EventKind.ALIGNMENT_REQUESTED)
    assert sorted(event["recipients"]) == sorted([owner.pk, admin.pk])


def test_incoming_and_outgoing(org, owner, member, teams, asking):
    request = ask(asking, teams.tom, teams)
    forget(owner, member, teams.sam, teams.tom, teams.sue)

    def ids(queryset):
        return [r.pk for r in queryset]

    assert ids(incoming_for(viewer_for(org, teams.sam))) == [request.pk]
    assert ids(incoming_for(viewer_for(org, teams.tom))) == []
    assert ids(outgoing_for(viewer_for(org, teams.tom))) == [request.pk]
    assert ids(outgoing_for(viewer_for(org, teams.sam))) == []
    assert ids(incoming_for(viewer_for(org, teams.sue))) == []
    assert ids(incoming_for(viewer_for(org, owner))) == [request.pk]
    assert ids(incoming_for(viewer_for(org, member))) == []
