"""Writes to objectives and key results. Keyword-only, one transaction each.

Every write records revisions and keeps progress right along the alignment chain.
Services return `(object, warnings)` where the organization's count policy advises.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.accounts.models import User
from luodi.core.validation import full_clean_or_raise
from luodi.okrs import engine
from luodi.okrs.alignments import alignment_specs, replace_alignments, validate_alignments
from luodi.okrs.choices import Level, ObjectiveState, Visibility
from luodi.okrs.key_result_rules import (
    KeyResultChildren,
    apply_key_result_fields,
    key_result_snapshot,
)
from luodi.okrs.models import Alignment, ApprovalStatus, KeyResult, Objective, ObjectiveTheme
from luodi.okrs.permissions import (
    Viewer,
    can_approve_objective,
    can_edit_objective,
    can_manage_objective,
    viewer_for,
)
from luodi.okrs.policy import PolicyWarning, check_key_result_count, check_objective_count
from luodi.okrs.revisions import record_changes, record_created
from luodi.okrs.selectors import org_today
from luodi.orgs.choices import CycleState
from luodi.orgs.models import Cycle, Membership, Organization, Theme, Unit

OBJECTIVE_TRACKED_FIELDS = (
    "title",
    "description",
    "level",
    "unit_id",
    "owner_id",
    "weight",
    "visibility",
    "state",
    "cycle_id",
    "self_score",
    "final_score",
    "theme_ids",
    "alignments",
)
OBJECTIVE_WRITABLE = set(OBJECTIVE_TRACKED_FIELDS)


def _field_error(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _cycle_of(organization: Organization, cycle_id: Any) -> Cycle:
    cycle = Cycle.objects.filter(organization=organization, pk=cycle_id).first()
    if cycle is None:
        raise _field_error("cycle_id", _("No such cycle in this organization."))
    return cycle


def _member_id(organization: Organization, user_id: Any, field: str) -> int | None:
    if user_id is None:
        return None
    if not Membership.objects.filter(organization=organization, user_id=user_id).exists():
        raise _field_error(field, _("No such member in this organization."))
    return int(user_id)


def _unit_id(organization: Organization, unit_id: Any) -> int | None:
    if unit_id is None:
        return None
    if not Unit.objects.filter(organization=organization, pk=unit_id).exists():
        raise _field_error("unit_id", _("No such unit in this organization."))
    return int(unit_id)


def _theme_ids(organization: Organization, theme_ids: Sequence[int]) -> list[int]:
    wanted = sorted(set(theme_ids))
    found = set(
        Theme.objects.filter(organization=organization, pk__in=wanted).values_list("pk", flat=True)
    )
    missing = [t for t in wanted if t not in found]
    if missing:
        raise _field_error("theme_ids", _("No such theme in this organization: %s") % missing[0])
    return wanted


def _objective_snapshot(objective: Objective) -> dict[str, object]:
    snapshot = {name: getattr(objective, name) for name in OBJECTIVE_TRACKED_FIELDS[:-2]}
    if objective.pk:
        snapshot["theme_ids"] = sorted(
            ObjectiveTheme.objects.filter(objective=objective).values_list("theme_id", flat=True)
        )
        snapshot["alignments"] = alignment_specs(
            list(Alignment.objects.filter(child=objective).order_by("id"))
        )
    return snapshot


def _check_shape(objective: Objective, membership_unit_id: int | None) -> None:
    """Level-specific requirements: unit objectives need a unit, individual ones an owner."""
    if objective.level == Level.UNIT and objective.unit_id is None:
        raise _field_error("unit_id", _("A unit objective needs a unit."))
    if objective.level == Level.INDIVIDUAL and objective.owner_id is None:
        raise _field_error("owner_id", _("An individual objective needs an owner."))
    if objective.level == Level.INDIVIDUAL and objective.unit_id is None:
        objective.unit_id = membership_unit_id


def _owner_unit(organization: Organization, owner_id: int | None) -> int | None:
    if owner_id is None:
        return None
    return (
        Membership.objects.filter(organization=organization, user_id=owner_id)
        .values_list("unit_id", flat=True)
        .first()
    )


@transaction.atomic
def objective_create(
    *,
    organization: Organization,
    actor: User,
    cycle_id: int,
    title: str,
    level: str,
    description: str = "",
    unit_id: int | None = None,
    owner_id: int | None = None,
    weight: Decimal | None = None,
    visibility: str = Visibility.ORGANIZATION,
    theme_ids: Sequence[int] = (),
    alignments: Sequence[dict] = (),
    state: str | None = None,
) -> tuple[Objective, list[PolicyWarning]]:
    viewer = viewer_for(organization, actor)
    if not viewer.can_write:
        raise PermissionDenied(_("Viewers cannot change OKRs."))
    if owner_id is None and level == Level.INDIVIDUAL:
        owner_id = actor.pk
    objective = Objective(
        organization=organization,
        cycle=_cycle_of(organization, cycle_id),
        title=(title or "").strip(),
        description=description or "",
        level=level,
        unit_id=_unit_id(organization, unit_id),
        owner_id=_member_id(organization, owner_id, "owner_id"),
        weight=Decimal(1) if weight is None else weight,
        visibility=visibility or Visibility.ORGANIZATION,
        state=_initial_state(organization, viewer.is_admin, state),
    )
    full_clean_or_raise(objective, exclude=["organization", "cycle", "unit", "owner", "progress"])
    _check_shape(objective, _owner_unit(organization, objective.owner_id))
    if objective.cycle.state == CycleState.CLOSED:
        raise _field_error("cycle_id", _("This cycle is closed."))
    if not can_manage_objective(
        viewer, owner_id=objective.owner_id, unit_id=objective.unit_id, level=objective.level
    ):
        raise PermissionDenied(_("You may create objectives for yourself and units you lead."))
    themes = _theme_ids(organization, theme_ids)
    validated = validate_alignments(
        child=None, organization_id=organization.pk, viewer=viewer, raw=alignments
    )
    warnings = check_objective_count(
        organization=organization,
        owner_id=objective.owner_id,
        cycle_id=objective.cycle_id,
        adding=1,
    )
    objective.save()
    ObjectiveTheme.objects.bulk_create(
        ObjectiveTheme(organization=organization, objective=objective, theme_id=t) for t in themes
    )
    touched_objectives, touched_krs = replace_alignments(child=objective, validated=validated)
    record_created(target=objective, author=actor)
    engine.propagate(objective_ids={objective.pk} | touched_objectives, key_result_ids=touched_krs)
    objective.refresh_from_db()
    return objective, warnings


def _initial_state(organization: Organization, is_admin: bool, requested: str | None) -> str:
    """Members' new objectives start as drafts when the organization requires approval."""
    if organization.requires_approval and not is_admin:
        return ObjectiveState.DRAFT
    if requested in (ObjectiveState.DRAFT, ObjectiveState.ACTIVE):
        return requested
    return ObjectiveState.ACTIVE


@transaction.atomic
def objective_update(
    *, objective: Objective, actor: User, reason: str = "", **changes: Any
) -> tuple[Objective, list[PolicyWarning]]:
    organization = objective.organization
    viewer = viewer_for(organization, actor)
    if not can_edit_objective(viewer, objective):
        raise PermissionDenied(_("You may not change this objective."))
    unknown = set(changes) - OBJECTIVE_WRITABLE
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed.")] for f in sorted(unknown)})
    engine.lock_for_edit(objective_ids={objective.pk})
    objective = Objective.objects.select_for_update(no_key=True).get(pk=objective.pk)
    before = _objective_snapshot(objective)
    was_counting = objective.state in (ObjectiveState.ACTIVE, ObjectiveState.CLOSED)
    _apply_objective_fields(objective, organization, viewer, changes)
    full_clean_or_raise(objective, exclude=["organization", "cycle", "unit", "owner", "progress"])
    _check_shape(objective, _owner_unit(organization, objective.owner_id))
    if not can_edit_objective(viewer, objective):
        raise PermissionDenied(_("You may not hand this objective to someone else's area."))
    warnings: list[PolicyWarning] = []
    if {"owner_id", "cycle_id"} & set(changes) and (
        before["owner_id"] != objective.owner_id or before["cycle_id"] != objective.cycle_id
    ):
        warnings = check_objective_count(
            organization=organization,
            owner_id=objective.owner_id,
            cycle_id=objective.cycle_id,
            adding=1,
        )
    objective.save()
    if before["cycle_id"] != objective.cycle_id:  # key results carry their objective's cycle
        KeyResult.objects.filter(objective=objective).update(cycle_id=objective.cycle_id)
    touched_objectives, touched_krs = {objective.pk}, set()
    if "theme_ids" in changes:
        ObjectiveTheme.objects.filter(objective=objective).delete()
        ObjectiveTheme.objects.bulk_create(
            ObjectiveTheme(organization=organization, objective=objective, theme_id=t)
            for t in _theme_ids(organization, changes["theme_ids"] or [])
        )
    if "alignments" in changes:
        validated = validate_alignments(
            child=objective,
            organization_id=organization.pk,
            viewer=viewer,
            raw=changes["alignments"] or [],
        )
        touched_objectives, touched_krs = replace_alignments(child=objective, validated=validated)
        touched_objectives.add(objective.pk)
    is_counting = objective.state in (ObjectiveState.ACTIVE, ObjectiveState.CLOSED)
    if was_counting != is_counting or "weight" in changes:
        parents = _parent_nodes(objective)
        touched_objectives |= parents[0]
        touched_krs |= parents[1]
    record_changes(
        target=objective,
        author=actor,
        before=before,
        after=_objective_snapshot(objective),
        reason=reason or "",
    )
    engine.propagate(objective_ids=touched_objectives, key_result_ids=touched_krs)
    objective.refresh_from_db()
    return objective, warnings


def _parent_nodes(objective: Objective) -> tuple[set[int], set[int]]:
    links = Alignment.objects.filter(child=objective).values_list(
        "parent_objective_id", "parent_key_result_id"
    )
    return {o for o, _ in links if o}, {k for _, k in links if k}


def _apply_objective_fields(
    objective: Objective, organization: Organization, viewer: Viewer, changes: dict[str, Any]
) -> None:
    simple = ("title", "description", "level", "visibility", "self_score", "final_score")
    for name in simple:
        if name in changes:
            value = changes[name]
            setattr(objective, name, value.strip() if isinstance(value, str) else value)
    if "weight" in changes:
        if changes["weight"] is None:
            raise _field_error("weight", _("The weight cannot be empty."))
        objective.weight = changes["weight"]
    if "unit_id" in changes:
        objective.unit_id = _unit_id(organization, changes["unit_id"])
    if "owner_id" in changes:
        objective.owner_id = _member_id(organization, changes["owner_id"], "owner_id")
    if "cycle_id" in changes:
        cycle = _cycle_of(organization, changes["cycle_id"])
        if cycle.state == CycleState.CLOSED:
            raise _field_error("cycle_id", _("This cycle is closed."))
        objective.cycle = cycle
    if "state" in changes:
        _change_state(objective, viewer, organization.requires_approval, changes["state"])


def _change_state(objective: Objective, viewer: Viewer, requires_approval: bool, new: str) -> None:
    if new not in ObjectiveState.values:
        raise _field_error("state", _("Unknown state."))
    leaving_draft = objective.state == ObjectiveState.DRAFT and new != ObjectiveState.DRAFT
    approver = can_approve_objective(viewer, objective)
    if leaving_draft and requires_approval and not approver:
        raise PermissionDenied(
            _("A draft becomes active when the unit leader or an admin approves it.")
        )
    # Approving is becoming active, whichever way (okrs.approvals or this edit).
    if leaving_draft and requires_approval and new == ObjectiveState.ACTIVE:
        objective.approval_status = ApprovalStatus.APPROVED
        objective.approval_decided_by_id = viewer.user_id
        objective.approval_decided_at = timezone.now()
    elif new == ObjectiveState.DRAFT and objective.state != ObjectiveState.DRAFT:
        objective.approval_status = ApprovalStatus.NONE
    objective.state = new


@transaction.atomic
def objective_delete(*, objective: Objective, actor: User) -> None:
    viewer = viewer_for(objective.organization, actor)
    if not can_edit_objective(viewer, objective):
        raise PermissionDenied(_("You may not delete this objective."))
    engine.lock_for_edit(
        objective_ids={objective.pk},
        key_result_ids=KeyResult.objects.filter(objective=objective).values_list("pk", flat=True),
    )
    parents = _parent_nodes(objective)
    objective_id = objective.pk
    # Children of this objective lose the link; their own progress is unchanged.
    objective.delete()
    parents[0].discard(objective_id)
    engine.propagate(objective_ids=parents[0], key_result_ids=parents[1])


# --- key results -------------------------------------------------------------------------


def _require_editor(objective: Objective, actor: User) -> None:
    viewer = viewer_for(objective.organization, actor)
    if not can_edit_objective(viewer, objective):
        raise PermissionDenied(_("You may not change this objective's key results."))


def cycle_started(cycle: Cycle, today: date | None = None) -> bool:
    """Out of planning and its first day has come in the organization's timezone."""
    today = today or org_today(cycle.organization)
    return cycle.state != CycleState.PLANNING and today >= cycle.start_date


def _save_key_result(kr: KeyResult, children: KeyResultChildren) -> None:
    """Save the key result and its children, then rebuild its progress from check-ins."""
    kr.save()
    children.save(kr)
    engine.key_result_rebuild(kr)


@transaction.atomic
def key_result_create(
    *, objective: Objective, actor: User, **fields: Any
) -> tuple[KeyResult, list[PolicyWarning]]:
    _require_editor(objective, actor)
    organization = objective.organization
    kr = KeyResult(organization=organization, objective=objective)
    if fields.get("owner_id") is None:
        fields["owner_id"] = objective.owner_id
    children = apply_key_result_fields(
        kr, organization=organization, cycle=objective.cycle, changes=fields, creating=True
    )
    warnings = check_key_result_count(organization=organization, objective=objective, adding=1)
    kr.position = KeyResult.objects.filter(objective=objective).count()
    _save_key_result(kr, children)
    record_created(target=kr, author=actor)
    engine.propagate(objective_ids={objective.pk}, key_result_ids={kr.pk})
    kr.refresh_from_db()
    return kr, warnings


@transaction.atomic
def key_result_update(
    *, key_result: KeyResult, actor: User, reason: str = "", **changes: Any
) -> KeyResult:
    objective = key_result.objective
    _require_editor(objective, actor)
    engine.lock_for_edit(key_result_ids={key_result.pk})
    kr = KeyResult.objects.select_for_update(no_key=True).get(pk=key_result.pk)
    before = key_result_snapshot(kr)
    children = apply_key_result_fields(
        kr,
        organization=objective.organization,
        cycle=objective.cycle,
        changes=changes,
        creating=False,
    )
    moved = [name for name in ("start", "target") if before[name] != getattr(kr, name)]
    if moved and cycle_started(objective.cycle) and not (reason or "").strip():
        raise _field_error(
            "reason", _("The cycle has started: say why the start or target changes.")
        )
    _save_key_result(kr, children)
    record_changes(
        target=kr, author=actor, before=before, after=key_result_snapshot(kr), reason=reason or ""
    )
    engine.propagate(objective_ids={objective.pk}, key_result_ids={kr.pk})
    kr.refresh_from_db()
    return kr


@transaction.atomic
def key_result_delete(*, key_result: KeyResult, actor: User) -> None:
    objective = key_result.objective
    _require_editor(objective, actor)
    engine.lock_for_edit(key_result_ids={key_result.pk})
    key_result.delete()
    engine.propagate(objective_ids={objective.pk})
