"""Reads for the team pages: the unit tree with its numbers, one unit's OKRs.

Every function runs a fixed number of queries whatever the size of the organization: units,
people and objectives are read as plain rows (or one aggregate) and put together here.
Progress and status use the rules in `okrs.progress` and `okrs.selectors`; nothing is
computed twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Q

from luodi.accounts.models import User
from luodi.okrs import progress as rules
from luodi.okrs.choices import COUNTING_OBJECTIVE_STATES, Level, Status
from luodi.okrs.models import Objective
from luodi.okrs.permissions import viewer_for, visible_objectives_q
from luodi.okrs.selectors import Clock, key_results_prefetch, objective_list
from luodi.orgs.models import Cycle, Membership, Organization, Unit
from luodi.web.presenters import ObjectiveCard, objective_cards

COUNTING = [str(state) for state in COUNTING_OBJECTIVE_STATES]


@dataclass
class UnitNode:
    """One unit with its numbers for a cycle, and the units below it."""

    pk: int
    name: str
    kind: str
    kind_label: str
    parent_id: int | None
    leader_id: int | None
    leader_name: str
    members: int = 0  # people whose unit is this one
    people: int = 0  # people in this unit and every unit below it
    objectives: int = 0
    progress: float | None = None
    expected: float | None = None
    status: str = Status.NOT_STARTED
    depth: int = 0
    url: str = ""
    children: list[UnitNode] = field(default_factory=list)


@dataclass
class UnitRow:
    """A unit in the flat rendering of the tree: how many levels close after it."""

    node: UnitNode
    closes: range


@dataclass
class _Tally:
    """A unit's own objectives, then (after the roll-up) its whole subtree's."""

    count: int = 0
    pairs: list[tuple[float | None, Decimal]] = field(default_factory=list)
    last_checkin_at: datetime | None = None
    weight: Decimal = Decimal(0)  # the positive weights under the unit, for its parent


def _unit_nodes(organization: Organization) -> dict[int, UnitNode]:
    units = (
        Unit.objects.filter(organization=organization)
        .select_related("leader")
        .only("pk", "name", "kind", "parent_id", "leader__name", "leader__email")
        .order_by("name", "pk")
    )
    return {
        unit.pk: UnitNode(
            pk=unit.pk,
            name=unit.name,
            kind=unit.kind,
            kind_label=str(unit.get_kind_display()),
            parent_id=unit.parent_id,
            leader_id=unit.leader_id,
            leader_name=unit.leader.display_name if unit.leader else "",
        )
        for unit in units
    }


def _people_per_unit(organization: Organization) -> dict[int, int]:
    rows = (
        Membership.objects.filter(organization=organization, unit__isnull=False)
        .values("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    return dict(rows)


def _objective_tallies(
    organization: Organization, user: User, cycle: Cycle, unit_ids: list[int] | None
) -> dict[int, _Tally]:
    """The visible objectives of the cycle that count (not draft, not cancelled), per unit."""
    viewer = viewer_for(organization, user)
    objectives = Objective.objects.filter(
        organization=organization, cycle=cycle, unit__isnull=False, state__in=COUNTING
    ).filter(visible_objectives_q(viewer))
    if unit_ids is not None:
        objectives = objectives.filter(unit_id__in=unit_ids)
    tallies: dict[int, _Tally] = {}
    rows = objectives.values_list("unit_id", "weight", "progress", "last_checkin_at")
    for unit_id, weight, progress, last_checkin_at in rows:
        tally = tallies.setdefault(unit_id, _Tally())
        tally.count += 1
        tally.pairs.append((progress, weight))
        if weight > 0:
            tally.weight += weight
        tally.last_checkin_at = _later(tally.last_checkin_at, last_checkin_at)
    return tallies


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None or b is None:
        return a or b
    return max(a, b)


def _roll_up(node: UnitNode, tallies: dict[int, _Tally], expected: float, clock: Clock) -> _Tally:
    """The subtree's numbers, children first. A child enters its parent's mean as one item,
    its progress weighted by the sum of its objectives' weights: the same mean as over all
    the objectives, with each objective read once."""
    own = tallies.get(node.pk) or _Tally()
    total = _Tally(own.count, list(own.pairs), own.last_checkin_at, own.weight)
    for child in node.children:
        below = _roll_up(child, tallies, expected, clock)
        total.count += below.count
        total.weight += below.weight
        total.last_checkin_at = _later(total.last_checkin_at, below.last_checkin_at)
        if below.weight > 0:
            total.pairs.append((child.progress, below.weight))
    node.expected = expected
    node.objectives = total.count
    if total.count:
        node.progress = rules.weighted_mean(total.pairs)
        node.status = rules.status_of(
            progress=node.progress,
            expected=expected,
            has_checkin=total.last_checkin_at is not None,
            confidence=None,
            tolerance=clock.tolerance,
        )
    return total


@dataclass
class UnitForest:
    nodes: dict[int, UnitNode]
    roots: list[UnitNode]

    def rows(self) -> list[UnitRow]:
        """Depth-first order, with the number of nested lists that close after each row."""
        rows: list[UnitRow] = []

        def walk(node: UnitNode, depth: int) -> Iterator[UnitNode]:
            node.depth = depth
            yield node
            for child in node.children:
                yield from walk(child, depth + 1)

        ordered = [n for root in self.roots for n in walk(root, 0)]
        for index, node in enumerate(ordered):
            next_depth = ordered[index + 1].depth if index + 1 < len(ordered) else 0
            # a unit with children opens a level; the next row's depth says how many close
            opened = 1 if node.children else 0
            rows.append(UnitRow(node, range(max(0, node.depth + opened - next_depth))))
        return rows

    def subtree(self, pk: int) -> set[int]:
        """The unit and every unit below it."""
        found: set[int] = set()
        stack = [self.nodes[pk]]
        while stack:
            node = stack.pop()
            if node.pk not in found:
                found.add(node.pk)
                stack.extend(node.children)
        return found

    def ancestors(self, pk: int) -> list[UnitNode]:
        """From the top unit down to the unit's parent."""
        chain: list[UnitNode] = []
        seen: set[int] = set()
        current = self.nodes[pk].parent_id
        while current is not None and current in self.nodes and current not in seen:
            seen.add(current)
            chain.append(self.nodes[current])
            current = self.nodes[current].parent_id
        return chain[::-1]


def unit_forest(
    *,
    organization: Organization,
    user: User,
    cycle: Cycle | None,
    clock: Clock,
    within: int | None = None,
) -> UnitForest:
    """Every unit with its leader, its people, and the count and progress of the visible
    objectives of the cycle in its subtree (the same scope as the dashboard's units).

    With `within`, objectives are read for that unit's subtree only: its numbers and its
    sub-units' are right, the units above it leave theirs out.

    Three queries: units with leaders, people per unit, objective rows (plus the viewer's
    visibility, read once per request).
    """
    nodes = _unit_nodes(organization)
    parent_of = {pk: node.parent_id for pk, node in nodes.items()}
    for unit_id, count in _people_per_unit(organization).items():
        if unit_id in nodes:
            nodes[unit_id].members = count
            for pk in _self_and_above(unit_id, parent_of):
                nodes[pk].people += count
    roots: list[UnitNode] = []
    for node in nodes.values():  # already ordered by name
        parent = nodes.get(node.parent_id) if node.parent_id is not None else None
        (parent.children if parent is not None else roots).append(node)
    forest = UnitForest(nodes, roots)
    if cycle is not None:
        expected = rules.time_fraction(clock.today, cycle.start_date, cycle.end_date)
        subtree = None if within is None else sorted(forest.subtree(within))
        tallies = _objective_tallies(organization, user, cycle, subtree)
        for root in roots:
            _roll_up(root, tallies, expected, clock)
    return forest


def _self_and_above(pk: int, parent_of: dict[int, int | None]) -> list[int]:
    chain: list[int] = []
    current: int | None = pk
    while current is not None and current in parent_of and current not in chain:
        chain.append(current)
        current = parent_of[current]
    return chain


# --- one unit ---------------------------------------------------------------------------------


@dataclass
class UnitOkrs:
    """A unit's objectives in a cycle, split for the page, after the filters."""

    unit_cards: list[ObjectiveCard]
    people_cards: list[tuple[str, list[ObjectiveCard]]]  # (owner name, cards), by name
    owners: list[tuple[int, str]]  # everyone the owner filter can choose
    total: int  # before the owner and status filters
    status_counts: dict[str, int]

    @property
    def shown(self) -> int:
        return len(self.unit_cards) + sum(len(cards) for _name, cards in self.people_cards)


def unit_people(*, organization: Organization, unit: Unit) -> list[Membership]:
    return list(
        Membership.objects.filter(organization=organization, unit=unit)
        .select_related("user")
        .order_by("user__name", "user__email")
    )


def unit_okrs(
    *,
    organization: Organization,
    user: User,
    unit: Unit,
    people: list[Membership],
    cycle: Cycle,
    clock: Clock,
    owner_id: int | None = None,
    status: str | None = None,
) -> UnitOkrs:
    """Visible objectives of the unit and of its people in the cycle (cancelled ones too,
    marked as such), filtered by owner and by status."""
    people_ids = Membership.objects.filter(organization=organization, unit=unit).values("user_id")
    objectives = (
        objective_list(organization=organization, user=user, cycle_id=cycle.pk)
        .filter(Q(unit_id=unit.pk) | Q(owner_id__in=people_ids, level=Level.INDIVIDUAL))
        .select_related("owner", "unit")
        .prefetch_related(key_results_prefetch())
    )
    cards = objective_cards(objectives, clock)
    owners = {m.user_id: m.user.display_name for m in people}
    for card in cards:
        if card.objective.owner_id is not None and card.objective.owner is not None:
            owners.setdefault(card.objective.owner_id, card.objective.owner.display_name)
    status_counts = Counter(card.status for card in cards)
    shown = [
        card
        for card in cards
        if (owner_id is None or card.objective.owner_id == owner_id)
        and (not status or card.status == status)
    ]
    unit_cards = [c for c in shown if c.objective.level != Level.INDIVIDUAL]
    by_owner: dict[str, list[ObjectiveCard]] = {}
    for card in shown:
        if card.objective.level == Level.INDIVIDUAL:
            name = card.objective.owner.display_name if card.objective.owner else ""
            by_owner.setdefault(name, []).append(card)
    return UnitOkrs(
        unit_cards=unit_cards,
        people_cards=sorted(by_owner.items(), key=lambda item: item[0].lower()),
        owners=sorted(owners.items(), key=lambda item: item[1].lower()),
        total=len(cards),
        status_counts=dict(status_counts),
    )


# --- unit choices (filters of the map and the dashboard) ---------------------------------------


@dataclass(frozen=True)
class UnitChoice:
    pk: int
    name: str
    depth: int

    @property
    def indent(self) -> str:
        return "\u2003" * self.depth  # em spaces: <option> keeps no CSS padding


def unit_choices(*, organization: Organization) -> list[UnitChoice]:
    """Every unit in tree order (parents before children, siblings by name). One query."""
    rows = sorted(
        Unit.objects.filter(organization=organization).values_list("pk", "parent_id", "name"),
        key=lambda row: (row[2].lower(), row[0]),
    )
    known = {pk for pk, _parent, _name in rows}
    children: dict[int | None, list[tuple[int, str]]] = {}
    for pk, parent_id, name in rows:
        children.setdefault(parent_id if parent_id in known else None, []).append((pk, name))
    result: list[UnitChoice] = []
    seen: set[int] = set()
    stack = [(pk, name, 0) for pk, name in reversed(children.get(None, []))]
    while stack:
        pk, name, depth = stack.pop()
        if pk in seen:
            continue
        seen.add(pk)
        result.append(UnitChoice(pk, name, depth))
        stack.extend((c, n, depth + 1) for c, n in reversed(children.get(pk, [])))
    return result


# --- dashboard ---------------------------------------------------------------------------------


def at_risk_rows(*, organization: Organization, at_risk: list[dict]) -> list[dict]:
    """The dashboard's key results at risk with their objective's title and owner's name.

    Two queries for at most ten key results.
    """
    objective_ids = {kr["objective_id"] for kr in at_risk}
    owner_ids = {kr["owner_id"] for kr in at_risk if kr["owner_id"] is not None}
    titles = dict(
        Objective.objects.filter(organization=organization, pk__in=objective_ids).values_list(
            "pk", "title"
        )
    )
    names: dict[int, str] = {}
    if owner_ids:
        for user_id, name, email in Membership.objects.filter(
            organization=organization, user_id__in=owner_ids
        ).values_list("user_id", "user__name", "user__email"):
            names[user_id] = name or email
    return [
        {
            **kr,
            "objective_title": titles.get(kr["objective_id"], ""),
            "owner_name": names.get(kr["owner_id"], ""),
        }
        for kr in at_risk
    ]
