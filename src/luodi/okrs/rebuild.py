"""Rebuild an organization's progress from its check-ins, in memory, and report differences.

`luodi recompute` calls this; `--check` only reports. The chain path in `engine.py` and
this rebuild apply the same rules, so a difference means stored data went wrong.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby

from django.db import transaction
from django.db.models import F

from luodi.okrs.choices import (
    COUNTING_OBJECTIVE_STATES,
    AlignmentType,
    KeyResultKind,
    KeyResultState,
)
from luodi.okrs.engine import (
    CHECKIN_ROW_FIELDS,
    Chain,
    CheckinRow,
    Part,
    _differs,
    apply_checkins,
    combine,
    key_result_raw_progress,
    milestone_pairs,
    set_key_result_progress,
)
from luodi.okrs.models import Alignment, KeyResult, Milestone, Objective
from luodi.orgs.models import Organization
from luodi.reports.models import ReportVersion

KR_FIELDS = (
    "current",
    "raw_progress",
    "progress",
    "checkin_count",
    "threshold_met_count",
    "last_confidence",
    "last_checkin_at",
)
OBJECTIVE_FIELDS = ("progress", "last_checkin_at")


@dataclass
class Difference:
    model: str
    pk: int
    field: str
    stored: object
    rebuilt: object

    def __str__(self) -> str:
        return (
            f"{self.model} {self.pk} {self.field}: stored {self.stored!r}, rebuilt {self.rebuilt!r}"
        )


@dataclass
class RebuildResult:
    differences: list[Difference] = field(default_factory=list)
    key_results: int = 0
    objectives: int = 0


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return not _differs(a, b)  # type: ignore[arg-type]
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a.compare(b) == 0
    return a == b


def _snapshot(obj: object, fields: tuple[str, ...]) -> dict[str, object]:
    return {name: getattr(obj, name) for name in fields}


def _rebuild_key_results(
    org: Organization, result: RebuildResult
) -> tuple[dict[int, KeyResult], list[Milestone]]:
    from luodi.checkins.models import CheckIn

    krs = {kr.pk: kr for kr in KeyResult.objects.filter(organization=org)}
    milestones: dict[int, list[Milestone]] = defaultdict(list)
    for milestone in Milestone.objects.filter(organization=org).order_by("position", "id"):
        milestones[milestone.key_result_id].append(milestone)
    rows = (
        CheckIn.objects.filter(organization=org)
        .order_by("key_result_id", "created_at", "id")
        .values_list("key_result_id", *CHECKIN_ROW_FIELDS)
        .iterator(chunk_size=5000)
    )
    checkins: dict[int, list[CheckinRow]] = {}
    for kr_id, group in groupby(rows, key=lambda row: row[0]):
        checkins[kr_id] = [CheckinRow(*row[1:]) for row in group]
    for kr in krs.values():
        if kr.kind == KeyResultKind.ROLLUP:
            continue
        before = _snapshot(kr, KR_FIELDS)
        done_before = {m.pk: m.done for m in milestones[kr.pk]}
        apply_checkins(kr, checkins.get(kr.pk, []), milestones[kr.pk])
        set_key_result_progress(
            kr, key_result_raw_progress(kr, milestones=milestone_pairs(milestones[kr.pk]))
        )
        _record(result, "key_result", kr, before, KR_FIELDS)
        for m in milestones[kr.pk]:
            if m.done != done_before[m.pk]:
                result.differences.append(
                    Difference("milestone", m.pk, "done", done_before[m.pk], m.done)
                )
    result.key_results = len(krs)
    return krs, [m for group in milestones.values() for m in group]


def _record(
    result: RebuildResult, model: str, obj: object, before: dict, fields: tuple[str, ...]
) -> None:
    for name in fields:
        now = getattr(obj, name)
        if not _same(before[name], now):
            result.differences.append(Difference(model, obj.pk, name, before[name], now))  # type: ignore[attr-defined]


def _rebuild_graph(
    org: Organization, krs: dict[int, KeyResult], result: RebuildResult
) -> dict[int, Objective]:
    objectives = {o.pk: o for o in Objective.objects.filter(organization=org)}
    before = {pk: _snapshot(o, OBJECTIVE_FIELDS) for pk, o in objectives.items()}
    rollup_before = {
        pk: _snapshot(kr, KR_FIELDS) for pk, kr in krs.items() if kr.kind == KeyResultKind.ROLLUP
    }
    links = Alignment.objects.filter(organization=org, type=AlignmentType.CONTRIBUTES)
    compute_graph(objectives, krs, links)
    for kr in krs.values():  # the cycle a key result carries is its objective's
        cycle_id = objectives[kr.objective_id].cycle_id
        if kr.cycle_id != cycle_id:
            result.differences.append(
                Difference("key_result", kr.pk, "cycle_id", kr.cycle_id, cycle_id)
            )
            kr.cycle_id = cycle_id
    for pk, snapshot in rollup_before.items():
        _record(result, "key_result", krs[pk], snapshot, KR_FIELDS)
    for pk, obj in objectives.items():
        _record(result, "objective", obj, before[pk], OBJECTIVE_FIELDS)
    result.objectives = len(objectives)
    return objectives


def compute_graph(
    objectives: dict[int, Objective], krs: dict[int, KeyResult], links: Iterable[Alignment]
) -> None:
    """Set the progress of every objective and roll-up key result, bottom-up, in memory.

    Non-roll-up key results must already hold their progress. `links` are the contributing
    alignments. The bench generator calls this on unsaved rows, so it touches no database.
    """
    chain = Chain()
    chain.nodes.update(("o", pk) for pk in objectives)
    inputs: dict[tuple[str, int], list[tuple[str, int, Decimal]]] = defaultdict(list)
    for kr in krs.values():
        if kr.state != KeyResultState.CANCELLED:
            inputs[("o", kr.objective_id)].append(("k", kr.pk, kr.weight))
        if kr.kind == KeyResultKind.ROLLUP:
            chain.add_edge(("k", kr.pk), ("o", kr.objective_id))
    for link in links:
        child = objectives[link.child_id]
        if link.parent_objective_id is not None:
            parent = ("o", link.parent_objective_id)
        elif krs[link.parent_key_result_id].kind == KeyResultKind.ROLLUP:
            parent = ("k", link.parent_key_result_id)
        else:
            continue
        chain.add_edge(("o", child.pk), parent)
        if child.state in COUNTING_OBJECTIVE_STATES:
            inputs[parent].append(("o", child.pk, link.weight))

    def part(kind: str, pk: int, weight: Decimal) -> Part:
        node = objectives[pk] if kind == "o" else krs[pk]
        return node.progress, weight, node.last_checkin_at

    for kind, pk in chain.bottom_up():
        if kind == "k" and krs[pk].kind != KeyResultKind.ROLLUP:
            continue
        mean, last = combine(part(k, i, w) for k, i, w in inputs[(kind, pk)])
        if kind == "o":
            objectives[pk].progress, objectives[pk].last_checkin_at = mean, last
        else:
            set_key_result_progress(krs[pk], mean)
            krs[pk].last_checkin_at = last
            krs[pk].checkin_count, krs[pk].last_confidence = 0, None
            krs[pk].current, krs[pk].threshold_met_count = None, 0


def rebuild(*, organization: Organization, write: bool) -> RebuildResult:
    """Rebuild in memory; with write, save what differs in one transaction."""
    result = RebuildResult()
    with transaction.atomic():
        krs, milestones = _rebuild_key_results(organization, result)
        objectives = _rebuild_graph(organization, krs, result)
        if write and result.differences:
            changed_krs = {d.pk for d in result.differences if d.model == "key_result"}
            changed_objs = {d.pk for d in result.differences if d.model == "objective"}
            changed_ms = {d.pk for d in result.differences if d.model == "milestone"}
            KeyResult.objects.bulk_update(
                [krs[pk] for pk in changed_krs], [*KR_FIELDS, "cycle"], batch_size=500
            )
            Objective.objects.bulk_update(
                [objectives[pk] for pk in changed_objs], list(OBJECTIVE_FIELDS), batch_size=500
            )
            Milestone.objects.bulk_update(
                [m for m in milestones if m.pk in changed_ms], ["done"], batch_size=500
            )
            # Bulk updates send no signals: void every stored report of the organization.
            ReportVersion.objects.filter(organization=organization).update(version=F("version") + 1)
    return result
