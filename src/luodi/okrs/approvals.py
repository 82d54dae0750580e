"""Approval of drafts: the member submits, a leader of the unit chain (or an admin)
approves — the objective becomes active — or sends it back with a comment.

Only where the organization requires approval (Organization.requires_approval); there
members' new objectives start as drafts (services._initial_state). Every step is a
Revision (field "approval") and a notification; one transaction each.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from luodi.accounts.models import User
from luodi.notify.events import EventKind, Message, emit
from luodi.okrs import engine
from luodi.okrs.choices import ObjectiveState, Visibility
from luodi.okrs.models import ApprovalStatus, Objective, Revision
from luodi.okrs.permissions import (
    Viewer,
    can_approve_objective,
    can_edit_objective,
    can_see_objective,
    viewer_for,
    visible_objectives_q,
)
from luodi.orgs.choices import MANAGER_ROLES, Role
from luodi.orgs.models import Membership, Unit

MAX_TEXT = 2000


def objective_url(objective: Objective) -> str:
    return reverse("web:objective", kwargs={"org": objective.organization.slug, "pk": objective.pk})


def can_submit(viewer: Viewer, objective: Objective) -> bool:
    """The draft's owner; a draft without owner, whoever may edit it."""
    if not viewer.can_write:
        return False
    if objective.owner_id is not None:
        return objective.owner_id == viewer.user_id
    return can_edit_objective(viewer, objective)


def _writers(objective: Objective) -> QuerySet[Membership]:
    return Membership.objects.filter(
        organization_id=objective.organization_id, role__in=[Role.OWNER, Role.ADMIN, Role.MEMBER]
    )


def chain_leaders(objective: Objective) -> list[int]:
    """The leaders of the objective's unit and of the units above it who may approve it,
    nearest first. None for a private draft (only admins see it). Never the owner."""
    if objective.unit_id is None or objective.visibility == Visibility.PRIVATE:
        return []
    unit = Unit.objects.filter(organization_id=objective.organization_id, pk=objective.unit_id)
    chain = list(unit[0].ancestors(include_self=True)) if unit else []  # root first
    ordered = [u.leader_id for u in reversed(chain) if u.leader_id]
    allowed = set(_writers(objective).filter(user_id__in=ordered).values_list("user_id", flat=True))
    leaders: list[int] = []
    for leader in ordered:
        if leader in allowed and leader not in leaders and leader != objective.owner_id:
            leaders.append(leader)
    return leaders


def approver_ids(objective: Objective) -> list[int]:
    """Who is asked to approve: the nearest leader of the unit chain (the others see the
    draft on their approvals page); without one, every admin but the owner."""
    leaders = chain_leaders(objective)
    if leaders:
        return leaders[:1]
    admins = _writers(objective).filter(role__in=MANAGER_ROLES).exclude(user_id=objective.owner_id)
    return sorted(admins.values_list("user_id", flat=True))


def _locked(objective: Objective) -> Objective:
    """The objective's row, locked (after the chain, in the engine's lock order)."""
    engine.lock_for_edit(objective_ids={objective.pk})
    return (
        Objective.objects.select_for_update(no_key=True)
        .select_related("organization")
        .get(pk=objective.pk, organization_id=objective.organization_id)
    )


def _text(value: str | None, field: str, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: [_("Say why, so the owner knows what to change.")]})
    if len(text) > MAX_TEXT:
        raise ValidationError({field: [_("At most %d characters.") % MAX_TEXT]})
    return text


def _record(objective: Objective, actor: User, old: str, new: str, reason: str) -> None:
    Revision.objects.create(
        organization_id=objective.organization_id,
        objective=objective,
        field="approval",
        old=old,
        new=new,
        reason=reason,
        author=actor,
    )


def _require_visible(viewer: Viewer, objective: Objective) -> None:
    if not can_see_objective(viewer, objective):
        # As for a missing objective: no hint that it exists.
        raise PermissionDenied(_("You may not see this objective."))


@transaction.atomic
def objective_submit(*, objective: Objective, actor: User, note: str = "") -> Objective:
    """The owner hands the draft to the approvers (again, after it was sent back)."""
    viewer = viewer_for(objective.organization, actor)
    _require_visible(viewer, objective)
    objective = _locked(objective)
    if not can_submit(viewer, objective):
        raise PermissionDenied(_("Only the owner of a draft submits it for approval."))
    if objective.state != ObjectiveState.DRAFT:
        raise ValidationError({"state": [_("Only a draft is submitted for approval.")]})
    if not objective.organization.requires_approval:
        raise ValidationError(
            {"state": [_("This organization does not require approval: make it active.")]}
        )
    if objective.approval_status == ApprovalStatus.SUBMITTED:
        raise ValidationError({"state": [_("This draft is already waiting for approval.")]})
    note = _text(note, "note")
    old = objective.approval_status
    objective.approval_status = ApprovalStatus.SUBMITTED
    objective.approval_note = note
    objective.approval_submitted_at = timezone.now()
    objective.approval_comment = ""
    objective.approval_decided_by = None
    objective.approval_decided_at = None
    objective.save()
    _record(objective, actor, old, ApprovalStatus.SUBMITTED, note)
    emit(
        organization=objective.organization,
        kind=EventKind.APPROVAL_REQUESTED,
        recipients=approver_ids(objective),
        title=Message(
            gettext_noop("%(actor)s asks you to approve “%(title)s”"),
            {"actor": actor.display_name, "title": objective.title},
        ),
        body=Message(gettext_noop("Note: %(note)s"), {"note": note}) if note else None,
        url=objective_url(objective),
        actor_id=actor.pk,
        objective_id=objective.pk,
        unit_id=objective.unit_id,
        data={"objective_id": objective.pk, "approval": ApprovalStatus.SUBMITTED},
    )
    return objective


def _decidable(objective: Objective, actor: User) -> tuple[Viewer, Objective]:
    viewer = viewer_for(objective.organization, actor)
    _require_visible(viewer, objective)
    objective = _locked(objective)
    if objective.state != ObjectiveState.DRAFT:
        raise ValidationError({"state": [_("This objective is not a draft any more.")]})
    if objective.approval_status != ApprovalStatus.SUBMITTED:
        raise ValidationError({"state": [_("This draft has not been submitted for approval.")]})
    if not can_approve_objective(viewer, objective):
        raise PermissionDenied(
            _("A leader of the objective's unit or an admin decides, never on their own draft.")
        )
    return viewer, objective


def _tell_owner(objective: Objective, actor: User, approved: bool, comment: str) -> None:
    if approved:
        title = gettext_noop("%(actor)s approved “%(title)s”: it is active now")
    else:
        title = gettext_noop("%(actor)s sent “%(title)s” back to you")
    emit(
        organization=objective.organization,
        kind=EventKind.APPROVAL_DECIDED,
        recipients=[objective.owner_id] if objective.owner_id else [],
        title=Message(title, {"actor": actor.display_name, "title": objective.title}),
        body=Message(gettext_noop("Comment: %(comment)s"), {"comment": comment})
        if comment
        else None,
        url=objective_url(objective),
        actor_id=actor.pk,
        objective_id=objective.pk,
        unit_id=objective.unit_id,
        data={"objective_id": objective.pk, "approval": objective.approval_status},
    )


@transaction.atomic
def objective_approve(*, objective: Objective, actor: User, comment: str = "") -> Objective:
    """The draft becomes active (through objective_update, so roll-ups and history follow)."""
    from luodi.okrs.services import objective_update

    _viewer, objective = _decidable(objective, actor)
    comment = _text(comment, "comment")
    objective, _warnings = objective_update(
        objective=objective, actor=actor, reason=comment, state=ObjectiveState.ACTIVE
    )
    Objective.objects.filter(pk=objective.pk).update(approval_comment=comment)
    objective.approval_comment = comment
    _record(objective, actor, ApprovalStatus.SUBMITTED, ApprovalStatus.APPROVED, comment)
    _tell_owner(objective, actor, True, comment)
    return objective


@transaction.atomic
def objective_return(*, objective: Objective, actor: User, comment: str) -> Objective:
    """Back to the owner with a comment; it stays a draft until resubmitted."""
    _viewer, objective = _decidable(objective, actor)
    comment = _text(comment, "comment", required=True)
    objective.approval_status = ApprovalStatus.RETURNED
    objective.approval_comment = comment
    objective.approval_decided_by = actor
    objective.approval_decided_at = timezone.now()
    objective.save()
    _record(objective, actor, ApprovalStatus.SUBMITTED, ApprovalStatus.RETURNED, comment)
    _tell_owner(objective, actor, False, comment)
    return objective


def pending_for(viewer: Viewer) -> QuerySet[Objective]:
    """The drafts waiting for this viewer's decision. For a leader, the drafts they may see
    that are not theirs are exactly those of the units they lead (visible_objectives_q:
    subqueries, so the query does not grow with the data)."""
    if not viewer.can_write or viewer.organization_id is None:
        return Objective.objects.none()
    waiting = Objective.objects.filter(
        organization_id=viewer.organization_id,
        state=ObjectiveState.DRAFT,
        approval_status=ApprovalStatus.SUBMITTED,
    )
    if viewer.is_admin:
        return waiting
    if not viewer.led_unit_ids:
        return Objective.objects.none()
    return waiting.filter(visible_objectives_q(viewer)).exclude(owner_id=viewer.user_id)
