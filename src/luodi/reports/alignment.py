"""The alignment map of a cycle: which objectives hold up which, as a forest of nodes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db.models import Q

from luodi.okrs.choices import Level, ObjectiveState
from luodi.okrs.models import Alignment
from luodi.orgs.models import Cycle
from luodi.reports.scope import ObjectiveRow, Scope, objective_rows

LEVEL_RANK = {str(Level.COMPANY): 0, str(Level.UNIT): 1, str(Level.INDIVIDUAL): 2}

Node = dict[str, Any]


class AlignmentGraph:
    """The visible, non-cancelled objectives of a cycle, the visible, non-cancelled
    objectives of other cycles that they align to, and the links between them.

    Three queries, a fourth for the other cycles when there are any. The scope's unit
    filter is not applied here: the map needs the whole cycle to place each objective.
    """

    def __init__(self, scope: Scope) -> None:
        organization, cycle = scope.organization, scope.cycle
        not_cancelled = ~Q(state=ObjectiveState.CANCELLED)
        in_cycle_q = scope.visible_q() & Q(cycle_id=cycle.pk) & not_cancelled
        self.rows: dict[int, ObjectiveRow] = {row.pk: row for row in objective_rows(in_cycle_q)}
        self.in_cycle: frozenset[int] = frozenset(self.rows)
        links = Alignment.objects.filter(organization=organization, child__cycle=cycle)
        parents_elsewhere = Q(
            pk__in=links.filter(parent_objective__isnull=False).values("parent_objective_id")
        ) | Q(
            pk__in=links.filter(parent_key_result__isnull=False).values(
                "parent_key_result__objective_id"
            )
        )
        elsewhere_q = scope.visible_q() & ~Q(cycle_id=cycle.pk) & not_cancelled & parents_elsewhere
        for row in objective_rows(elsewhere_q):
            self.rows[row.pk] = row
        # Links between visible nodes only: a hidden objective leaves no trace.
        self.parents: dict[int, set[int]] = {}
        self.children: dict[int, set[int]] = {}
        pairs = links.values_list(
            "child_id", "parent_objective_id", "parent_key_result__objective_id"
        )
        for child, parent_objective, parent_kr_objective in pairs:
            parent = parent_objective or parent_kr_objective
            if child == parent or child not in self.in_cycle or parent not in self.rows:
                continue
            self.parents.setdefault(child, set()).add(parent)
            self.children.setdefault(parent, set()).add(child)
        self.cycles: dict[int, Cycle] = {cycle.pk: cycle}
        other_cycle_ids = {row.cycle_id for row in self.rows.values()} - {cycle.pk}
        if other_cycle_ids:
            self.cycles.update(
                (c.pk, c)
                for c in Cycle.objects.filter(organization=organization, pk__in=other_cycle_ids)
            )

        self.rank = {pk: (LEVEL_RANK.get(row.level, 9), pk) for pk, row in self.rows.items()}

    def order(self, ids: Iterable[int]) -> list[int]:
        """Company objectives first, then unit, then individual; older first within a level."""
        return sorted(ids, key=self.rank.__getitem__)

    def ancestors(self, ids: Iterable[int]) -> set[int]:
        found: set[int] = set()
        stack = list(ids)
        while stack:
            for parent in self.parents.get(stack.pop(), ()):
                if parent not in found:
                    found.add(parent)
                    stack.append(parent)
        return found

    def has_parent(self, pk: int) -> bool:
        return bool(self.parents.get(pk))


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


def build_forest(
    graph: AlignmentGraph,
    roots: list[int],
    included: set[int] | frozenset[int],
    status_of: Callable[[ObjectiveRow], str],
) -> list[Node]:
    """Nodes for the roots and every included objective below them.

    A child with several parents appears under each; the same node object is shared, so
    building stays linear in the number of links. An alignment cycle — refused on write,
    but possible in damaged data — is cut where it would close.
    """
    built: dict[int, Node] = {}
    on_path: set[int] = set()

    def make(pk: int) -> Node:
        row = graph.rows[pk]
        built[pk] = {
            "objective_id": pk,
            "cycle_id": row.cycle_id,
            "title": row.title,
            "level": row.level,
            "unit_id": row.unit_id,
            "owner_id": row.owner_id,
            "progress": row.progress,
            "status": status_of(row),
            "children": [],
        }
        return built[pk]

    def below(pk: int) -> Iterator[int]:
        children = graph.children.get(pk)
        if not children:
            return iter(())
        return iter(graph.order(c for c in children if c in included))

    forest: list[Node] = []
    for root in roots:
        if root in built:
            forest.append(built[root])
            continue
        forest.append(make(root))
        on_path.add(root)
        stack = [(root, below(root))]
        while stack:
            pk, pending = stack[-1]
            child = next(pending, None)
            if child is None:
                stack.pop()
                on_path.discard(pk)
            elif child in on_path:
                continue
            elif child in built:
                built[pk]["children"].append(built[child])
            else:
                built[pk]["children"].append(make(child))
                on_path.add(child)
                stack.append((child, below(child)))
    return forest
