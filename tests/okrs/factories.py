"""Small helpers for progress-engine tests; everything goes through the real services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from luodi.accounts.models import User
from luodi.checkins.models import CheckIn
from luodi.checkins.services import checkin_submit
from luodi.okrs.models import KeyResult, Objective
from luodi.okrs.rebuild import rebuild
from luodi.okrs.services import key_result_create, objective_create
from luodi.orgs.models import Cycle, Organization


def objective(
    org: Organization, actor: User, cycle: Cycle, title: str = "Objective", **fields: Any
) -> Objective:
    fields.setdefault("level", "company")
    created, _warnings = objective_create(
        organization=org, actor=actor, cycle_id=cycle.pk, title=title, **fields
    )
    return created


def contributes(parent: Objective | KeyResult, weight: Any = 1, type: str = "contributes") -> dict:
    """An alignment spec to a parent objective or a parent (roll-up) key result."""
    key = "parent_objective_id" if isinstance(parent, Objective) else "parent_key_result_id"
    return {key: parent.pk, "weight": weight, "type": type}


def key_result(objective: Objective, actor: User, kind: str = "metric", **fields: Any) -> KeyResult:
    fields.setdefault("title", f"{kind} result")
    if kind == "metric":
        fields.setdefault("start", Decimal(0))
        fields.setdefault("target", Decimal(10))
    if kind == "milestone":
        fields.setdefault("milestones", [{"title": "one"}, {"title": "two"}])
    if kind == "threshold":
        fields.setdefault("target", Decimal(95))
    created, _warnings = key_result_create(objective=objective, actor=actor, kind=kind, **fields)
    return created


def check_in(kr: KeyResult, actor: User, value: Any = None, **fields: Any) -> CheckIn:
    fields.setdefault("confidence", 7)
    checkin, _created = checkin_submit(key_result=kr, actor=actor, value=value, **fields)
    return checkin


def progress_of(obj: Objective | KeyResult) -> float | None:
    obj.refresh_from_db()
    return obj.progress


def assert_consistent(org: Organization) -> None:
    """The chain path left exactly what a full rebuild from the check-ins computes."""
    result = rebuild(organization=org, write=False)
    assert [str(d) for d in result.differences] == []
