"""Copying an objective (with its key results) into another cycle.

The copy starts fresh: no check-ins, no progress, milestones not done. Dates move with the
cycle: key-result dates and phased targets are shifted by the distance between the two
cycles' start dates; what then falls outside the new cycle is dropped (a phase on the last
day of the old period lands on the last day of the new one, so a quarter-end target stays a
quarter-end target when the quarters differ in length).

Alignments are carried over only where the parent still makes sense for the new cycle: a
parent in the target cycle itself, or in a longer cycle that covers it (a yearly company
objective with quarterly children). A parent in the old cycle that was itself copied into the
target cycle is replaced by its copy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from luodi.accounts.models import User
from luodi.okrs.choices import KeyResultKind, KeyResultState, ObjectiveState
from luodi.okrs.models import (
    Alignment,
    KeyResult,
    KeyResultContributor,
    Objective,
    ObjectiveTheme,
    Revision,
)
from luodi.okrs.permissions import Viewer, can_see_objective, viewer_for
from luodi.okrs.policy import PolicyWarning
from luodi.okrs.services import key_result_create, objective_create
from luodi.orgs.choices import CycleState
from luodi.orgs.models import Cycle, Membership, Organization

COPIED_FROM = "copied_from"


def next_cycle(source: Cycle, cycles: Iterable[Cycle]) -> Cycle | None:
    """The open cycle that starts first after `source`; among those starting the same day,
    the one closest in length (the next quarter before the next year)."""
    length = (source.end_date - source.start_date).days
    later = [
        c
        for c in cycles
        if c.start_date > source.start_date and c.state != CycleState.CLOSED and c.pk != source.pk
    ]
    if not later:
        return None
    return min(
        later,
        key=lambda c: (c.start_date, abs((c.end_date - c.start_date).days - length), c.pk),
    )


def covers(outer: Cycle, inner: Cycle) -> bool:
    """Whether a parent in `outer` may stay the parent of an objective in `inner`."""
    return outer.pk == inner.pk or (
        outer.start_date <= inner.start_date and outer.end_date >= inner.end_date
    )


def _shift(day: date | None, delta: timedelta, cycle: Cycle) -> date | None:
    if day is None:
        return None
    moved = day + delta
    return moved if cycle.start_date <= moved <= cycle.end_date else None


def _shifted_dates(
    kr: KeyResult, delta: timedelta, target: Cycle
) -> tuple[date | None, date | None]:
    start = _shift(kr.start_date, delta, target)
    due = _shift(kr.due_date, delta, target)
    if start and due and due <= start:
        due = None
    return start, due


def _shifted_phases(
    kr: KeyResult,
    delta: timedelta,
    source: Cycle,
    period: tuple[date, date],
) -> list[dict[str, Any]]:
    """Phases moved by delta; outside the new period dropped; old period end → new end."""
    old_end = kr.due_date or source.end_date
    first, last = period
    by_day: dict[date, Any] = {}
    for phase in kr.phases.all():
        day = last if phase.date == old_end else phase.date + delta
        if first <= day <= last:
            by_day[day] = phase.target
    return [{"date": day, "target": value} for day, value in sorted(by_day.items())]


def _key_result_fields(
    kr: KeyResult, *, delta: timedelta, source: Cycle, target: Cycle, member_ids: set[int]
) -> dict[str, Any]:
    start_date, due_date = _shifted_dates(kr, delta, target)
    fields: dict[str, Any] = {
        "title": kr.title,
        "kind": kr.kind,
        "weight": kr.weight,
        "owner_id": kr.owner_id if kr.owner_id in member_ids else None,
        "start_date": start_date,
        "due_date": due_date,
        "contributor_ids": [
            link.user_id
            for link in getattr(kr, "contributor_links", [])
            if link.user_id in member_ids
        ],
    }
    if kr.kind in (KeyResultKind.METRIC, KeyResultKind.PERCENTAGE, KeyResultKind.THRESHOLD):
        fields.update(
            start=kr.start, target=kr.target, measure_unit=kr.measure_unit, direction=kr.direction
        )
    if kr.kind in (KeyResultKind.METRIC, KeyResultKind.PERCENTAGE):
        period = (start_date or target.start_date, due_date or target.end_date)
        fields["phases"] = _shifted_phases(kr, delta, source, period)
    if kr.kind == KeyResultKind.MILESTONE:
        fields["milestones"] = [{"title": m.title, "weight": m.weight} for m in kr.milestones.all()]
    return fields


def _parent_cycle(link: Alignment) -> Cycle:
    if link.parent_objective_id:
        return link.parent_objective.cycle  # type: ignore[union-attr]
    return link.parent_key_result.objective.cycle  # type: ignore[union-attr]


def _parent_objective(link: Alignment) -> Objective:
    if link.parent_objective_id:
        return link.parent_objective  # type: ignore[return-value]
    return link.parent_key_result.objective  # type: ignore[union-attr]


def _copies_in(organization: Organization, target: Cycle, links: Sequence[Alignment]) -> dict:
    """Copies already made in the target cycle of the links' parents: (kind, old id) → new id."""
    objective_ids = {str(a.parent_objective_id) for a in links if a.parent_objective_id}
    kr_ids = {str(a.parent_key_result_id) for a in links if a.parent_key_result_id}
    if not objective_ids and not kr_ids:
        return {}
    rows = (
        Revision.objects.filter(
            organization=organization, field=COPIED_FROM, new__in=objective_ids | kr_ids
        )
        .filter(Q(objective__cycle=target) | Q(key_result__objective__cycle=target))
        .order_by("id")
        .values_list("objective_id", "key_result_id", "new")
    )
    copies: dict[tuple[str, int], int] = {}
    for objective_id, key_result_id, old_id in rows:
        if objective_id and old_id in objective_ids:
            copies.setdefault(("o", int(old_id)), objective_id)
        elif key_result_id and old_id in kr_ids:
            copies.setdefault(("k", int(old_id)), key_result_id)
    return copies


def _carried_alignments(
    objective: Objective, target: Cycle, viewer: Viewer
) -> list[dict[str, Any]]:
    links = list(
        Alignment.objects.filter(child=objective)
        .select_related("parent_objective__cycle", "parent_key_result__objective__cycle")
        .order_by("id")
    )
    copies = _copies_in(objective.organization, target, links)
    carried = []
    for link in links:
        parent = _parent_objective(link)
        if parent.state == ObjectiveState.CANCELLED or not can_see_objective(viewer, parent):
            continue
        key = (
            ("o", link.parent_objective_id)
            if link.parent_objective_id
            else (
                "k",
                link.parent_key_result_id,
            )
        )
        spec: dict[str, Any] = {"type": link.type, "weight": link.weight}
        if key in copies:
            # the copy of a parent key result has its kind, so the link type stays valid
            spec["parent_objective_id" if key[0] == "o" else "parent_key_result_id"] = copies[key]
        elif covers(_parent_cycle(link), target):
            spec["parent_objective_id"] = link.parent_objective_id
            spec["parent_key_result_id"] = link.parent_key_result_id
        else:
            continue
        carried.append(spec)
    return carried


def _record_copy(
    target: Objective | KeyResult, source: Objective | KeyResult, cycle: Cycle, actor: User
) -> None:
    is_objective = isinstance(target, Objective)
    Revision.objects.create(
        organization_id=target.organization_id,
        objective=target if is_objective else None,
        key_result=None if is_objective else target,
        field=COPIED_FROM,
        old=None,
        new=str(source.pk),
        reason=_("Copied from “%(title)s” (%(cycle)s).")
        % {"title": source.title, "cycle": cycle.name},
        author=actor,
    )


@transaction.atomic
def objective_copy_to_cycle(
    *, objective: Objective, actor: User, cycle_id: int
) -> tuple[Objective, list[PolicyWarning]]:
    """Copy the objective and its non-cancelled key results into the cycle `cycle_id`.

    Needs the same permission as creating the objective there; refuses closed cycles and
    the objective's own cycle. Returns the copy and the count-policy warnings (advise mode).
    """
    organization = objective.organization
    viewer = viewer_for(organization, actor)
    if not can_see_objective(viewer, objective):
        raise PermissionDenied(_("You may not copy this objective."))
    source_cycle = Cycle.objects.get(pk=objective.cycle_id)
    target = Cycle.objects.filter(organization=organization, pk=cycle_id).first()
    if target is None:
        raise ValidationError({"cycle_id": [_("No such cycle in this organization.")]})
    if target.pk == source_cycle.pk:
        raise ValidationError({"cycle_id": [_("Choose a cycle other than the objective's own.")]})
    if target.state == CycleState.CLOSED:
        raise ValidationError({"cycle_id": [_("This cycle is closed.")]})
    member_ids = set(
        Membership.objects.filter(organization=organization).values_list("user_id", flat=True)
    )
    copy, warnings = objective_create(
        organization=organization,
        actor=actor,
        cycle_id=target.pk,
        title=objective.title,
        description=objective.description,
        level=objective.level,
        unit_id=objective.unit_id,
        owner_id=objective.owner_id,
        weight=objective.weight,
        visibility=objective.visibility,
        theme_ids=list(
            ObjectiveTheme.objects.filter(objective=objective).values_list("theme_id", flat=True)
        ),
        alignments=_carried_alignments(objective, target, viewer),
        state=ObjectiveState.DRAFT if objective.state == ObjectiveState.DRAFT else None,
    )
    _record_copy(copy, objective, source_cycle, actor)
    delta = target.start_date - source_cycle.start_date
    key_results = (
        KeyResult.objects.filter(objective=objective)
        .exclude(state=KeyResultState.CANCELLED)
        .prefetch_related("phases", "milestones")
        .order_by("position", "id")
    )
    contributor_links: dict[int, list[KeyResultContributor]] = {}
    for link in KeyResultContributor.objects.filter(key_result__objective=objective):
        contributor_links.setdefault(link.key_result_id, []).append(link)
    seen_codes = {w.code for w in warnings}
    for kr in key_results:
        kr.contributor_links = contributor_links.get(kr.pk, [])  # type: ignore[attr-defined]
        fields = _key_result_fields(
            kr, delta=delta, source=source_cycle, target=target, member_ids=member_ids
        )
        new_kr, kr_warnings = key_result_create(objective=copy, actor=actor, **fields)
        _record_copy(new_kr, kr, source_cycle, actor)
        for warning in kr_warnings:
            if warning.code not in seen_codes:
                seen_codes.add(warning.code)
                warnings.append(warning)
    copy.refresh_from_db()
    return copy, warnings
