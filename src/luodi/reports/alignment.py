"""The alignment map of a cycle: which objectives hold up which, as a forest of nodes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce

from luodi.okrs.choices import Level, ObjectiveState
from luodi.okrs.models import Alignment, Objective
from luodi.okrs.selectors import Clock
from luodi.orgs.models import Cycle
from luodi.reports.scope import (
    OBJECTIVE_FIELDS,
    ObjectiveRow,
    ObjectiveStatus,
    Scope,
    UnitTree,
)

LEVEL_RANK = {str(Level.COMPANY): 0, str(Level.UNIT): 1, str(Level.INDIVIDUAL): 2}

Node = dict[str, Any]
# Each objective's children in map order. Tuples: the garbage collector stops tracking tuples
# of ints, and a large map has tens of thousands of them.
Kids = dict[int, tuple[int, ...]]
NOT_CANCELLED = ~Q(state=ObjectiveState.CANCELLED)
CYCLE, LEVEL, UNIT = (OBJECTIVE_FIELDS.index(name) for name in ("cycle_id", "level", "unit_id"))
# A link's parent objective: the objective itself or the objective of the key result, and
# that objective's cycle.
PARENT_FIELDS = (
    "parent_objective_id",
    "parent_key_result__objective_id",
    Coalesce("parent_objective__cycle_id", "parent_key_result__objective__cycle_id"),
)


class RowTable(Mapping[int, ObjectiveRow]):
    """Objective rows kept as the plain tuples the database returns, each made into an
    `ObjectiveRow` when read.

    The garbage collector stops tracking tuples of plain values, not objects: 40,000 row
    objects alive at once set off full collections over the whole process, about a third
    of the map page's time.
    """

    def __init__(self) -> None:
        self.values: dict[int, tuple[Any, ...]] = {}

    def load(self, q: Q) -> None:
        """Add the objectives that match q (one query)."""
        rows = Objective.objects.filter(q).order_by().values_list(*OBJECTIVE_FIELDS)
        self.values.update((values[0], values) for values in rows)

    def __getitem__(self, pk: int) -> ObjectiveRow:
        return ObjectiveRow(*self.values[pk])

    def __contains__(self, pk: object) -> bool:
        return pk in self.values

    def __iter__(self) -> Iterator[int]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)


class AlignmentGraph:
    """The visible, non-cancelled objectives of a cycle, the visible, non-cancelled
    objectives of other cycles that they align to, and the links between them.

    Two queries, two more for parents in other cycles when there are any. The scope's unit
    filter is not applied here: the map needs the whole cycle to place each objective.
    """

    def __init__(self, scope: Scope) -> None:
        organization, cycle = scope.organization, scope.cycle
        in_cycle_q = scope.visible_q() & Q(cycle_id=cycle.pk) & NOT_CANCELLED
        self.rows = RowTable()
        self.rows.load(in_cycle_q)
        self.in_cycle: frozenset[int] = frozenset(self.rows)
        # Filtered through the child: SQLite then walks this cycle's objectives and their
        # links, rather than every link of the organization.
        links = Alignment.objects.filter(child__organization=organization, child__cycle=cycle)
        pairs = list(links.values_list("child_id", *PARENT_FIELDS))
        # Parents in other cycles are read by id: asking the database for "visible
        # objectives of other cycles that something of this cycle aligns to" scans them all.
        elsewhere = {
            parent_objective or parent_kr_objective
            for _child, parent_objective, parent_kr_objective, parent_cycle in pairs
            if parent_cycle != cycle.pk
        }
        # Every objective of another cycle that one of this cycle aligns to, seen or not.
        self.outside_parents: frozenset[int] = frozenset(elsewhere)
        if elsewhere:
            self.rows.load(scope.visible_q() & NOT_CANCELLED & Q(pk__in=sorted(elsewhere)))
        # Links between visible nodes only: a hidden objective leaves no trace. A set per
        # parent, not per child: a large cycle has far fewer parents than children.
        self.children: dict[int, set[int]] = defaultdict(set)
        self.with_parent: set[int] = set()
        rows, in_cycle = self.rows, self.in_cycle
        for child, parent_objective, parent_kr_objective, _cycle in pairs:
            parent = parent_objective or parent_kr_objective
            if child != parent and child in in_cycle and parent in rows:
                self.children[parent].add(child)
                self.with_parent.add(child)
        self.children = dict(self.children)
        self.cycles: dict[int, Cycle] = {cycle.pk: cycle}
        values = self.rows.values
        other_cycle_ids = {values[pk][CYCLE] for pk in values if pk not in self.in_cycle}
        if other_cycle_ids:
            self.cycles.update(
                (c.pk, c)
                for c in Cycle.objects.filter(organization=organization, pk__in=other_cycle_ids)
            )

        self.rank = {pk: (LEVEL_RANK.get(row[LEVEL], 9), pk) for pk, row in values.items()}

    def order(self, ids: Iterable[int]) -> list[int]:
        """Company objectives first, then unit, then individual; older first within a level."""
        return sorted(ids, key=self.rank.__getitem__)

    def ancestors(self, ids: Iterable[int]) -> set[int]:
        parents: dict[int, list[int]] = defaultdict(list)
        for parent, children in self.children.items():
            for child in children:
                parents[child].append(parent)
        found: set[int] = set()
        stack = list(ids)
        while stack:
            for parent in parents.get(stack.pop(), ()):
                if parent not in found:
                    found.add(parent)
                    stack.append(parent)
        return found

    def has_parent(self, pk: int) -> bool:
        return pk in self.with_parent


def place(graph: AlignmentGraph) -> tuple[list[int], list[int]]:
    """Roots and unaligned objectives; every other objective of the cycle has a parent."""
    roots: list[int] = []
    unaligned: list[int] = []
    for pk in graph.in_cycle:
        if graph.has_parent(pk):
            continue
        if graph.children.get(pk) or graph.rows[pk].level == Level.COMPANY:
            roots.append(pk)
        else:
            unaligned.append(pk)
    # Objectives of other cycles are loaded only because a child aligns to them; keep those
    # that still have a visible child.
    roots += [pk for pk in graph.rows if pk not in graph.in_cycle and graph.children.get(pk)]
    in_cycle = graph.in_cycle
    roots.sort(key=lambda pk: (pk in in_cycle, graph.rank[pk]))
    return roots, graph.order(unaligned)


def forest_children(
    graph: AlignmentGraph, roots: list[int], included: set[int] | frozenset[int]
) -> tuple[Kids, list[int]]:
    """The children of the roots and of every included objective below them, in map order,
    and those objectives parents first.

    Only objectives reached from the roots have an entry. An alignment cycle — refused on
    write, but possible in damaged data — is cut where it would close, on the first path
    that reaches it.
    """
    kids = _reach_down(graph, roots, included)
    order = top_down(kids, roots)
    if len(order) < len(kids):  # a loop: walk again, cutting it
        kids = _cut_loops(graph, roots, included)
        order = top_down(kids, roots)
    return kids, order


def top_down(kids: Kids, roots: list[int]) -> list[int]:
    """The objectives of `kids` parents first (Kahn's algorithm); those on a loop are left
    out."""
    parents_left: dict[int, int] = dict.fromkeys(kids, 0)
    for children in kids.values():
        for child in children:
            parents_left[child] += 1
    order = list(dict.fromkeys(roots))
    for pk in order:  # the list grows while it is read
        for child in kids[pk]:
            parents_left[child] -= 1
            if not parents_left[child]:
                order.append(child)
    return order


def _ordered_children(
    graph: AlignmentGraph, pk: int, included: set[int] | frozenset[int]
) -> tuple[int, ...]:
    children = graph.children.get(pk)
    if not children:
        return ()
    return tuple(sorted([c for c in children if c in included], key=graph.rank.__getitem__))


def _reach_down(
    graph: AlignmentGraph, roots: list[int], included: set[int] | frozenset[int]
) -> Kids:
    kids: Kids = {}
    stack = list(roots)
    while stack:
        pk = stack.pop()
        if pk not in kids:
            kids[pk] = _ordered_children(graph, pk, included)
            stack += kids[pk]
    return kids


def _cut_loops(
    graph: AlignmentGraph, roots: list[int], included: set[int] | frozenset[int]
) -> Kids:
    """`_reach_down`, depth first, leaving out each link that would close a loop."""
    kids: dict[int, list[int]] = {}
    on_path: set[int] = set()
    for root in roots:
        if root in kids:
            continue
        kids[root] = []
        on_path.add(root)
        stack = [(root, iter(_ordered_children(graph, root, included)))]
        while stack:
            pk, pending = stack[-1]
            child = next(pending, None)
            if child is None:
                stack.pop()
                on_path.discard(pk)
            elif child in on_path:
                continue
            else:
                kids[pk].append(child)
                if child not in kids:
                    kids[child] = []
                    on_path.add(child)
                    stack.append((child, iter(_ordered_children(graph, child, included))))
    return {pk: tuple(children) for pk, children in kids.items()}


# --- the map of a cycle, flat -----------------------------------------------------------------


@dataclass
class AlignmentForest:
    """`alignment_tree`'s answer before it becomes nested nodes: the web map reads a few
    levels of 40,000 objectives and needs no dict per objective it does not show."""

    graph: AlignmentGraph
    roots: list[int]
    unaligned: list[int]
    kids: Kids  # every objective on the map (reached from the roots)
    order: list[int]  # the same objectives, parents first
    status_of: Callable[[ObjectiveRow], str]
    known: dict[int, str] = field(default_factory=dict)  # statuses worked out so far

    @property
    def rows(self) -> RowTable:
        return self.graph.rows

    def status(self, pk: int) -> str:
        if pk not in self.known:
            self.known[pk] = self.status_of(self.graph.rows[pk])
        return self.known[pk]

    def node(self, pk: int) -> Node:
        """`alignment_tree`'s node for the objective, its children not filled in."""
        row = self.graph.rows[pk]
        return {
            "objective_id": pk,
            "cycle_id": row.cycle_id,
            "title": row.title,
            "level": row.level,
            "unit_id": row.unit_id,
            "owner_id": row.owner_id,
            "progress": row.progress,
            "status": self.status(pk),
            "children": [],
        }


def alignment_forest(
    scope: Scope, *, clock: Clock, unit_tree: UnitTree | None = None, unit_id: int | None = None
) -> AlignmentForest:
    """The cycle's alignment map as `alignment_tree` describes it, flat."""
    graph = AlignmentGraph(scope)
    roots, unaligned = place(graph)
    included: set[int] | frozenset[int] = frozenset(graph.rows)
    if unit_tree is not None and unit_id is not None:
        unit_ids = unit_tree.subtree(unit_id)
        values = graph.rows.values
        inside = {pk for pk in graph.in_cycle if values[pk][UNIT] in unit_ids}
        included = inside | graph.ancestors(inside)
        roots = [pk for pk in roots if pk in included]
        unaligned = [pk for pk in unaligned if pk in inside]
    kids, order = forest_children(graph, roots, included)
    return AlignmentForest(
        graph=graph,
        roots=roots,
        unaligned=unaligned,
        kids=kids,
        order=order,
        status_of=ObjectiveStatus(clock, graph.cycles),
    )


# --- one branch, read level by level ----------------------------------------------------------


@dataclass
class AlignmentBranch:
    """The objectives up to `depth` links below one objective of the map, with the children
    of the deepest ones (ids only), as `alignment_forest` would place them.

    One query for the objective (is it on the map?) and two per level, the children of the
    last level included: what it reads grows with the branch, not with the cycle. Alignment loops
    (damaged data) are not cut here; readers stop at objectives they have seen.
    """

    rows: dict[int, ObjectiveRow]
    kids: Kids
    status_of: Callable[[ObjectiveRow], str]

    def status(self, pk: int) -> str:
        return self.status_of(self.rows[pk])


def alignment_branch(scope: Scope, pk: int, *, depth: int, clock: Clock) -> AlignmentBranch | None:
    """What lies below objective `pk` on the map of the scope's cycle; None when it is not
    on the map (hidden, cancelled, unaligned, or of another cycle with nothing below)."""
    cycle = scope.cycle
    top = _branch_top(scope, pk)
    if top is None:
        return None
    row, on_map = top
    rows = {pk: row}
    kids: Kids = {}
    level = [pk]
    for step in range(depth + 1):
        # The children of the last level are only counted: their level orders them.
        levels, children, links = _below(level, scope, full_rows=step < depth)
        for child in children:
            rows.setdefault(child.pk, child)
        rank = {pk: (LEVEL_RANK.get(level_, 9), pk) for pk, level_ in levels.items()}
        found: dict[int, set[int]] = {parent: set() for parent in level}
        for parent_objective, parent_kr_objective, child in links:
            parent = parent_objective or parent_kr_objective
            if child in rank and child != parent:  # a hidden child leaves no trace
                found[parent].add(child)
        for parent, ids in found.items():
            kids[parent] = tuple(sorted(ids, key=rank.__getitem__))
        level = list(dict.fromkeys(c for p in level for c in kids[p] if c not in kids))
        if not level:
            break
    if not on_map and not kids[pk]:
        return None  # unaligned, or a parent from another cycle whose children are hidden
    cycles = {cycle.pk: cycle}
    if row.cycle_id != cycle.pk:
        cycles[row.cycle_id] = Cycle.objects.get(pk=row.cycle_id)
    return AlignmentBranch(rows=rows, kids=kids, status_of=ObjectiveStatus(clock, cycles))


def _below(
    level: list[int], scope: Scope, *, full_rows: bool
) -> tuple[dict[int, str], list[ObjectiveRow], list[tuple[int | None, int | None, int]]]:
    """The visible, non-cancelled objectives of the cycle that align to one of `level`
    (id → level, and their rows with `full_rows`), and the links down from `level`.

    Two queries driven by the alignment indexes (parent objective, key results of the
    parent). Cycle and state are checked here rather than in SQL: given them, SQLite walks
    the whole cycle's (organization, cycle, state) index instead of looking up the children.
    The links to objectives and to key results are a UNION, not an OR: PostgreSQL cannot
    combine an index with a subquery under OR and scans every link (and then, expecting
    that many children, every objective).
    """
    to_objectives = Alignment.objects.filter(parent_objective_id__in=level).order_by()
    to_key_results = Alignment.objects.filter(parent_key_result__objective_id__in=level).order_by()
    children = to_objectives.values("child_id").union(to_key_results.values("child_id"))
    visible = Objective.objects.filter(scope.visible_q() & Q(pk__in=children)).order_by()
    cycle_id, cancelled = scope.cycle.pk, ObjectiveState.CANCELLED
    rows: list[ObjectiveRow] = []
    if full_rows:
        everything = (ObjectiveRow(*values) for values in visible.values_list(*OBJECTIVE_FIELDS))
        rows = [row for row in everything if row.cycle_id == cycle_id and row.state != cancelled]
        levels = {row.pk: row.level for row in rows}
    else:
        fields = ("pk", "level", "cycle_id", "state")
        levels = {
            pk: level_
            for pk, level_, in_cycle, state in visible.values_list(*fields)
            if in_cycle == cycle_id and state != cancelled
        }
    links = to_objectives.values_list(*PARENT_FIELDS[:2], "child_id").union(
        to_key_results.values_list(*PARENT_FIELDS[:2], "child_id"), all=True
    )
    return levels, rows, list(links)


def _branch_top(scope: Scope, pk: int) -> tuple[ObjectiveRow, bool] | None:
    """The objective's row, and whether it is on the map whatever lies below it: in the
    cycle, and company-level or with a visible parent. None when the viewer cannot see it."""
    visible_parent = Alignment.objects.filter(child_id=OuterRef("pk")).filter(
        scope.visible_q("parent_objective__")
        & ~Q(parent_objective__state=ObjectiveState.CANCELLED)
        & ~Q(parent_objective_id=OuterRef("pk"))
        | scope.visible_q("parent_key_result__objective__")
        & ~Q(parent_key_result__objective__state=ObjectiveState.CANCELLED)
        & ~Q(parent_key_result__objective_id=OuterRef("pk"))
    )
    found = (
        Objective.objects.filter(scope.visible_q() & NOT_CANCELLED & Q(pk=pk))
        .order_by()
        .values_list(*OBJECTIVE_FIELDS, Exists(visible_parent))
        .first()
    )
    if found is None:
        return None
    *values, has_parent = found
    row = ObjectiveRow(*values)
    in_cycle = row.cycle_id == scope.cycle.pk
    return row, in_cycle and (has_parent or row.level == Level.COMPANY)
