"""A review meeting's agenda: the unit's key results that need talking about.

Items are made from every active objective of the unit's subtree and its people (private
ones too) and stored on the meeting; whoever looks sees only the items whose objective they
may see (`visible_items`), and shared artifacts only organization-wide ones (`public_items`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import FloatField, OuterRef, Q, Subquery, Value

from luodi.checkins.models import CheckIn
from luodi.okrs.choices import KeyResultState, ObjectiveState, Status
from luodi.okrs.models import KeyResult, Objective
from luodi.okrs.permissions import Viewer, visible_objectives_q
from luodi.okrs.selectors import Clock, key_result_measures
from luodi.orgs.choices import CycleState
from luodi.orgs.models import Membership
from luodi.rhythm.access import public_objectives_q, subtree_ids
from luodi.rhythm.models import Meeting

BIG_CHANGE = 0.10  # ten points of progress
REASONS = ("off_track", "at_risk", "stale", "big_change")


def build_agenda(meeting: Meeting, clock: Clock) -> list[dict[str, Any]]:
    organization = meeting.organization
    units = subtree_ids(organization, meeting.unit_id)
    people = Membership.objects.filter(organization=organization, unit_id__in=units).values(
        "user_id"
    )
    day = meeting.starts_at.astimezone(clock.zone).date()
    objectives = (
        Objective.objects.filter(organization=organization, state=ObjectiveState.ACTIVE)
        .filter(Q(unit_id__in=units) | Q(owner_id__in=people))
        .filter(cycle__start_date__lte=day, cycle__end_date__gte=day)
        .exclude(cycle__state=CycleState.CLOSED)
    )
    since = _since(meeting)
    before: Any = Value(None, output_field=FloatField())
    if since is not None:
        before = Subquery(
            CheckIn.objects.filter(key_result=OuterRef("pk"), created_at__lt=since)
            .order_by("-created_at", "-id")
            .values("progress")[:1]
        )
    krs = (
        KeyResult.objects.filter(objective__in=objectives, state=KeyResultState.ACTIVE)
        .select_related("objective__cycle", "owner")
        .prefetch_related("phases")
        .annotate(progress_before=before)
        .order_by("objective_id", "position", "id")
    )
    items = [item for kr in krs if (item := _item(kr, clock))]
    items.sort(key=lambda item: REASONS.index(item["reasons"][0]))
    return items


def _since(meeting: Meeting) -> datetime | None:
    """The start of the unit's previous meeting; None: since each cycle's start."""
    previous = (
        Meeting.objects.filter(
            organization_id=meeting.organization_id,
            unit_id=meeting.unit_id,
            starts_at__lt=meeting.starts_at,
        )
        .exclude(pk=meeting.pk)
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    return previous


def _item(kr: KeyResult, clock: Clock) -> dict[str, Any] | None:
    cycle = kr.objective.cycle
    measures = key_result_measures(kr, cycle, clock)
    now = kr.raw_progress if kr.raw_progress is not None else kr.progress
    reasons = []
    if measures.status == Status.OFF_TRACK:
        reasons.append("off_track")
    elif measures.status == Status.AT_RISK:
        reasons.append("at_risk")
    if measures.stale:
        reasons.append("stale")
    # Before the previous meeting, or at the cycle's start (nothing yet: no progress).
    was = kr.progress_before if kr.progress_before is not None else 0.0  # type: ignore[attr-defined]
    change = None
    if now is not None and abs(now - was) >= BIG_CHANGE - 1e-9:
        reasons.append("big_change")
        change = {"from": was, "to": now}
    if not reasons:
        return None
    return {
        "key_result_id": kr.pk,
        "objective_id": kr.objective_id,
        "objective": kr.objective.title,
        "title": kr.title,
        "owner": kr.owner.display_name if kr.owner else "",
        "status": measures.status,
        "progress": now,
        "expected": measures.expected_progress,
        "reasons": reasons,
        "change": change,
    }


def visible_objective_ids(meetings: list[Meeting], viewer: Viewer) -> set[int]:
    """Which objectives named in these meetings' agendas the viewer may see: one query for
    a whole page of meetings."""
    ids = {item["objective_id"] for meeting in meetings for item in meeting.agenda}
    if not ids or not meetings:
        return set()
    return set(
        Objective.objects.filter(organization_id=meetings[0].organization_id, pk__in=ids)
        .filter(visible_objectives_q(viewer))
        .values_list("pk", flat=True)
    )


def visible_items(
    meeting: Meeting, viewer: Viewer, seen: set[int] | None = None
) -> list[dict[str, Any]]:
    if seen is None:
        seen = visible_objective_ids([meeting], viewer)
    return [item for item in meeting.agenda if item["objective_id"] in seen]


def public_items(meeting: Meeting) -> list[dict[str, Any]]:
    ids = {item["objective_id"] for item in meeting.agenda}
    shared = set(
        Objective.objects.filter(organization_id=meeting.organization_id, pk__in=ids)
        .filter(public_objectives_q())
        .values_list("pk", flat=True)
    )
    return [item for item in meeting.agenda if item["objective_id"] in shared]
