"""Key-result fields: kind-specific validation, and the children (milestones, phases,
contributors) that are written after the key result itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from luodi.core.validation import full_clean_or_raise
from luodi.okrs.choices import (
    METRIC_DIRECTIONS,
    THRESHOLD_DIRECTIONS,
    Direction,
    KeyResultKind,
    KeyResultState,
)
from luodi.okrs.models import KeyResult, KeyResultContributor, Milestone, PhaseTarget
from luodi.orgs.models import Cycle, Membership, Organization

SIMPLE_FIELDS = ("title", "measure_unit", "start_date", "due_date", "self_score", "final_score")
VALUE_FIELDS = ("start", "target")
KR_WRITABLE = {
    *SIMPLE_FIELDS,
    *VALUE_FIELDS,
    "kind",
    "direction",
    "weight",
    "owner_id",
    "state",
    "phases",
    "milestones",
    "contributor_ids",
    "unit",
}
MAX_VALUE = Decimal("1e17")
MAX_MILESTONES = 50
MAX_PHASES = 60


def _error(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def to_decimal(value: Any, field: str) -> Decimal | None:
    """Numbers or numeric strings → Decimal; anything else is a field error."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _error(field, _("Enter a number."))
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise _error(field, _("Enter a number.")) from exc
    if not number.is_finite() or abs(number) >= MAX_VALUE:
        raise _error(field, _("Enter a finite number below 10^17."))
    return number


@dataclass
class KeyResultChildren:
    """Milestones, phases and contributors to write once the key result has an id.

    None means "leave as they are".
    """

    milestones: list[dict] | None = None
    phases: list[tuple[date, Decimal]] | None = None
    contributor_ids: list[int] | None = None

    def save(self, kr: KeyResult) -> None:
        if self.milestones is not None:
            _replace_milestones(kr, self.milestones)
        if self.phases is not None:
            PhaseTarget.objects.filter(key_result=kr).delete()
            PhaseTarget.objects.bulk_create(
                PhaseTarget(organization_id=kr.organization_id, key_result=kr, date=d, target=v)
                for d, v in self.phases
            )
        if self.contributor_ids is not None:
            KeyResultContributor.objects.filter(key_result=kr).delete()
            KeyResultContributor.objects.bulk_create(
                KeyResultContributor(organization_id=kr.organization_id, key_result=kr, user_id=u)
                for u in self.contributor_ids
            )


def _replace_milestones(kr: KeyResult, wanted: list[dict]) -> None:
    """Keep milestones named by id (and their done flag), add new ones, drop the rest."""
    existing = {m.pk: m for m in Milestone.objects.filter(key_result=kr)}
    keep_ids = {item["id"] for item in wanted if item.get("id") in existing}
    Milestone.objects.filter(key_result=kr).exclude(pk__in=keep_ids).delete()
    for position, item in enumerate(wanted):
        milestone = existing.get(item.get("id")) or Milestone(
            organization_id=kr.organization_id, key_result=kr
        )
        milestone.title = item["title"]
        milestone.weight = item["weight"]
        milestone.position = position
        milestone.save()


def key_result_snapshot(kr: KeyResult) -> dict[str, object]:
    snapshot: dict[str, object] = {
        name: getattr(kr, name)
        for name in (
            *SIMPLE_FIELDS,
            *VALUE_FIELDS,
            "kind",
            "direction",
            "weight",
            "owner_id",
            "state",
        )
    }
    if kr.pk:
        snapshot["phases"] = [
            [p.date.isoformat(), format(p.target.normalize(), "f")] for p in kr.phases.all()
        ]
        snapshot["milestones"] = [
            [m.title, format(m.weight.normalize(), "f")] for m in kr.milestones.all()
        ]
        snapshot["contributor_ids"] = sorted(
            KeyResultContributor.objects.filter(key_result=kr).values_list("user_id", flat=True)
        )
    return snapshot


def apply_key_result_fields(
    kr: KeyResult,
    *,
    organization: Organization,
    cycle: Cycle,
    changes: dict[str, Any],
    creating: bool,
) -> KeyResultChildren:
    """Validate and set the changed fields; raise field errors; return children to save."""
    unknown = set(changes) - KR_WRITABLE
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed.")] for f in sorted(unknown)})
    for name in SIMPLE_FIELDS:
        if name in changes:
            value = changes[name]
            setattr(kr, name, value.strip() if isinstance(value, str) else value)
    if "unit" in changes:
        kr.measure_unit = (changes["unit"] or "").strip()
    if "kind" in changes:
        if not creating and changes["kind"] != kr.kind and kr.checkin_count:
            raise _error("kind", _("The kind cannot change once there are check-ins."))
        kr.kind = changes["kind"]
    for name in VALUE_FIELDS:
        if name in changes:
            setattr(kr, name, to_decimal(changes[name], name))
    if "direction" in changes:
        kr.direction = changes["direction"] or ""
    if "weight" in changes:
        weight = to_decimal(changes["weight"], "weight")
        if weight is None:
            raise _error("weight", _("The weight cannot be empty."))
        kr.weight = weight
    if "state" in changes:
        if changes["state"] not in KeyResultState.values:
            raise _error("state", _("Unknown state."))
        kr.state = changes["state"]
    if "owner_id" in changes:
        kr.owner_id = _member(organization, changes["owner_id"], "owner_id")
    full_clean_or_raise(
        kr, exclude=["organization", "objective", "owner", "raw_progress", "progress", "current"]
    )
    _check_kind(kr, declared="direction" in changes)
    _check_dates(kr, cycle)
    children = KeyResultChildren()
    if "milestones" in changes or (creating and kr.kind == KeyResultKind.MILESTONE):
        children.milestones = _clean_milestones(kr, changes.get("milestones"))
    if "phases" in changes:
        children.phases = _clean_phases(kr, cycle, changes["phases"])
    if "contributor_ids" in changes:
        children.contributor_ids = [
            _member(organization, u, "contributor_ids")  # type: ignore[misc]
            for u in sorted(set(changes["contributor_ids"] or []))
        ]
    return children


def _member(organization: Organization, user_id: Any, field: str) -> int | None:
    if user_id is None:
        return None
    if not Membership.objects.filter(organization=organization, user_id=user_id).exists():
        raise _error(field, _("No such member in this organization."))
    return int(user_id)


def _check_kind(kr: KeyResult, *, declared: bool = True) -> None:
    """Kind-specific fields. A direction not declared in this change is the stored one,
    which may only have been implied by the old start, target or kind: re-derive it."""
    if not declared and kr.direction:
        allowed = {
            KeyResultKind.METRIC: METRIC_DIRECTIONS,
            KeyResultKind.PERCENTAGE: METRIC_DIRECTIONS,
            KeyResultKind.THRESHOLD: THRESHOLD_DIRECTIONS,
        }.get(kr.kind, ())
        if kr.direction not in allowed:
            kr.direction = ""
    if kr.kind in (KeyResultKind.METRIC,):
        if kr.start is None:
            raise _error("start", _("A metric needs a start value."))
        if kr.target is None:
            raise _error("target", _("A metric needs a target value."))
        _check_metric_direction(kr, declared=declared)
    elif kr.kind == KeyResultKind.PERCENTAGE:
        kr.start = Decimal(0) if kr.start is None else kr.start
        kr.target = Decimal(100) if kr.target is None else kr.target
        for name in VALUE_FIELDS:
            if not Decimal(0) <= getattr(kr, name) <= Decimal(100):
                raise _error(name, _("A percentage lies between 0 and 100."))
        _check_metric_direction(kr, declared=declared)
    elif kr.kind == KeyResultKind.THRESHOLD:
        if kr.target is None:
            raise _error("target", _("A threshold needs a level to stay at or beyond."))
        kr.direction = kr.direction or Direction.AT_LEAST
        if kr.direction not in THRESHOLD_DIRECTIONS:
            raise _error("direction", _("A threshold's direction is at_least or at_most."))
    else:
        if kr.direction:
            raise _error("direction", _("Only metrics and thresholds have a direction."))


def _check_metric_direction(kr: KeyResult, *, declared: bool = True) -> None:
    """Direction follows from start and target; it must be given only when they are equal."""
    implied = ""
    if kr.target > kr.start:  # type: ignore[operator]
        implied = Direction.INCREASE
    elif kr.target < kr.start:  # type: ignore[operator]
        implied = Direction.DECREASE
    if implied and not declared:
        kr.direction = implied  # moving the target below the start makes lower better
    if kr.direction and kr.direction not in METRIC_DIRECTIONS:
        raise _error("direction", _("A metric's direction is increase or decrease."))
    if implied and kr.direction and kr.direction != implied:
        raise _error(
            "direction",
            _("The target is below the start, so lower is better: the direction is decrease.")
            if implied == Direction.DECREASE
            else _("The target is above the start, so the direction is increase."),
        )
    kr.direction = implied or kr.direction or Direction.INCREASE


def _check_dates(kr: KeyResult, cycle: Cycle) -> None:
    if kr.start_date and kr.due_date and kr.due_date <= kr.start_date:
        raise _error("due_date", _("The due date must be after the start date."))


def _clean_milestones(kr: KeyResult, raw: Any) -> list[dict]:
    if kr.kind != KeyResultKind.MILESTONE:
        if raw:
            raise _error("milestones", _("Only a milestone key result has milestones."))
        return []
    if not raw:
        raise _error("milestones", _("List at least one milestone."))
    if len(raw) > MAX_MILESTONES:
        raise _error("milestones", _("At most 50 milestones."))
    cleaned = []
    for index, item in enumerate(raw):
        title = (item.get("title") or "").strip()
        if not title or len(title) > 300:
            raise _error(f"milestones[{index}].title", _("Give a title of 1–300 characters."))
        weight = to_decimal(item.get("weight", 1), f"milestones[{index}].weight")
        if weight is None or weight < 0:
            raise _error(f"milestones[{index}].weight", _("The weight cannot be negative."))
        cleaned.append({"id": item.get("id"), "title": title, "weight": weight})
    if sum(item["weight"] for item in cleaned) <= 0:
        raise _error("milestones", _("At least one milestone needs a positive weight."))
    return cleaned


def _clean_phases(kr: KeyResult, cycle: Cycle, raw: Any) -> list[tuple[date, Decimal]]:
    if not raw:
        return []
    if kr.kind not in (KeyResultKind.METRIC, KeyResultKind.PERCENTAGE):
        raise _error("phases", _("Only metric and percentage key results have phased targets."))
    if len(raw) > MAX_PHASES:
        raise _error("phases", _("At most 60 phased targets."))
    start = kr.start_date or cycle.start_date
    end = kr.due_date or cycle.end_date
    phases: list[tuple[date, Decimal]] = []
    for index, item in enumerate(raw):
        day = item.get("date")
        if isinstance(day, str):
            try:
                day = date.fromisoformat(day)
            except ValueError as exc:
                raise _error(f"phases[{index}].date", _("Enter a date (YYYY-MM-DD).")) from exc
        if not isinstance(day, date) or not start <= day <= end:
            raise _error(f"phases[{index}].date", _("The date must fall inside the period."))
        value = to_decimal(item.get("target"), f"phases[{index}].target")
        if value is None:
            raise _error(f"phases[{index}].target", _("Enter a target value."))
        phases.append((day, value))
    days = [d for d, _v in phases]
    if len(set(days)) != len(days):
        raise _error("phases", _("Two phased targets share a date."))
    return sorted(phases)
