"""The progress engine: keeps the denormalized progress of key results and objectives right.

Two paths share the rules in `progress.py`:

- `propagate()` — after a write, recompute the touched nodes and every ancestor along the
  contributing alignments, in one transaction, touching only that chain (O(depth)).
- `rebuild()` — recompute a whole organization from its check-ins in memory; `luodi
  recompute` uses it to repair or (with check) to report differences.

The alignment graph has two kinds of nodes: objectives and roll-up key results. Edges run
child objective → parent objective, child objective → parent roll-up key result, and key
result → its objective.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import connection

from luodi.okrs import progress as rules
from luodi.okrs.choices import (
    COUNTING_OBJECTIVE_STATES,
    AlignmentType,
    Direction,
    KeyResultKind,
    KeyResultState,
)
from luodi.okrs.models import Alignment, KeyResult, Milestone, Objective

PERCENT_START = Decimal(0)
PERCENT_TARGET = Decimal(100)
# Floats that differ by less than this are the same progress (decimal → float noise).
EPSILON = 1e-9

Node = tuple[str, int]  # ("o", objective id) or ("k", key result id)


def metric_bounds(kr: KeyResult) -> tuple[Decimal, Decimal]:
    if kr.kind == KeyResultKind.PERCENTAGE:
        start = PERCENT_START if kr.start is None else kr.start
        target = PERCENT_TARGET if kr.target is None else kr.target
        return start, target
    return kr.start or Decimal(0), kr.target or Decimal(0)


def metric_direction(kr: KeyResult) -> str:
    start, target = metric_bounds(kr)
    if target < start:
        return Direction.DECREASE
    if target > start:
        return Direction.INCREASE
    return kr.direction or Direction.INCREASE


def key_result_raw_progress(
    kr: KeyResult,
    *,
    milestones: Iterable[tuple[bool, Decimal]] = (),
    rollup_children: Iterable[tuple[float | None, Decimal]] = (),
) -> float | None:
    """Raw progress of one key result from its own stored state (may leave [0, 1])."""
    kind = kr.kind
    if kind in (KeyResultKind.METRIC, KeyResultKind.PERCENTAGE):
        start, target = metric_bounds(kr)
        return rules.metric_progress(
            start=start, target=target, current=kr.current, direction=metric_direction(kr)
        )
    if kind == KeyResultKind.THRESHOLD:
        return rules.threshold_progress(
            met_count=kr.threshold_met_count, checkin_count=kr.checkin_count
        )
    if kind == KeyResultKind.MILESTONE:
        return rules.milestone_progress(milestones)
    if kind == KeyResultKind.BOOLEAN:
        return 1.0 if kr.current is not None and kr.current >= 1 else 0.0
    if kind == KeyResultKind.ROLLUP:
        return rules.weighted_mean(rollup_children)
    raise ValueError(f"unknown key result kind {kind!r}")


def set_key_result_progress(kr: KeyResult, raw: float | None) -> None:
    kr.raw_progress = raw
    kr.progress = rules.clamp_or_none(raw)


def latest(*stamps: datetime | None) -> datetime | None:
    present = [s for s in stamps if s is not None]
    return max(present) if present else None


# --- the chain path -------------------------------------------------------------------------


@dataclass
class Chain:
    """The nodes above a set of start nodes, and the edges between them."""

    nodes: set[Node] = field(default_factory=set)
    parents: dict[Node, set[Node]] = field(default_factory=lambda: defaultdict(set))

    def add_edge(self, child: Node, parent: Node) -> None:
        self.nodes.update((child, parent))
        self.parents[child].add(parent)

    def bottom_up(self) -> list[Node]:
        """Topological order: every node after all of its children in the chain."""
        pending = {node: 0 for node in self.nodes}
        for _child, parents in self.parents.items():
            for parent in parents:
                pending[parent] += 1
        ready = sorted(node for node, count in pending.items() if count == 0)
        order: list[Node] = []
        while ready:
            node = ready.pop()
            order.append(node)
            for parent in sorted(self.parents.get(node, ())):
                pending[parent] -= 1
                if pending[parent] == 0:
                    ready.append(parent)
        return order


def collect_chain(objective_ids: Iterable[int], key_result_ids: Iterable[int]) -> Chain:
    """Walk contributing alignments upward from the start nodes: one query per level."""
    chain = Chain()
    frontier: set[int] = set(objective_ids)
    chain.nodes.update(("o", oid) for oid in frontier)
    start_krs = list(
        KeyResult.objects.filter(pk__in=list(key_result_ids)).values_list("pk", "objective_id")
    )
    for kr_id, objective_id in start_krs:
        chain.add_edge(("k", kr_id), ("o", objective_id))
        frontier.add(objective_id)
    seen: set[int] = set()
    while frontier:
        seen |= frontier
        links = Alignment.objects.filter(
            child_id__in=list(frontier), type=AlignmentType.CONTRIBUTES
        ).values_list(
            "child_id",
            "parent_objective_id",
            "parent_key_result_id",
            "parent_key_result__objective_id",
            "parent_key_result__kind",
        )
        next_frontier: set[int] = set()
        for child_id, parent_obj, parent_kr, parent_kr_obj, parent_kr_kind in links:
            if parent_obj is not None:
                chain.add_edge(("o", child_id), ("o", parent_obj))
                next_frontier.add(parent_obj)
            elif parent_kr_kind == KeyResultKind.ROLLUP:
                chain.add_edge(("o", child_id), ("k", parent_kr))
                chain.add_edge(("k", parent_kr), ("o", parent_kr_obj))
                next_frontier.add(parent_kr_obj)
        frontier = next_frontier - seen
    return chain


def lock_chain(chain: Chain) -> None:
    """Row locks in one global order (objectives, then key results, by id): no deadlocks."""
    if connection.vendor == "sqlite":
        return  # IMMEDIATE transactions already serialize writers.
    objective_ids = sorted(node_id for kind, node_id in chain.nodes if kind == "o")
    kr_ids = sorted(node_id for kind, node_id in chain.nodes if kind == "k")
    list(
        Objective.objects.select_for_update()
        .filter(pk__in=objective_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    list(
        KeyResult.objects.select_for_update()
        .filter(pk__in=kr_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def lock_for_edit(*, objective_ids: Iterable[int] = (), key_result_ids: Iterable[int] = ()) -> None:
    """Before an edit or delete, take the locks it will need in the global order.

    The order (PostgreSQL): non-roll-up key results, then objectives, then roll-up key
    results, each by id. A check-in locks its own key result and then its chain in this
    order; an edit that locked its own row first and the chain later could deadlock with it.
    """
    if connection.vendor == "sqlite":
        return  # IMMEDIATE transactions already serialize writers.
    kinds = dict(KeyResult.objects.filter(pk__in=list(key_result_ids)).values_list("pk", "kind"))
    leaves = sorted(pk for pk, kind in kinds.items() if kind != KeyResultKind.ROLLUP)
    rollups = {pk for pk, kind in kinds.items() if kind == KeyResultKind.ROLLUP}
    list(
        KeyResult.objects.select_for_update()
        .filter(pk__in=leaves)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    lock_chain(collect_chain(objective_ids, rollups))


def counting_children(**parent: int) -> list[tuple[float | None, Decimal, datetime | None]]:
    return list(
        Alignment.objects.filter(
            type=AlignmentType.CONTRIBUTES,
            child__state__in=COUNTING_OBJECTIVE_STATES,
            **parent,
        ).values_list("child__progress", "weight", "child__last_checkin_at")
    )


def recompute_rollup_key_result(kr_id: int) -> None:
    kr = KeyResult.objects.filter(pk=kr_id).first()
    if kr is None or kr.kind != KeyResultKind.ROLLUP:
        return  # deleted by a concurrent transaction since the chain was collected
    children = counting_children(parent_key_result_id=kr_id)
    raw = rules.weighted_mean((p, w) for p, w, _ in children)
    last = latest(*(stamp for _, _, stamp in children))
    if _differs(kr.raw_progress, raw) or kr.last_checkin_at != last:
        KeyResult.objects.filter(pk=kr_id).update(
            raw_progress=raw, progress=rules.clamp_or_none(raw), last_checkin_at=last
        )


def recompute_objective(objective_id: int) -> None:
    key_results = list(
        KeyResult.objects.filter(objective_id=objective_id)
        .exclude(state=KeyResultState.CANCELLED)
        .values_list("progress", "weight", "last_checkin_at")
    )
    children = counting_children(parent_objective_id=objective_id)
    value = rules.weighted_mean(
        [(p, w) for p, w, _ in key_results] + [(p, w) for p, w, _ in children]
    )
    last = latest(*(stamp for _, _, stamp in key_results + children))
    Objective.objects.filter(pk=objective_id).update(progress=value, last_checkin_at=last)


def propagate(*, objective_ids: Iterable[int] = (), key_result_ids: Iterable[int] = ()) -> None:
    """Recompute the start nodes and every ancestor. Call inside the write's transaction.

    Non-roll-up key results among the start nodes must already hold their new progress;
    they are start nodes only so that their objective and its ancestors are recomputed.
    """
    chain = collect_chain(objective_ids, key_result_ids)
    lock_chain(chain)
    for kind, node_id in chain.bottom_up():
        if kind == "o":
            recompute_objective(node_id)
        else:
            recompute_rollup_key_result(node_id)


def _differs(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is not b
    return abs(a - b) > EPSILON


# --- key result state from its check-ins -----------------------------------------------------


@dataclass(frozen=True)
class CheckinRow:
    value: Decimal | None
    done: bool | None
    milestone_ids_done: list[int] | None
    confidence: int | None
    created_at: datetime


CHECKIN_ROW_FIELDS = ("value", "done", "milestone_ids_done", "confidence", "created_at")


def apply_checkins(kr: KeyResult, checkins: list[CheckinRow], milestones: list[Milestone]) -> None:
    """Set a key result's check-in-derived fields from its complete check-ins, oldest first.

    Milestones take their done flags from the latest check-in that listed milestones.
    """
    kr.checkin_count = len(checkins)
    kr.last_checkin_at = checkins[-1].created_at if checkins else None
    kr.last_confidence = next(
        (c.confidence for c in reversed(checkins) if c.confidence is not None), None
    )
    if kr.kind in (KeyResultKind.METRIC, KeyResultKind.PERCENTAGE, KeyResultKind.THRESHOLD):
        values = [c.value for c in checkins if c.value is not None]
        kr.current = values[-1] if values else None
    elif kr.kind == KeyResultKind.BOOLEAN:
        flags = [c.done for c in checkins if c.done is not None]
        kr.current = (Decimal(1) if flags[-1] else Decimal(0)) if flags else None
    kr.threshold_met_count = 0
    if kr.kind == KeyResultKind.THRESHOLD:
        level = kr.target or Decimal(0)
        direction = kr.direction or Direction.AT_LEAST
        kr.threshold_met_count = sum(
            1
            for c in checkins
            if c.value is not None
            and rules.threshold_met(value=c.value, level=level, direction=direction)
        )
    done_ids = next(
        (set(c.milestone_ids_done) for c in reversed(checkins) if c.milestone_ids_done is not None),
        set(),
    )
    for milestone in milestones:
        milestone.done = milestone.pk in done_ids


def milestone_pairs(milestones: Iterable[Milestone]) -> list[tuple[bool, Decimal]]:
    return [(m.done, m.weight) for m in milestones]


def key_result_rebuild(kr: KeyResult) -> None:
    """Rebuild one non-roll-up key result from all its check-ins and save it (and milestones).

    Used when a key result's definition changes (start, target, direction, kind) or a
    check-in arrives out of order; the caller then propagates from its objective.
    """
    from luodi.checkins.models import CheckIn

    if kr.kind == KeyResultKind.ROLLUP:
        return  # its progress comes from its children; propagate() recomputes it
    rows = [
        CheckinRow(*values)
        for values in CheckIn.objects.filter(key_result=kr)
        .order_by("created_at", "id")
        .values_list(*CHECKIN_ROW_FIELDS)
    ]
    milestones = list(kr.milestones.all())
    apply_checkins(kr, rows, milestones)
    set_key_result_progress(kr, key_result_raw_progress(kr, milestones=milestone_pairs(milestones)))
    kr.save()
    if milestones:
        Milestone.objects.bulk_update(milestones, ["done"])
