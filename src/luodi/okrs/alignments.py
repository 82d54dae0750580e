"""Alignment: validating and replacing an objective's links to its parents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from luodi.okrs.choices import AlignmentType, KeyResultKind
from luodi.okrs.models import Alignment, KeyResult, Objective
from luodi.okrs.permissions import Viewer, can_see_objective


class UnknownParentError(ValueError):
    """A parent id that is not a whole number: no such parent."""


def _parent_id(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value)
    raise UnknownParentError(value)


@dataclass(frozen=True)
class AlignmentSpec:
    parent_objective_id: int | None = None
    parent_key_result_id: int | None = None
    type: str = AlignmentType.CONTRIBUTES
    weight: Decimal = Decimal(1)

    @classmethod
    def from_dict(cls, data: dict) -> AlignmentSpec:
        weight = data.get("weight")
        weight = Decimal(1) if weight is None else Decimal(str(weight))
        if not weight.is_finite():
            # NaN would make every later comparison raise InvalidOperation (a 500).
            raise ValueError("weight must be finite")
        return cls(
            parent_objective_id=_parent_id(data.get("parent_objective_id")),
            parent_key_result_id=_parent_id(data.get("parent_key_result_id")),
            type=data.get("type") or AlignmentType.CONTRIBUTES,
            weight=weight,
        )

    def as_dict(self) -> dict:
        return {
            "parent_objective_id": self.parent_objective_id,
            "parent_key_result_id": self.parent_key_result_id,
            "type": self.type,
            "weight": self.weight,
        }


def alignment_specs(alignments: Sequence[Alignment]) -> list[dict]:
    return [
        AlignmentSpec(a.parent_objective_id, a.parent_key_result_id, a.type, a.weight).as_dict()
        for a in alignments
    ]


def ancestors_of(objective_ids: set[int]) -> set[int]:
    """Every objective above these through any alignment (both types): for cycle checks."""
    found: set[int] = set()
    frontier = set(objective_ids)
    while frontier:
        links = Alignment.objects.filter(child_id__in=list(frontier)).values_list(
            "parent_objective_id", "parent_key_result__objective_id"
        )
        parents = {obj or kr_obj for obj, kr_obj in links} - {None}
        frontier = parents - found
        found |= parents
    return found  # type: ignore[return-value]


def _error(index: int, message: str) -> ValidationError:
    return ValidationError({f"alignments[{index}]": [message]})


def validate_alignments(
    *, child: Objective | None, organization_id: int, viewer: Viewer, raw: Sequence[dict]
) -> list[tuple[AlignmentSpec, Objective | None, KeyResult | None]]:
    """Check each requested link; raise a field error naming the bad entry."""
    specs: list[AlignmentSpec] = []
    for index, data in enumerate(raw):
        if not isinstance(data, dict):
            raise _error(
                index, _("Give exactly one of parent_objective_id and parent_key_result_id.")
            )
        try:
            specs.append(AlignmentSpec.from_dict(data))
        except UnknownParentError as exc:
            raise _error(index, _("No such parent in this organization.")) from exc
        except (InvalidOperation, TypeError, ValueError) as exc:
            raise _error(index, _("The weight must be a number.")) from exc
    objective_ids = {s.parent_objective_id for s in specs if s.parent_objective_id}
    kr_ids = {s.parent_key_result_id for s in specs if s.parent_key_result_id}
    parents = Objective.objects.filter(organization_id=organization_id, pk__in=objective_ids)
    parent_objectives = {o.pk: o for o in parents}
    parent_krs = {
        kr.pk: kr
        for kr in KeyResult.objects.filter(
            organization_id=organization_id, pk__in=kr_ids
        ).select_related("objective")
    }
    result = []
    seen: set[tuple[str, int]] = set()
    for index, spec in enumerate(specs):
        result.append(
            _validate_one(index, spec, child, viewer, parent_objectives, parent_krs, seen)
        )
    if child is not None and child.pk:
        targets = {o.pk for _, o, _k in result if o} | {k.objective_id for _, _o, k in result if k}
        if child.pk in targets or child.pk in ancestors_of(targets):
            raise ValidationError({"alignments": [_("This alignment would make a cycle.")]})
    return result


def _validate_one(
    index: int,
    spec: AlignmentSpec,
    child: Objective | None,
    viewer: Viewer,
    parent_objectives: dict[int, Objective],
    parent_krs: dict[int, KeyResult],
    seen: set[tuple[str, int]],
) -> tuple[AlignmentSpec, Objective | None, KeyResult | None]:
    if (spec.parent_objective_id is None) == (spec.parent_key_result_id is None):
        raise _error(index, _("Give exactly one of parent_objective_id and parent_key_result_id."))
    if spec.type not in AlignmentType.values:
        raise _error(index, _("The type must be contributes or supports."))
    if spec.weight < 0:
        raise _error(index, _("The weight cannot be negative."))
    if spec.weight > Decimal("1000000"):
        raise _error(index, _("The weight is too large."))
    parent_objective = parent_krs_objective = None
    parent_kr = None
    if spec.parent_objective_id is not None:
        parent_objective = parent_objectives.get(spec.parent_objective_id)
        key = ("o", spec.parent_objective_id)
        visible = parent_objective is not None and can_see_objective(viewer, parent_objective)
    else:
        parent_kr = parent_krs.get(spec.parent_key_result_id)  # type: ignore[arg-type]
        parent_krs_objective = parent_kr.objective if parent_kr else None
        key = ("k", spec.parent_key_result_id)  # type: ignore[assignment]
        visible = parent_kr is not None and can_see_objective(viewer, parent_krs_objective)  # type: ignore[arg-type]
    if not visible:
        raise _error(index, _("No such parent in this organization."))
    if key in seen:
        raise _error(index, _("This parent is listed twice."))
    seen.add(key)
    if child is not None and parent_objective is not None and parent_objective.pk == child.pk:
        raise _error(index, _("An objective cannot align to itself."))
    if (
        parent_kr is not None
        and spec.type == AlignmentType.CONTRIBUTES
        and parent_kr.kind != KeyResultKind.ROLLUP
    ):
        raise _error(
            index,
            _("Only a roll-up key result takes contributing children; use supports for this one."),
        )
    return spec, parent_objective, parent_kr


def replace_alignments(
    *,
    child: Objective,
    validated: list[tuple[AlignmentSpec, Objective | None, KeyResult | None]],
) -> tuple[set[int], set[int]]:
    """Swap the child's links for the validated ones; return the old and new parent nodes.

    The result (objective ids, roll-up key result ids) is what propagate() must recompute.
    """
    old = list(Alignment.objects.filter(child=child))
    touched_objectives = {a.parent_objective_id for a in old if a.parent_objective_id}
    touched_krs = {a.parent_key_result_id for a in old if a.parent_key_result_id}
    Alignment.objects.filter(child=child).delete()
    Alignment.objects.bulk_create(
        Alignment(
            organization_id=child.organization_id,
            child=child,
            parent_objective=parent_objective,
            parent_key_result=parent_kr,
            type=spec.type,
            weight=spec.weight,
        )
        for spec, parent_objective, parent_kr in validated
    )
    touched_objectives |= {o.pk for _, o, _k in validated if o}
    touched_krs |= {k.pk for _, _o, k in validated if k}
    return touched_objectives, touched_krs  # type: ignore[return-value]
