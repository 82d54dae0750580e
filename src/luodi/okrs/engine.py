"""The progress engine: keeps the denormalized progress of key results and objectives right.

Two paths share the rules in `progress.py`:

- `propagate()` — after a write, recompute the touched nodes and every ancestor along the
  contributing alignments, in one transaction, touching only that chain, with the same
  few SQL statements however tall and wide the chain is.
- `rebuild()` — recompute a whole organization from its check-ins in memory; `luodi
  recompute` uses it to repair or (with check) to report differences.

The alignment graph has two kinds of nodes: objectives and roll-up key results. Edges run
child objective → parent objective, child objective → parent roll-up key result, and key
result → its objective.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import connection, models
from django.db.models import Case, F, Q, Value, When

from luodi.okrs import progress as rules
from luodi.okrs.choices import (
    COUNTING_OBJECTIVE_STATES,
    AlignmentType,
    Direction,
    KeyResultKind,
    KeyResultState,
)
from luodi.okrs.models import Alignment, KeyResult, Milestone, Objective
from luodi.orgs.models import Unit
from luodi.reports.models import ReportVersion

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
#
# A write recomputes its chain with a fixed number of statements, whatever the chain's
# height and width: one recursive query finds the chain, one or two take its row locks
# (PostgreSQL), two load every input of every node, the nodes are computed bottom-up in
# memory, and one UPDATE per table writes the rows that changed.


@dataclass
class Chain:
    """The nodes above a set of start nodes, and the edges between them."""

    nodes: set[Node] = field(default_factory=set)
    parents: dict[Node, set[Node]] = field(default_factory=lambda: defaultdict(set))

    def add_edge(self, child: Node, parent: Node) -> None:
        self.nodes.update((child, parent))
        self.parents[child].add(parent)

    def ids(self, kind: str) -> list[int]:
        return sorted(node_id for node_kind, node_id in self.nodes if node_kind == kind)

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


def _chain_sql(objective_ids: list[int], key_result_ids: list[int]) -> tuple[str, list[object]]:
    """One recursive query: every objective above the start nodes with its contributing
    links, as (child, parent objective, parent roll-up key result, that key result's
    objective); each start key result comes as (None, None, key result, objective).

    A link to a key result that is not a roll-up does not count and ends the walk there
    (child, None, None, None). UNION (not UNION ALL) stops on a cycle.
    """
    start = Objective.objects.filter(
        Q(pk__in=objective_ids)
        | Q(pk__in=KeyResult.objects.filter(pk__in=key_result_ids).values("objective_id"))
    )
    base_sql, base_params = start.order_by().values("pk").query.sql_with_params()
    alignment = Alignment._meta.db_table
    key_result = KeyResult._meta.db_table

    def links(join: str) -> str:
        """The contributing links of the chain's objectives, parents resolved."""
        return (
            f"FROM chain c {join} JOIN {alignment} a ON a.child_id = c.id AND a.type = %s "
            f"LEFT JOIN {key_result} k ON k.id = a.parent_key_result_id AND k.kind = %s "
        )

    parent = "COALESCE(a.parent_objective_id, k.objective_id)"
    sql = (
        f"WITH RECURSIVE chain(id) AS ({base_sql} "
        f"UNION SELECT {parent} {links('INNER')}WHERE {parent} IS NOT NULL) "
        f"SELECT c.id, a.parent_objective_id, k.id, k.objective_id {links('LEFT')}"
    )
    kinds = [AlignmentType.CONTRIBUTES.value, KeyResultKind.ROLLUP.value]
    params: list[object] = [*base_params, *kinds, *kinds]
    if key_result_ids:
        marks = ", ".join(["%s"] * len(key_result_ids))
        sql += (
            f"UNION ALL SELECT NULL, NULL, id, objective_id FROM {key_result} WHERE id IN ({marks})"
        )
        params += key_result_ids
    return sql, params


def collect_chain(objective_ids: Iterable[int], key_result_ids: Iterable[int]) -> Chain:
    """The start nodes and every node above them along contributing links: one query."""
    objective_ids, key_result_ids = sorted(set(objective_ids)), sorted(set(key_result_ids))
    chain = Chain()
    if not objective_ids and not key_result_ids:
        return chain
    with connection.cursor() as cursor:
        cursor.execute(*_chain_sql(objective_ids, key_result_ids))
        rows = cursor.fetchall()
    for child, parent_objective, parent_kr, parent_kr_objective in rows:
        if child is None:  # a start key result
            chain.add_edge(("k", parent_kr), ("o", parent_kr_objective))
            continue
        chain.nodes.add(("o", child))
        if parent_objective is not None:
            chain.add_edge(("o", child), ("o", parent_objective))
        elif parent_kr is not None:
            chain.add_edge(("o", child), ("k", parent_kr))
            chain.add_edge(("k", parent_kr), ("o", parent_kr_objective))
    return chain


def _rows(ids: Collection[int]) -> Q:
    """The rows with these ids. With none, a condition that still runs and matches no row,
    so that a write costs the same statements whatever its chain holds."""
    return Q(pk__in=ids) if ids else Q(pk__isnull=True)


@dataclass
class _Locked:
    """The chain's objectives as locked: stored progress by id, and where they sit."""

    values: dict[int, tuple[float | None, datetime | None]]
    unit_ids: set[int] = field(default_factory=set)
    unitless_organization_ids: set[int] = field(default_factory=set)


def _lock_objectives(chain: Chain) -> _Locked:
    """Lock the chain's objectives by id (PostgreSQL) and read their stored progress."""
    rows = (
        Objective.objects.select_for_update(
            no_key=True
        )  # a no-op on SQLite: IMMEDIATE transactions
        .filter(pk__in=chain.ids("o"))
        .order_by("pk")
        .values_list("pk", "progress", "last_checkin_at", "unit_id", "organization_id")
    )
    locked = _Locked({})
    for pk, progress, last, unit_id, organization_id in rows:
        locked.values[pk] = (progress, last)
        if unit_id is None:
            locked.unitless_organization_ids.add(organization_id)
        else:
            locked.unit_ids.add(unit_id)
    return locked


def _mark_progress_written(locked: _Locked) -> None:
    """Void the dashboard's stored parts of the units whose objectives the chain holds
    (reports.parts): one counter per unit, one per organization for objectives without a
    unit. Units are locked by id first (PostgreSQL) so that concurrent check-ins touching
    the same units take them in one order.

    Every lock the engine takes is FOR NO KEY UPDATE: it writes no key column, and a plain
    FOR UPDATE also blocks the KEY SHARE locks that PostgreSQL's deferred foreign-key checks
    take at COMMIT (a check-in's new rows point at units, objectives, key results), out of
    any order: `make load` saw two check-ins deadlock that way on a unit row."""
    unit_ids = sorted(locked.unit_ids)
    if connection.vendor != "sqlite":
        list(
            Unit.objects.select_for_update(no_key=True)
            .filter(_rows(unit_ids))
            .order_by("pk")
            .values_list("pk")
        )
    Unit.objects.filter(_rows(unit_ids)).update(progress_version=F("progress_version") + 1)
    unitless = sorted(locked.unitless_organization_ids)
    ReportVersion.objects.filter(
        Q(organization_id__in=unitless) if unitless else Q(organization_id__isnull=True)
    ).update(unitless_version=F("unitless_version") + 1)


def _lock_key_results(chain: Chain) -> None:
    if connection.vendor == "sqlite":
        return  # IMMEDIATE transactions already serialize writers.
    list(
        KeyResult.objects.select_for_update(no_key=True)
        .filter(_rows(chain.ids("k")))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def lock_chain(chain: Chain) -> None:
    """Row locks in one global order (objectives, then key results, by id): no deadlocks."""
    if connection.vendor == "sqlite":
        return  # IMMEDIATE transactions already serialize writers.
    _lock_objectives(chain)
    _lock_key_results(chain)


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
        KeyResult.objects.select_for_update(no_key=True)
        .filter(pk__in=leaves)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    lock_chain(collect_chain(objective_ids, rollups))


NodeValue = tuple[float | None, datetime | None]  # (progress, last check-in) of a node
Part = tuple[float | None, Decimal, datetime | None]  # (progress, weight, last check-in)


def combine(parts: Iterable[Part]) -> NodeValue:
    """A node's (progress, last check-in) from its counting parts."""
    parts = list(parts)
    mean = rules.weighted_mean((progress, weight) for progress, weight, _ in parts)
    return mean, latest(*(last for _, _, last in parts))


@dataclass(frozen=True)
class _KeyResultRow:
    pk: int
    objective_id: int
    kind: str
    state: str
    weight: Decimal
    raw_progress: float | None
    progress: float | None
    last_checkin_at: datetime | None


@dataclass
class _Inputs:
    """Every input of every chain node, loaded with two queries."""

    key_results: dict[int, _KeyResultRow]
    # node → [(child objective, alignment weight, the child's stored value)], counting only
    children: dict[Node, list[tuple[int, Decimal, NodeValue]]]

    @classmethod
    def load(cls, chain: Chain) -> _Inputs:
        objective_ids = chain.ids("o")
        rows = (
            KeyResult.objects.filter(objective_id__in=objective_ids)
            .order_by()
            .values_list(
                "pk",
                "objective_id",
                "kind",
                "state",
                "weight",
                "raw_progress",
                "progress",
                "last_checkin_at",
            )
        )
        key_results = {row[0]: _KeyResultRow(*row) for row in rows}
        rollups = [
            pk
            for pk in chain.ids("k")
            if pk in key_results and key_results[pk].kind == KeyResultKind.ROLLUP
        ]
        links = (
            Alignment.objects.filter(
                Q(parent_objective_id__in=objective_ids) | Q(parent_key_result_id__in=rollups),
                type=AlignmentType.CONTRIBUTES,
                child__state__in=COUNTING_OBJECTIVE_STATES,
            )
            .order_by()
            .values_list(
                "parent_objective_id",
                "parent_key_result_id",
                "child_id",
                "weight",
                "child__progress",
                "child__last_checkin_at",
            )
        )
        children: dict[Node, list[tuple[int, Decimal, NodeValue]]] = defaultdict(list)
        for parent_objective, parent_kr, child, weight, progress, last in links:
            parent = ("o", parent_objective) if parent_objective else ("k", parent_kr)
            children[parent].append((child, weight, (progress, last)))
        return cls(key_results, children)


@dataclass
class _Computation:
    """The chain's nodes computed bottom-up in memory; remembers the rows that changed.

    Every node is read at its stored value until it is recomputed, then at its new one.
    """

    objectives: dict[int, NodeValue]  # the chain's objectives (locked), by id
    inputs: _Inputs
    key_results: dict[int, NodeValue] = field(init=False)
    own: dict[int, list[_KeyResultRow]] = field(init=False)  # counting key results
    changed_objectives: dict[int, dict[str, object]] = field(default_factory=dict)
    changed_key_results: dict[int, dict[str, object]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.key_results = {
            pk: (kr.progress, kr.last_checkin_at) for pk, kr in self.inputs.key_results.items()
        }
        self.own = defaultdict(list)
        for kr in self.inputs.key_results.values():
            if kr.state != KeyResultState.CANCELLED:
                self.own[kr.objective_id].append(kr)

    def children(self, node: Node) -> list[Part]:
        parts: list[Part] = []
        for child, weight, stored in self.inputs.children.get(node, ()):
            # A child in the chain counts with its new value, any other with its stored one.
            progress, last = self.objectives.get(child, stored)
            parts.append((progress, weight, last))
        return parts

    def rollup(self, pk: int) -> None:
        kr = self.inputs.key_results.get(pk)
        if kr is None or kr.kind != KeyResultKind.ROLLUP:
            return  # a leaf start node, or deleted since the chain was collected
        raw, last = combine(self.children(("k", pk)))
        if _differs(kr.raw_progress, raw) or kr.last_checkin_at != last:
            progress = rules.clamp_or_none(raw)
            self.key_results[pk] = (progress, last)
            self.changed_key_results[pk] = {
                "raw_progress": raw,
                "progress": progress,
                "last_checkin_at": last,
            }

    def objective(self, pk: int) -> None:
        if pk not in self.objectives:
            return  # deleted
        own: list[Part] = []
        for kr in self.own[pk]:
            progress, last = self.key_results[kr.pk]
            own.append((progress, kr.weight, last))
        value, last = combine(own + self.children(("o", pk)))
        stored, stored_last = self.objectives[pk]
        if _differs(stored, value) or stored_last != last:
            self.objectives[pk] = (value, last)
            self.changed_objectives[pk] = {"progress": value, "last_checkin_at": last}


def propagate(*, objective_ids: Iterable[int] = (), key_result_ids: Iterable[int] = ()) -> None:
    """Recompute the start nodes and every ancestor. Call inside the write's transaction.

    Non-roll-up key results among the start nodes must already hold their new progress;
    they are start nodes only so that their objective and its ancestors are recomputed.
    The same statements run whatever the chain's height and width (see above).
    """
    chain = collect_chain(objective_ids, key_result_ids)
    if not chain.nodes:
        return
    locked = _lock_objectives(chain)
    _lock_key_results(chain)
    computation = _Computation(locked.values, _Inputs.load(chain))
    for kind, pk in chain.bottom_up():
        if kind == "k":
            computation.rollup(pk)
        else:
            computation.objective(pk)
    _write(Objective, computation.changed_objectives, ("progress", "last_checkin_at"))
    _write(
        KeyResult, computation.changed_key_results, ("raw_progress", "progress", "last_checkin_at")
    )
    _mark_progress_written(locked)


def _write(
    model: type[models.Model], rows: dict[int, dict[str, object]], fields: tuple[str, ...]
) -> None:
    """One UPDATE for the table, even when no row changed (see `_rows`)."""
    columns = {
        name: Case(
            *(
                When(pk=pk, then=Value(row[name], output_field=model._meta.get_field(name)))
                for pk, row in rows.items()
            ),
            default=F(name),
        )
        for name in fields
    }
    model._default_manager.filter(_rows(rows)).update(**columns)


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
