"""Approval of drafts (okrs.approvals): the flow, who may do what, history, notifications."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from luodi.checkins.services import checkin_submit
from luodi.notify import services as notify_services
from luodi.notify.events import EventKind
from luodi.okrs.approvals import (
    approver_ids,
    chain_leaders,
    objective_approve,
    objective_return,
    objective_submit,
    pending_for,
)
from luodi.okrs.models import Objective, Revision
from luodi.okrs.permissions import viewer_for
from luodi.okrs.services import objective_update
from luodi.orgs.choices import Role
from luodi.orgs.models import Membership
from luodi.orgs.services import member_add, member_update, organization_update, unit_create
from tests.okrs.factories import check_in, key_result, objective, progress_of


class Spy:
    """Records what is handed to notify.services.dispatch."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def __call__(self, **event: Any) -> None:
        self.events.append(event)

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["kind"] == kind]


@pytest.fixture
def spy(monkeypatch: Any) -> Spy:
    recorder = Spy()
    monkeypatch.setattr(notify_services, "dispatch", recorder)
    return recorder


def forget(*users: Any) -> None:
    for user in users:
        user.__dict__.pop("_luodi_viewers", None)
        user.__dict__.pop("_luodi_memberships", None)


@pytest.fixture
def team(org, owner, member, admin, viewer, cycle, unit_tree):
    """Acme requires approval; Sales (led by Sam) sits beside Engineering."""
    organization_update(organization=org, actor=owner, requires_approval=True)
    org.refresh_from_db()
    sam = member_add(
        organization=org, actor=owner, email="sam@acme.example", name="Sam Sales", role="member"
    ).user
    sales = unit_create(
        organization=org,
        actor=owner,
        name="Sales",
        kind="department",
        parent_id=unit_tree.company.pk,
        leader_id=sam.pk,
    )
    member_update(
        membership=Membership.objects.get(organization=org, user=sam), actor=owner, unit_id=sales.pk
    )
    forget(owner, member, admin, viewer, sam, unit_tree.lead, unit_tree.tom, unit_tree.colleague)
    unit_tree.sam = sam
    unit_tree.sales = sales
    return unit_tree


@pytest.fixture
def draft(org, member, cycle, team) -> Objective:
    created = objective(org, member, cycle, "Ship the new onboarding", level="individual")
    assert created.state == "draft" and created.unit_id == team.team.pk
    return created


def fresh(obj: Objective) -> Objective:
    return Objective.objects.get(pk=obj.pk)


def steps(obj: Objective) -> list[tuple[str | None, str | None, str]]:
    return [
        (r.old, r.new, r.reason)
        for r in Revision.objects.filter(objective=obj, field="approval").order_by("id")
    ]


# --- the whole flow ----------------------------------------------------------------------------


def test_draft_submit_return_resubmit_approve_then_check_ins(org, member, cycle, team, draft, spy):
    kr = key_result(draft, member)
    with pytest.raises(ValidationError):
        checkin_submit(key_result=kr, actor=member, value="5")

    objective_submit(objective=draft, actor=member, note="Ready for a look")
    got = fresh(draft)
    assert (got.state, got.approval_status, got.approval_note) == (
        "draft",
        "submitted",
        "Ready for a look",
    )
    assert got.approval_submitted_at is not None

    objective_return(objective=got, actor=team.tom, comment="Make the second result measurable")
    got = fresh(draft)
    assert (got.state, got.approval_status) == ("draft", "returned")
    assert got.approval_comment == "Make the second result measurable"
    assert got.approval_decided_by_id == team.tom.pk and got.approval_decided_at is not None

    objective_update(objective=got, actor=member, title="Ship the new onboarding by June")
    objective_submit(objective=fresh(draft), actor=member)
    got = fresh(draft)
    assert got.approval_status == "submitted"
    assert got.approval_comment == "" and got.approval_decided_by_id is None

    objective_approve(objective=got, actor=team.tom, comment="Good")
    got = fresh(draft)
    assert (got.state, got.approval_status, got.approval_comment) == ("active", "approved", "Good")
    assert got.approval_decided_by_id == team.tom.pk

    check_in(kr, member, "5")
    assert progress_of(kr) == 0.5
    assert steps(draft) == [
        ("none", "submitted", "Ready for a look"),
        ("submitted", "returned", "Make the second result measurable"),
        ("returned", "submitted", ""),
        ("submitted", "approved", "Good"),
    ]
    state_change = Revision.objects.get(objective=draft, field="state")
    assert (state_change.old, state_change.new, state_change.author_id) == (
        "draft",
        "active",
        team.tom.pk,
    )


def test_approval_counts_the_child_in_its_parent(org, owner, member, cycle, team):
    parent = objective(org, owner, cycle, "Parent")
    check_in(key_result(parent, owner), owner, "10")
    child = objective(
        org,
        member,
        cycle,
        "Child",
        level="individual",
        alignments=[{"parent_objective_id": parent.pk}],
    )
    key_result(child, member)
    assert progress_of(parent) == 1.0
    objective_submit(objective=child, actor=member)
    objective_approve(objective=fresh(child), actor=team.tom)
    assert progress_of(parent) == 0.5


# --- wrong states ------------------------------------------------------------------------------


def test_clear_errors_for_wrong_states(org, owner, member, cycle, team, draft):
    with pytest.raises(ValidationError) as exc:
        objective_approve(objective=draft, actor=team.tom)
    assert "not been submitted" in str(exc.value)
    with pytest.raises(ValidationError):
        objective_return(objective=draft, actor=team.tom, comment="x")

    objective_submit(objective=draft, actor=member)
    with pytest.raises(ValidationError) as exc:
        objective_submit(objective=fresh(draft), actor=member)
    assert "already waiting" in str(exc.value)

    with pytest.raises(ValidationError) as exc:
        objective_return(objective=fresh(draft), actor=team.tom, comment="   ")
    assert exc.value.message_dict == {"comment": ["Say why, so the owner knows what to change."]}
    assert fresh(draft).approval_status == "submitted"

    objective_approve(objective=fresh(draft), actor=team.tom)
    for action in (
        lambda: objective_submit(objective=fresh(draft), actor=member),
        lambda: objective_approve(objective=fresh(draft), actor=team.tom),
        lambda: objective_return(objective=fresh(draft), actor=team.tom, comment="late"),
    ):
        with pytest.raises(ValidationError):
            action()
    assert fresh(draft).state == "active"


def test_long_texts_are_refused_and_nothing_changes(org, member, team, draft):
    with pytest.raises(ValidationError) as exc:
        objective_submit(objective=draft, actor=member, note="x" * 2001)
    assert list(exc.value.message_dict) == ["note"]
    assert fresh(draft).approval_status == "none"
    assert steps(draft) == []


# --- permissions -------------------------------------------------------------------------------

PERSONAS = ["member", "colleague", "tom", "lead", "owner", "sam", "admin", "viewer", "outsider"]
MAY_DECIDE = {"tom", "lead", "owner", "admin"}  # unit leader, leaders above, admins


def persona(name, request, team) -> Any:
    if name in ("colleague", "tom", "lead", "sam"):
        return getattr(team, name)
    if name == "outsider":
        return request.getfixturevalue("other_owner")
    return request.getfixturevalue(name)


@pytest.mark.parametrize("name", PERSONAS)
def test_who_may_approve(name, request, org, member, team, draft):
    objective_submit(objective=draft, actor=member)
    actor = persona(name, request, team)
    if name in MAY_DECIDE:
        objective_approve(objective=fresh(draft), actor=actor)
        assert fresh(draft).state == "active"
        return
    with pytest.raises(PermissionDenied):
        objective_approve(objective=fresh(draft), actor=actor)
    assert (fresh(draft).state, fresh(draft).approval_status) == ("draft", "submitted")


@pytest.mark.parametrize("name", PERSONAS)
def test_who_may_send_back(name, request, org, member, team, draft):
    objective_submit(objective=draft, actor=member)
    actor = persona(name, request, team)
    if name in MAY_DECIDE:
        objective_return(objective=fresh(draft), actor=actor, comment="Not yet")
        assert fresh(draft).approval_status == "returned"
        return
    with pytest.raises(PermissionDenied):
        objective_return(objective=fresh(draft), actor=actor, comment="Not yet")
    assert fresh(draft).approval_status == "submitted"


@pytest.mark.parametrize("name", PERSONAS)
def test_only_the_owner_submits(name, request, org, team, draft):
    actor = persona(name, request, team)
    if name == "member":
        objective_submit(objective=draft, actor=actor)
        assert fresh(draft).approval_status == "submitted"
        return
    with pytest.raises(PermissionDenied):
        objective_submit(objective=draft, actor=actor)
    assert fresh(draft).approval_status == "none"


def test_a_leader_does_not_approve_their_own_draft(org, cycle, team, spy):
    mine = objective(org, team.tom, cycle, "Platform goal", level="unit", unit_id=team.team.pk)
    mine_owned = objective_update(objective=mine, actor=team.tom, owner_id=team.tom.pk)[0]
    assert mine_owned.state == "draft"
    objective_submit(objective=mine_owned, actor=team.tom)
    # The nearest leader who is not the owner is asked: Lena, above Tom.
    assert spy.of(EventKind.APPROVAL_REQUESTED)[-1]["recipients"] == [team.lead.pk]
    with pytest.raises(PermissionDenied):
        objective_approve(objective=fresh(mine), actor=team.tom)
    with pytest.raises(PermissionDenied):
        objective_update(objective=fresh(mine), actor=team.tom, state="active")
    objective_approve(objective=fresh(mine), actor=team.lead)
    assert fresh(mine).state == "active"


def test_the_edit_form_path_keeps_the_same_rule_and_records_approval(org, member, team, draft):
    with pytest.raises(PermissionDenied):
        objective_update(objective=draft, actor=member, state="active")
    with pytest.raises(PermissionDenied):
        objective_update(objective=draft, actor=team.sam, state="active")
    objective_update(objective=draft, actor=team.lead, state="active")
    got = fresh(draft)
    assert (got.state, got.approval_status, got.approval_decided_by_id) == (
        "active",
        "approved",
        team.lead.pk,
    )
    objective_update(objective=got, actor=team.lead, state="draft")
    assert fresh(draft).approval_status == "none"


def test_a_private_draft_goes_to_admins_only(org, owner, admin, member, cycle, team, spy):
    private = objective(org, member, cycle, "Secret plan", level="individual", visibility="private")
    assert chain_leaders(private) == []
    objective_submit(objective=private, actor=member)
    event = spy.of(EventKind.APPROVAL_REQUESTED)[-1]
    assert sorted(event["recipients"]) == sorted([owner.pk, admin.pk])
    with pytest.raises(PermissionDenied):
        objective_approve(objective=fresh(private), actor=team.tom)
    objective_approve(objective=fresh(private), actor=admin)
    assert fresh(private).state == "active"


# --- organizations without approval ------------------------------------------------------------


def test_organization_without_approval_is_unaffected(org, owner, member, cycle, spy):
    mine = objective(org, member, cycle, "Mine", level="individual")
    assert (mine.state, mine.approval_status) == ("active", "none")
    drafted = objective(org, member, cycle, "Later", level="individual", state="draft")
    with pytest.raises(ValidationError) as exc:
        objective_submit(objective=drafted, actor=member)
    assert "does not require approval" in str(exc.value)
    objective_update(objective=drafted, actor=member, state="active")
    got = fresh(drafted)
    assert (got.state, got.approval_status) == ("active", "none")
    assert spy.events == []


# --- notifications -----------------------------------------------------------------------------


def test_notifications_go_to_the_nearest_leader_then_the_owner(
    org, owner, member, cycle, team, draft, spy
):
    assert chain_leaders(draft) == [team.tom.pk, team.lead.pk, owner.pk]
    objective_submit(objective=draft, actor=member, note="please")
    (requested,) = spy.of(EventKind.APPROVAL_REQUESTED)
    assert requested["recipients"] == [team.tom.pk]
    assert requested["organization"] == org
    assert requested["objective_id"] == draft.pk
    assert requested["actor_id"] == member.pk
    assert requested["url"] == f"/o/{org.slug}/objectives/{draft.pk}/"
    assert requested["title"].params["title"] == draft.title

    objective_return(objective=fresh(draft), actor=team.lead, comment="Sharpen it")
    (decided,) = spy.of(EventKind.APPROVAL_DECIDED)
    assert decided["recipients"] == [member.pk]
    assert decided["body"].params == {"comment": "Sharpen it"}
    assert decided["data"]["approval"] == "returned"

    objective_submit(objective=fresh(draft), actor=member)
    objective_approve(objective=fresh(draft), actor=team.tom)
    approved = spy.of(EventKind.APPROVAL_DECIDED)[-1]
    assert approved["recipients"] == [member.pk] and approved["data"]["approval"] == "approved"
    # Nobody outside the organization is ever named.
    outsiders = set(Membership.objects.exclude(organization=org).values_list("user_id", flat=True))
    assert not outsiders & {r for e in spy.events for r in e["recipients"]}


def test_without_leaders_the_admins_are_asked(org, owner, admin, member, cycle, spy):
    organization_update(organization=org, actor=owner, requires_approval=True)
    org.refresh_from_db()
    forget(member)
    loose = objective(org, member, cycle, "No unit", level="individual")
    assert loose.unit_id is None
    assert approver_ids(loose) == sorted([owner.pk, admin.pk])
    objective_submit(objective=loose, actor=member)
    assert sorted(spy.of(EventKind.APPROVAL_REQUESTED)[0]["recipients"]) == sorted(
        [owner.pk, admin.pk]
    )


def test_a_viewer_role_leader_is_not_asked(org, owner, member, cycle, team, draft, spy):
    tom_membership = Membership.objects.get(organization=org, user=team.tom)
    member_update(membership=tom_membership, actor=owner, role=Role.VIEWER)
    forget(team.tom)
    objective_submit(objective=draft, actor=member)
    assert spy.of(EventKind.APPROVAL_REQUESTED)[0]["recipients"] == [team.lead.pk]


# --- the approvals list ------------------------------------------------------------------------


def test_pending_for_each_person(org, owner, admin, member, cycle, team, draft):
    other = objective(org, team.sam, cycle, "Sales draft", level="individual")
    objective_submit(objective=draft, actor=member)
    objective_submit(objective=other, actor=team.sam)
    forget(owner, admin, team.tom, team.lead, team.sam, member)

    def ids(user):
        return set(pending_for(viewer_for(org, user)).values_list("pk", flat=True))

    assert ids(team.tom) == {draft.pk}
    assert ids(team.lead) == {draft.pk}
    assert ids(team.sam) == set()  # his own draft is not his to approve
    assert ids(owner) == {draft.pk, other.pk}
    assert ids(admin) == {draft.pk, other.pk}
    assert ids(member) == set()


# --- with the real inbox (no spy): what lands where ---------------------------------------------


def test_inbox_rows_reach_only_people_who_may_see_the_draft(
    org, owner, admin, member, cycle, team, other_owner
):
    from luodi.notify.models import Notification

    objective_submit(objective=draft_of(org, member, cycle, "Visible draft"), actor=member)
    private = draft_of(org, member, cycle, "Private draft", visibility="private")
    objective_submit(objective=private, actor=member)
    objective_return(objective=fresh(private), actor=admin, comment="Private note for Mia")
    rows = list(Notification.objects.values_list("recipient_id", "kind", "title", "body"))
    by_person: dict[int, list[tuple[str, str, str]]] = {}
    for recipient, kind, title, body in rows:
        by_person.setdefault(recipient, []).append((kind, title, body))
    assert "Visible draft" in by_person[team.tom.pk][0][1]
    # Leaders never hear of the private draft; only admins and its owner do.
    for leader in (team.tom, team.lead, team.sam, team.colleague):
        assert not any("Private draft" in title for _k, title, _b in by_person.get(leader.pk, []))
    assert any("Private draft" in title for _k, title, _b in by_person[admin.pk])
    (decided,) = [n for n in by_person[member.pk] if n[0] == EventKind.APPROVAL_DECIDED]
    assert "Private note for Mia" in decided[2]
    assert other_owner.pk not in by_person
    assert set(Notification.objects.values_list("organization_id", flat=True)) == {org.pk}


def draft_of(org, member, cycle, title: str, **fields: Any) -> Objective:
    return objective(org, member, cycle, title, level="individual", **fields)
