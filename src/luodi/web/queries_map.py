"""Reads for the alignment map page: the chart data, the text outline and the unaligned list.

The map is made in two steps: its frame (`map_frames.Frame`: placement under themes, the
first page's nodes, the outline's lines, titles), which depends only on the structure and
is stored per report version, and the live numbers (progress, status, the legend) read with
every view. Both the stored and the at-once path go through the same two functions, so they
cannot disagree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from django.db.models import Q
from django.utils.html import format_html, json_script
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from luodi.accounts.models import User
from luodi.okrs import progress as rules
from luodi.okrs.choices import Level, Status
from luodi.okrs.models import ObjectiveTheme
from luodi.okrs.permissions import viewer_for
from luodi.okrs.selectors import Clock
from luodi.orgs.choices import ThemeKind
from luodi.orgs.models import Cycle, Organization, Theme
from luodi.reports.alignment import AlignmentForest, Kids
from luodi.reports.scope import ObjectiveRow, ObjectiveStatus
from luodi.reports.selectors import alignment_branch_of, alignment_forest_of
from luodi.web import map_frames
from luodi.web.map_frames import Frame, OutlineLine
from luodi.web.templatetags.luodi import pct

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

Progress = dict[int, tuple[float | None, int | bool]]  # objective → (progress, checked in)


@dataclass
class OutlineItem:
    """One line of the text outline: a theme, a group or an objective."""

    kind: str  # "theme" | "group" | "objective"
    title: str
    depth: int
    objective_id: int | None = None
    url: str = ""
    status: str = ""
    meta: str = ""  # "On track · 45%", ready to show: the outline can be thousands of lines
    has_children: bool = False
    closes: int = 0


@dataclass
class AlignmentMap:
    payload: dict  # compact JSON for map.js: what changes with check-ins, labels
    chart: SafeString  # the <script> of the chart's titles and links (`Frame.chart`)
    outline: list[OutlineItem]
    outline_cut: bool
    unaligned: list[dict]  # the first UNALIGNED_LISTED
    unaligned_total: int
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
            parts.append("\n        " + "</ul></li>" * item.closes + "\n      ")
        return mark_safe("".join(parts))  # every piece is escaped above


@dataclass
class MapTexts:
    """What the page names in the viewer's language and scope."""

    unit_names: dict[int, str]
    root_title: str
    group_title: str
    objective_url: str  # the URL of objective 0; each objective's id takes the place of the 0


def alignment_map_of(
    *,
    organization: Organization,
    user: User,
    cycle: Cycle,
    unit_id: int | None,
    clock: Clock,
    texts: MapTexts,
) -> AlignmentMap:
    """The map page's model: from the stored frame of the viewer's kind (placed and stored
    when missing), or placed at once from what the viewer sees when that is more than the
    public frame holds (`map_frames`)."""
    viewer = viewer_for(organization, user)
    kind = map_frames.ALL if viewer.is_admin else map_frames.PUBLIC
    shape = f"{LAZY_LIMIT}:{LAZY_DEPTH}:{OUTLINE_LIMIT}:{map_frames.UNALIGNED_LISTED}"
    stored = map_frames.load(organization, cycle, kind, unit_id, shape)
    frame, forest = stored.frame, None
    if frame is None:  # "all" is everything an admin sees
        forest, frame = _placed(organization, user, cycle, unit_id, clock, part=kind)
        if stored.version is not None:
            map_frames.store(organization, cycle, kind, unit_id, stored.version, shape, frame)
    if kind == map_frames.PUBLIC and map_frames.sees_beyond_public(
        organization, viewer, cycle, frame
    ):
        return placed_at_once(
            organization=organization,
            user=user,
            cycle=cycle,
            unit_id=unit_id,
            clock=clock,
            texts=texts,
        )
    if forest is not None:
        return _model_of_forest(cycle, forest, frame, clock, texts)
    return alignment_map_model(
        cycle=cycle,
        frame=frame,
        progress=map_frames.live_progress(organization, cycle, frame),
        status_of=ObjectiveStatus(clock, _cycles_of(cycle, frame)),
        texts=texts,
    )


def placed_at_once(
    *,
    organization: Organization,
    user: User,
    cycle: Cycle,
    unit_id: int | None,
    clock: Clock,
    texts: MapTexts,
) -> AlignmentMap:
    """The map placed from everything the viewer sees, nothing stored."""
    forest, frame = _placed(organization, user, cycle, unit_id, clock, part="all")
    return _model_of_forest(cycle, forest, frame, clock, texts)


def _placed(
    organization: Organization,
    user: User,
    cycle: Cycle,
    unit_id: int | None,
    clock: Clock,
    *,
    part: str,
) -> tuple[AlignmentForest, Frame]:
    forest = alignment_forest_of(
        organization=organization,
        user=user,
        cycle=cycle,
        unit_id=unit_id,
        clock=clock,
        part=part,
    )
    return forest, frame_of(organization=organization, cycle=cycle, forest=forest)


def _model_of_forest(
    cycle: Cycle, forest: AlignmentForest, frame: Frame, clock: Clock, texts: MapTexts
) -> AlignmentMap:
    """The model with the numbers of the objectives just read (no second query)."""
    return alignment_map_model(
        cycle=cycle,
        frame=frame,
        progress=map_frames.progress_from_rows(forest.rows),
        status_of=ObjectiveStatus(clock, forest.graph.cycles),
        texts=texts,
    )


def _cycles_of(cycle: Cycle, frame: Frame) -> dict[int, Cycle]:
    """The cycle and those of the frame's objectives from other cycles (their pace)."""
    cycles = {cycle.pk: cycle}
    other_ids = {frame.static[pk][4] for pk in frame.elsewhere} - {cycle.pk}
    if other_ids:
        cycles.update((c.pk, c) for c in Cycle.objects.filter(pk__in=sorted(other_ids)))
    return cycles


# --- the frame: structure only ---------------------------------------------------------------


def frame_of(*, organization: Organization, cycle: Cycle, forest: AlignmentForest) -> Frame:
    """The map's structure: which objectives go under which theme, what the first page
    carries, the outline's lines and the titles the page names."""
    roots, kids, rows = forest.roots, forest.kids, forest.rows
    elsewhere = [pk for pk in kids if rows[pk].cycle_id != cycle.pk]
    themes, themes_of = _theme_links(organization, cycle, elsewhere)
    groups, loose = _place_under_themes(themes, themes_of, kids, forest.order, roots)
    if len(kids) > LAZY_LIMIT:
        tops = [pk for _theme, ids in groups for pk in ids] + loose
        shown, more = _reach(kids, tops, LAZY_DEPTH - 1)
    else:
        shown, more = set(kids), set()
    outline, cut = _outline(groups, loose, kids, rows)
    listed = forest.unaligned[: map_frames.UNALIGNED_LISTED]
    named = {line.objective_id for line in outline if line.objective_id}
    named.update(listed, elsewhere)
    order = sorted(shown)
    chart = {
        "nodes": [
            [pk, rows[pk].title, LEVEL_INDEX.get(rows[pk].level, 2), rows[pk].unit_id]
            for pk in order
        ],
        **_links_json(kids, order, more),
    }
    return Frame(
        themes=[(theme.title, theme.kind, ids) for theme, ids in groups],
        loose=loose,
        shown=order,
        on_map=list(kids),
        elsewhere=elsewhere,
        outside_parents=sorted(forest.graph.outside_parents),
        unaligned=forest.unaligned,
        outline=outline,
        outline_cut=cut,
        static={pk: map_frames.static_row(rows[pk]) for pk in sorted(named)},
        chart=json_script(chart, "map-frame"),
    )


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


def _outline(
    groups: list[tuple[Theme, list[int]]],
    loose: list[int],
    kids: Kids,
    rows: Mapping[int, ObjectiveRow],
) -> tuple[list[OutlineLine], bool]:
    """The outline's lines, depth first, at most OUTLINE_LIMIT; True when cut there."""
    lines: list[OutlineLine] = []
    cut = False

    def objective(pk: int, depth: int, path: frozenset[int]) -> None:
        nonlocal cut
        if len(lines) >= OUTLINE_LIMIT:
            cut = True
            return
        children = [c for c in kids[pk] if c not in path]
        lines.append(OutlineLine("objective", rows[pk].title, depth, pk, bool(children), 0))
        for child in children:
            objective(child, depth + 1, path | {child})

    sections: list[tuple[str, str, list[int]]] = [
        ("theme", theme.title, ids) for theme, ids in groups
    ]
    if not groups:  # no strategy written down yet: the roots are the top of the outline
        for pk in loose:
            objective(pk, 0, frozenset({pk}))
    elif loose:
        sections.append(("group", "", loose))  # titled in the viewer's language when shown
    for kind, title, ids in sections:
        lines.append(OutlineLine(kind, title, 0, None, bool(ids), 0))
        for pk in ids:
            objective(pk, 1, frozenset({pk}))
    _close_levels(lines)
    return lines, cut


def _close_levels(lines: list[OutlineLine]) -> None:
    for index, line in enumerate(lines):
        next_depth = lines[index + 1].depth if index + 1 < len(lines) else 0
        line.has_children = line.has_children and next_depth > line.depth
        opened = 1 if line.has_children else 0
        line.closes = max(0, line.depth + opened - next_depth)


# --- the live model: the frame with today's numbers ------------------------------------------


def alignment_map_model(
    *,
    cycle: Cycle,
    frame: Frame,
    progress: Progress,
    status_of: ObjectiveStatus,
    texts: MapTexts,
) -> AlignmentMap:
    """The chart data, the outline and the unaligned list: the frame with each objective's
    progress and status (`progress` holds every objective of the frame)."""
    elsewhere = set(frame.elsewhere)
    static = frame.static
    statuses: dict[int, str] = {}
    for pk in frame.on_map:
        value, has_checkin = progress.get(pk, (None, False))
        cycle_id = static[pk][4] if pk in elsewhere else cycle.pk
        statuses[pk] = status_of.of(cycle_id, value, has_checkin)
    for pk in frame.unaligned[: map_frames.UNALIGNED_LISTED]:
        value, has_checkin = progress.get(pk, (None, False))
        statuses[pk] = status_of.of(cycle.pk, value, has_checkin)
    live = _Live(static, progress, statuses)
    theme_kinds = dict(ThemeKind.choices)
    payload = {
        "root": texts.root_title,
        "themes": [
            [title, str(theme_kinds.get(kind, "")), ids] for title, kind, ids in frame.themes
        ],
        "loose": [texts.group_title, frame.loose],
        # Progress (percent) and status of the chart's nodes, in its order (`Frame.chart`).
        "live": [number for pk in frame.shown for number in live.numbers(pk)],
        "units": {str(pk): name for pk, name in texts.unit_names.items()},
        "cycle": cycle.pk,
    }
    counts = Counter(statuses[pk] for pk in frame.on_map)
    return AlignmentMap(
        payload=payload,
        chart=mark_safe(frame.chart),  # made by json_script when the frame was made
        outline=_outline_items(frame.outline, live, texts),
        outline_cut=frame.outline_cut,
        unaligned=[live.node(pk) for pk in frame.unaligned[: map_frames.UNALIGNED_LISTED]],
        unaligned_total=len(frame.unaligned),
        counts={status: counts.get(status, 0) for status in STATUS_ORDER},
        total=len(frame.on_map),
    )


@dataclass
class _Live:
    static: dict[int, tuple[str, str, int | None, int | None, int]]
    progress: Progress
    statuses: dict[int, str]

    def progress_of(self, pk: int) -> float | None:
        return self.progress.get(pk, (None, False))[0]

    def numbers(self, pk: int) -> tuple[float | None, int]:
        value = self.progress_of(pk)
        return _percent(value), STATUS_INDEX.get(self.statuses[pk], 0)

    def node(self, pk: int) -> dict:
        title, level, unit_id, owner_id, cycle_id = self.static[pk]
        return {
            "objective_id": pk,
            "cycle_id": cycle_id,
            "title": title,
            "level": level,
            "unit_id": unit_id,
            "owner_id": owner_id,
            "progress": self.progress_of(pk),
            "status": self.statuses[pk],
        }


def _outline_items(lines: list[OutlineLine], live: _Live, texts: MapTexts) -> list[OutlineItem]:
    head, _zero, tail = texts.objective_url.rpartition("/0/")
    labels = {key: str(Status(key).label) for key in STATUS_ORDER}
    items = []
    for line in lines:
        item = OutlineItem(
            kind=line.kind,
            title=texts.group_title if line.kind == "group" else line.title,
            depth=line.depth,
            objective_id=line.objective_id,
            has_children=line.has_children,
            closes=line.closes,
        )
        pk = line.objective_id
        if pk is not None:
            status = live.statuses[pk]
            item.url = f"{head}/{pk}/{tail}"
            item.status = status
            item.meta = f"{labels.get(status, '')} · {pct(live.progress_of(pk))}"
        items.append(item)
    return items


# --- one branch, for map.js -------------------------------------------------------------------


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


def _node_row(source: MapRows, pk: int) -> tuple:
    row = source.rows[pk]
    return (  # a tuple: see `Kids`
        row.title,
        _percent(row.progress),
        STATUS_INDEX.get(source.status(pk), 0),
        LEVEL_INDEX.get(row.level, 2),
        row.unit_id,
    )


def _graph_json(source: MapRows, shown: set[int], more: set[int]) -> dict:
    """nodes: {id: row}; kids: {id: [child ids]} of the shown nodes whose children are
    shown; more: {id: number of children} of those whose children are left out."""
    return {
        "nodes": {str(pk): _node_row(source, pk) for pk in shown},
        **_links_json(source.kids, shown, more),
    }


def _links_json(kids: Kids, shown: Iterable[int], more: set[int]) -> dict:
    """kids: {id: [child ids]} of the shown nodes whose children are shown too; more:
    {id: number of children} of those whose children are left out."""
    return {
        "kids": {str(pk): kids[pk] for pk in shown if kids[pk] and pk not in more},
        "more": {str(pk): len(kids[pk]) for pk in sorted(more)},
    }


def _percent(progress: float | None) -> float | None:
    """Progress as the chart shows it: a percentage to one decimal (5.9 of 10 is 59.0)."""
    return None if progress is None else round(rules.clamp(progress) * 100, 1)
