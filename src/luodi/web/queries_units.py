"""Reads for the team pages: the unit tree with its numbers, one unit's OKRs.

Every function runs a fixed number of queries whatever the size of the organization: units,
people and objectives are read as plain rows (or one aggregate) and put together here.
Progress and status use the rules in `okrs.progress` and `okrs.selectors`; nothing is
computed twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from django.db.models import Count, Q
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from luodi.accounts.models import User
from luodi.okrs import progress as rules
from luodi.okrs.choices import COUNTING_OBJECTIVE_STATES, Level, Status
from luodi.okrs.models import Objective, ObjectiveTheme
from luodi.okrs.permissions import viewer_for, visible_objectives_q
from luodi.okrs.selectors import Clock, key_results_prefetch, objective_list
from luodi.orgs.choices import ThemeKind
from luodi.orgs.models import Cycle, Membership, Organization, Theme, Unit
from luodi.reports.alignment import AlignmentForest, Kids
from luodi.reports.scope import ObjectiveRow
from luodi.reports.selectors import alignment_branch_of, alignment_forest_of
from luodi.web.presenters import ObjectiveCard, objective_cards
from luodi.web.templatetags.luodi import pct

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


# --- alignment map -----------------------------------------------------------------------------

STATUS_ORDER = [
    str(s)
    for s in (Status.NOT_STARTED, Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK, Status.DONE)
]
LEVEL_ORDER = [str(level) for level in (Level.COMPANY, Level.UNIT, Level.INDIVIDUAL)]
STATUS_INDEX = {status: index for index, status in enumerate(STATUS_ORDER)}
LEVEL_INDEX = {level: index for index, level in enumerate(LEVEL_ORDER)}
# A map with more objectives than this starts LAZY_DEPTH levels deep below each theme;
# map.js fetches deeper branches when they are opened.
LAZY_LIMIT = 3000
LAZY_DEPTH = 3
OUTLINE_LIMIT = 1500  # lines of the text outline (past that, choose a unit); the chart shows all


@dataclass
class OutlineItem:
    """One line of the text outline: a theme, a group or an objective."""

    kind: str  # "theme" | "group" | "objective"
    title: str
    depth: int
    objective_id: int | None = None
    progress: float | None = None
    status: str = ""
    level: str = ""
    url: str = ""
    meta: str = ""  # "On track · 45%", ready to show: the outline can be thousands of lines
    has_children: bool = False
    closes: range = range(0)


@dataclass
class AlignmentMap:
    payload: dict  # compact JSON for map.js
    outline: list[OutlineItem]
    outline_cut: bool
    unaligned: list[dict]
    counts: dict[str, int]  # objectives on the map by status
    total: int

    def outline_html(self) -> SafeString:
        """The outline's nested list items, as the template wrote them one by one (Django
        templates take a good tenth of a second for 1,500 lines)."""
        theme = _("Theme")
        parts: list[str] = []
        for item in self.outline:
            if item.url:
                line = format_html(
                    '<a href="{}">{}</a> <span class="map-dot dot-{}" aria-hidden="true"></span>'
                    '<span class="outline-meta">{}</span>',
                    item.url,
                    item.title,
                    item.status,
                    item.meta,
                )
            else:
                prefix = f"{theme}: " if item.kind == "theme" else ""
                line = format_html('<span class="outline-heading">{}{}</span>', prefix, item.title)
            parts.append(
                format_html('\n        <li class="outline-{}">{}\n        ', item.kind, line)
            )
            parts.append("<ul>" if item.has_children else "</li>")
            parts.append("\n        " + "</ul></li>" * len(item.closes) + "\n      ")
        return mark_safe("".join(parts))  # every piece is escaped above


class MapRows(Protocol):
    """What the chart needs of the objectives it shows: a whole map or one branch."""

    kids: Kids

    @property
    def rows(self) -> Mapping[int, ObjectiveRow]: ...

    def status(self, pk: int) -> str: ...


def map_branch(
    *,
    organization: Organization,
    user: User,
    cycle: Cycle,
    objective_id: int,
    unit_id: int | None,
    clock: Clock,
) -> dict | None:
    """What lies below one objective, LAZY_DEPTH levels deep, for map.js to add when
    someone opens a branch the page left out. None when it is not on the map.

    Without a unit filter only the branch is read (two queries per level); with one, whether
    an objective belongs depends on what lies anywhere below it, so the map is read whole.
    """
    source: MapRows | None
    if unit_id is None:
        source = alignment_branch_of(
            organization=organization,
            user=user,
            cycle=cycle,
            objective_id=objective_id,
            depth=LAZY_DEPTH,
            clock=clock,
        )
    else:
        source = alignment_forest_of(
            organization=organization, user=user, cycle=cycle, unit_id=unit_id, clock=clock
        )
    if source is None or objective_id not in source.kids:
        return None
    shown, more = _reach(source.kids, [objective_id], LAZY_DEPTH)
    return _graph_json(source, shown, more)


def _theme_links(
    organization: Organization, cycle: Cycle, elsewhere: list[int]
) -> tuple[list[Theme], dict[int, list[int]]]:
    """The organization's themes, and the themes each objective on the map links to.

    Two queries: the themes, and the links of this cycle's objectives and of the roots from
    other cycles (`elsewhere`, the only objectives of other cycles on the map).
    """
    links = ObjectiveTheme.objects.filter(organization=organization).filter(
        Q(objective__cycle=cycle) | Q(objective_id__in=elsewhere)
    )
    themes_of: dict[int, list[int]] = {}
    for objective_id, theme_id in links.values_list("objective_id", "theme_id"):
        themes_of.setdefault(objective_id, []).append(theme_id)
    themes = list(Theme.objects.filter(organization=organization).order_by("position", "pk"))
    return themes, themes_of


def _place_under_themes(
    themes: list[Theme],
    themes_of: dict[int, list[int]],
    kids: Kids,
    order: list[int],
    roots: list[int],
) -> tuple[list[tuple[Theme, list[int]]], list[int]]:
    """Each objective goes under the themes it links to, unless an objective above it
    already brings it there; roots linked to no theme go to the loose group."""
    known = {theme.pk for theme in themes}
    none: frozenset[int] = frozenset()
    # The themes above each objective; children share their parent's set when they can,
    # as most objectives of a large map inherit the same one or two themes.
    above: dict[int, frozenset[int]] = {}
    by_theme: dict[int, list[int]] = {theme.pk: [] for theme in themes}
    for pk in order:
        mine = carry = above.get(pk, none)
        if pk in themes_of:
            own = frozenset(t for t in themes_of[pk] if t in known)
            for theme_id in sorted(own - mine):
                by_theme[theme_id].append(pk)
            carry = mine | own
        if not carry:
            continue
        for child in kids[pk]:
            held = above.get(child)
            if held is None or held <= carry:
                above[child] = carry
            elif not carry <= held:
                above[child] = held | carry
    loose = [pk for pk in roots if not any(t in known for t in themes_of.get(pk, ()))]
    return [(theme, by_theme[theme.pk]) for theme in themes], loose


def _node_row(source: MapRows, pk: int) -> tuple:
    row = source.rows[pk]
    progress = row.progress
    return (  # a tuple: see `Kids`
        row.title,
        None if progress is None else round(rules.clamp(progress) * 100, 1),
        STATUS_INDEX.get(source.status(pk), 0),
        LEVEL_INDEX.get(row.level, 2),
        row.unit_id,
    )


def alignment_map_model(
    *,
    organization: Organization,
    cycle: Cycle,
    forest: AlignmentForest,
    unit_names: dict[int, str],
    root_title: str,
    group_title: str,
    objective_url: str,
) -> AlignmentMap:
    """The chart data, the outline and the unaligned list of `alignment_forest_of`'s map.

    `objective_url` is the URL of objective 0; each objective's id takes the place of the 0.
    """
    roots, kids, rows = forest.roots, forest.kids, forest.rows
    elsewhere = [pk for pk in roots if rows[pk].cycle_id != cycle.pk]
    themes, themes_of = _theme_links(organization, cycle, elsewhere)
    groups, loose = _place_under_themes(themes, themes_of, kids, forest.order, roots)
    theme_kinds = dict(ThemeKind.choices)
    if len(kids) > LAZY_LIMIT:
        tops = [pk for _theme, ids in groups for pk in ids] + loose
        shown, more = _reach(kids, tops, LAZY_DEPTH - 1)
    else:
        shown, more = set(kids), set()
    payload = {
        "root": root_title,
        "themes": [
            [theme.title, str(theme_kinds.get(theme.kind, "")), ids] for theme, ids in groups
        ],
        "loose": [group_title, loose],
        **_graph_json(forest, shown, more),
        "units": {str(pk): name for pk, name in unit_names.items()},
        "cycle": cycle.pk,
    }
    outline, cut = _outline(groups, loose, forest, group_title, objective_url)
    counts = Counter(map(forest.status, kids))
    return AlignmentMap(
        payload=payload,
        outline=outline,
        outline_cut=cut,
        unaligned=[forest.node(pk) for pk in forest.unaligned],
        counts={status: counts.get(status, 0) for status in STATUS_ORDER},
        total=len(kids),
    )


def _reach(kids: Kids, starts: list[int], depth: int) -> tuple[set[int], set[int]]:
    """The objectives within `depth` links below the starts, and those among them whose
    children are left out."""
    shown: set[int] = set()
    more: set[int] = set()
    level = list(dict.fromkeys(starts))
    for step in range(depth + 1):
        following: list[int] = []
        for pk in level:
            if pk in shown:
                continue
            shown.add(pk)
            children = kids[pk]
            if children and step == depth:
                more.add(pk)
            else:
                following += children
        level = following
    return shown, {pk for pk in more if not shown.issuperset(kids[pk])}


def _graph_json(source: MapRows, shown: set[int], more: set[int]) -> dict:
    """nodes: {id: row}; kids: {id: [child ids]} of the shown nodes whose children are
    shown; more: {id: number of children} of those whose children are left out."""
    kids = source.kids
    return {
        "nodes": {str(pk): _node_row(source, pk) for pk in shown},
        "kids": {str(pk): kids[pk] for pk in shown if kids[pk] and pk not in more},
        "more": {str(pk): len(kids[pk]) for pk in more},
    }


def _outline(
    groups: list[tuple[Theme, list[int]]],
    loose: list[int],
    source: MapRows,
    group_title: str,
    objective_url: str,
) -> tuple[list[OutlineItem], bool]:
    items: list[OutlineItem] = []
    cut = False
    head, _zero, tail = objective_url.rpartition("/0/")
    labels = {key: str(Status(key).label) for key in STATUS_ORDER}

    def objective(pk: int, depth: int, path: frozenset[int]) -> None:
        nonlocal cut
        if len(items) >= OUTLINE_LIMIT:
            cut = True
            return
        row, status = source.rows[pk], source.status(pk)
        children = [c for c in source.kids[pk] if c not in path]
        items.append(
            OutlineItem(
                kind="objective",
                title=row.title,
                depth=depth,
                objective_id=pk,
                progress=row.progress,
                status=status,
                level=row.level,
                url=f"{head}/{pk}/{tail}",
                meta=f"{labels.get(status, '')} · {pct(row.progress)}",
                has_children=bool(children),
            )
        )
        for child in children:
            objective(child, depth + 1, path | {child})

    sections: list[tuple[str, str, list[int]]] = [
        ("theme", theme.title, ids) for theme, ids in groups
    ]
    if not groups:  # no strategy written down yet: the roots are the top of the outline
        for pk in loose:
            objective(pk, 0, frozenset({pk}))
    elif loose:
        sections.append(("group", group_title, loose))
    for kind, title, ids in sections:
        items.append(OutlineItem(kind=kind, title=title, depth=0, has_children=bool(ids)))
        for pk in ids:
            objective(pk, 1, frozenset({pk}))
    _close_levels(items)
    return items, cut


def _close_levels(items: list[OutlineItem]) -> None:
    for index, item in enumerate(items):
        next_depth = items[index + 1].depth if index + 1 < len(items) else 0
        item.has_children = item.has_children and next_depth > item.depth
        opened = 1 if item.has_children else 0
        item.closes = range(max(0, item.depth + opened - next_depth))


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
