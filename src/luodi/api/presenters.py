"""Model → API dictionaries. Only prefetched relations are read, so lists stay flat in
queries; pace, status and score come from the selectors' measures."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from luodi.checkins.models import CheckIn
from luodi.okrs.models import KeyResult, Objective, Revision
from luodi.okrs.policy import PolicyWarning
from luodi.okrs.selectors import Clock, key_result_measures, objective_measures
from luodi.orgs.models import Cycle, Membership, Organization, Theme, Unit
from luodi.orgs.services import ORG_SETTINGS_FIELDS


def number(value: Decimal | None) -> float | None:
    """Measured values travel as JSON numbers."""
    return None if value is None else float(value)


def warnings_data(warnings: list[PolicyWarning]) -> list[dict[str, str]]:
    return [w.as_dict() for w in warnings]


def organization_data(organization: Organization, role: str | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": organization.pk,
        "slug": organization.slug,
        "role": role,
        "created_at": organization.created_at,
    }
    data.update({name: getattr(organization, name) for name in ORG_SETTINGS_FIELDS})
    return data


def member_data(membership: Membership) -> dict[str, Any]:
    return {
        "id": membership.pk,
        "user_id": membership.user_id,
        "email": membership.user.email,
        "name": membership.user.name,
        "role": membership.role,
        "unit_id": membership.unit_id,
        "manager_id": membership.manager_id,
    }


def unit_data(unit: Unit) -> dict[str, Any]:
    return {
        "id": unit.pk,
        "name": unit.name,
        "kind": unit.kind,
        "parent_id": unit.parent_id,
        "leader_id": unit.leader_id,
    }


def theme_data(theme: Theme) -> dict[str, Any]:
    return {
        "id": theme.pk,
        "title": theme.title,
        "description": theme.description,
        "kind": theme.kind,
        "position": theme.position,
    }


def cycle_data(cycle: Cycle) -> dict[str, Any]:
    return {
        "id": cycle.pk,
        "name": cycle.name,
        "start_date": cycle.start_date,
        "end_date": cycle.end_date,
        "state": cycle.state,
    }


def key_result_data(kr: KeyResult, cycle: Cycle, clock: Clock) -> dict[str, Any]:
    """Needs phases, milestones and contributors prefetched (see okrs.selectors)."""
    measures = key_result_measures(kr, cycle, clock)
    return {
        "id": kr.pk,
        "objective_id": kr.objective_id,
        "title": kr.title,
        "kind": kr.kind,
        "state": kr.state,
        "start": number(kr.start),
        "target": number(kr.target),
        "current": number(kr.current),
        "unit": kr.measure_unit,
        "direction": kr.direction,
        "phases": [{"date": p.date, "target": number(p.target)} for p in kr.phases.all()],
        "weight": number(kr.weight),
        "owner_id": kr.owner_id,
        "contributor_ids": sorted(link.user_id for link in kr.contributor_links),  # type: ignore[attr-defined]
        "start_date": kr.start_date,
        "due_date": kr.due_date,
        "milestones": [
            {"id": m.pk, "title": m.title, "weight": number(m.weight), "done": m.done}
            for m in kr.milestones.all()
        ],
        "progress": kr.progress,
        "raw_progress": kr.raw_progress,
        "expected_progress": measures.expected_progress,
        "status": measures.status,
        "stale": measures.stale,
        "confidence": kr.last_confidence,
        "score": measures.score,
        "self_score": kr.self_score,
        "final_score": kr.final_score,
        "last_checkin_at": kr.last_checkin_at,
    }


def objective_data(
    objective: Objective, clock: Clock, *, key_results: bool = False
) -> dict[str, Any]:
    """Needs the cycle, theme links and alignment links loaded (okrs.selectors)."""
    cycle = objective.cycle
    measures = objective_measures(objective, cycle, clock)
    data: dict[str, Any] = {
        "id": objective.pk,
        "cycle_id": objective.cycle_id,
        "title": objective.title,
        "description": objective.description,
        "level": objective.level,
        "unit_id": objective.unit_id,
        "owner_id": objective.owner_id,
        "weight": number(objective.weight),
        "visibility": objective.visibility,
        "state": objective.state,
        "theme_ids": sorted(link.theme_id for link in objective.theme_links),  # type: ignore[attr-defined]
        "alignments": [
            {
                "parent_objective_id": a.parent_objective_id,
                "parent_key_result_id": a.parent_key_result_id,
                "type": a.type,
                "weight": number(a.weight),
            }
            for a in objective.alignment_links  # type: ignore[attr-defined]
        ],
        "progress": objective.progress,
        "expected_progress": measures.expected_progress,
        "status": measures.status,
        "score": measures.score,
        "self_score": objective.self_score,
        "final_score": objective.final_score,
        "last_checkin_at": objective.last_checkin_at,
        "approval": approval_data(objective),
    }
    if key_results:
        data["key_results"] = [
            key_result_data(kr, cycle, clock) for kr in objective.key_results.all()
        ]
    return data


def approval_data(objective: Objective) -> dict[str, Any] | None:
    """The draft's approval step (okrs.approvals); None when it never went through one."""
    if objective.approval_status == "none":
        return None
    return {
        "status": objective.approval_status,
        "note": objective.approval_note,
        "comment": objective.approval_comment,
        "submitted_at": objective.approval_submitted_at,
        "decided_by": objective.approval_decided_by_id,
        "decided_at": objective.approval_decided_at,
    }


def checkin_data(checkin: CheckIn) -> dict[str, Any]:
    return {
        "id": checkin.pk,
        "key_result_id": checkin.key_result_id,
        "value": number(checkin.value),
        "done": checkin.done,
        "milestone_ids_done": checkin.milestone_ids_done,
        "progress": checkin.progress,
        "confidence": checkin.confidence,
        "note": checkin.note,
        "author_id": checkin.author_id,
        "created_at": checkin.created_at,
        "source": checkin.source,
    }


def revision_data(revision: Revision) -> dict[str, Any]:
    return {
        "id": revision.pk,
        "field": revision.field,
        "old": revision.old,
        "new": revision.new,
        "reason": revision.reason,
        "author_id": revision.author_id,
        "created_at": revision.created_at,
    }
