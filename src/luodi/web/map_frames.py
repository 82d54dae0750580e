"""The alignment map's structure, stored: a 45,000-objective map without reading its links.

At 10,000 people one cycle's map places ~45,000 objectives under ~50,000 links and the
strategic themes; reading and placing them takes most of a second, yet the result changes
only when the structure does (objectives, key results, alignments, units, themes: each
write bumps the report version, `reports.versions`). So the structure is stored once per
report version — which objectives the first page shows and under which theme, the
outline's lines, the titles — and each view reads only what moves with check-ins: every
objective's progress and whether it has a check-in (one narrow query), from which the
statuses and the legend follow. A check-in never voids a frame; a structure edit does, and
the next view places the map again and stores it.

Frames are made for admins (they see every objective) and for everyone else (what the whole
organization sees: organization-wide, not draft). A viewer who also sees something more on
this map — unit-only, private or their own draft objectives of the cycle, or such an
objective of another cycle that one of this cycle aligns to — gets the map placed at once
from what they see (exact, ~0.7 s at 10,000 people).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import ExpressionWrapper, Field, Q

from luodi.okrs.choices import ObjectiveState
from luodi.okrs.models import Objective
from luodi.okrs.permissions import Viewer, visible_objectives_q
from luodi.orgs.models import Cycle, Organization
from luodi.reports import versions
from luodi.reports.models import MapFrame
from luodi.reports.scope import ObjectiveRow, public_q

FORMAT = 1  # bump when the stored shape changes
ALL, PUBLIC = "all", "public"
UNALIGNED_LISTED = 100  # the page lists this many objectives aligned to nothing
# The database's own value (0/1 on SQLite, a boolean on PostgreSQL), unconverted: a typed
# output field costs a converter call per row, 45,000 of them per view of a large map.
HAS_CHECKIN = ExpressionWrapper(Q(last_checkin_at__isnull=False), output_field=Field())


@dataclass
class OutlineLine:
    """One line of the text outline without its live numbers."""

    kind: str  # "theme" | "group" | "objective"
    title: str  # a group's title is the viewer's language: filled in when shown
    depth: int
    objective_id: int | None
    has_children: bool
    closes: int  # how many nested lists close after the line


@dataclass
class Frame:
    """What a cycle's map shows that depends only on its structure.

    `chart` is the page's `<script type="application/json">` of the first page's nodes
    (id, title, level, unit, in `shown` order) and links, made by `json_script` when the
    frame is made: sent as stored, never parsed or encoded again per view. `static` holds
    (title, level, unit id, owner id, cycle id) of what the server itself names: the
    outline's objectives, the listed unaligned ones and those of other cycles.
    """

    themes: list[tuple[str, str, list[int]]]  # title, kind, the objectives placed under it
    loose: list[int]  # roots linked to no theme
    shown: list[int]  # the objectives the first page carries, in the chart's order
    on_map: list[int]  # every objective on the map (the legend counts them)
    elsewhere: list[int]  # objectives of other cycles on the map
    outside_parents: list[int]  # objectives of other cycles this cycle aligns to, seen or not
    unaligned: list[int]
    outline: list[OutlineLine]
    outline_cut: bool
    static: dict[int, tuple[str, str, int | None, int | None, int]]
    chart: str

    def to_json(self) -> str:
        return json.dumps(
            {
                "themes": self.themes,
                "loose": self.loose,
                "shown": self.shown,
                "on_map": self.on_map,
                "elsewhere": self.elsewhere,
                "outside_parents": self.outside_parents,
                "unaligned": self.unaligned,
                "outline": [
                    [o.kind, o.title, o.depth, o.objective_id, o.has_children, o.closes]
                    for o in self.outline
                ],
                "outline_cut": self.outline_cut,
                "static": list(self.static.items()),
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str, chart: str) -> Frame:
        data = json.loads(text)
        return cls(
            themes=[(title, kind, ids) for title, kind, ids in data["themes"]],
            loose=data["loose"],
            shown=data["shown"],
            on_map=data["on_map"],
            elsewhere=data["elsewhere"],
            outside_parents=data["outside_parents"],
            unaligned=data["unaligned"],
            outline=[OutlineLine(*line) for line in data["outline"]],
            outline_cut=data["outline_cut"],
            static={pk: tuple(row) for pk, row in data["static"]},  # type: ignore[misc]
            chart=chart,
        )


# --- which frame a viewer may use ----------------------------------------------------------------


def sees_beyond_public(
    organization: Organization, viewer: Viewer, cycle: Cycle, frame: Frame
) -> bool:
    """Whether the viewer sees an objective of this cycle's map that not everyone sees: a
    non-public, non-cancelled objective of the cycle, or of another cycle that one of this
    cycle aligns to (it would be a root of their map). Such a viewer cannot use the public
    frame.

    One query over the cycle's objectives (the visibility subqueries run once), a second
    by id over the frame's parents in other cycles when there are any.
    """
    beyond_public = (
        Objective.objects.filter(organization=organization)
        .filter(visible_objectives_q(viewer) & ~public_q())
        .exclude(state=ObjectiveState.CANCELLED)
    )
    if beyond_public.filter(cycle_id=cycle.pk).exists():
        return True
    return bool(frame.outside_parents) and (
        beyond_public.filter(pk__in=frame.outside_parents).exists()
    )


# --- stored frames -------------------------------------------------------------------------------


def stamp_of(version: int, shape: str) -> str:
    """`shape`: the settings the frame was made with (how deep the first page goes…)."""
    return hashlib.sha256(f"{FORMAT}:{version}:{shape}".encode()).hexdigest()[:32]


@dataclass
class Stored:
    frame: Frame | None  # None: missing or out of date
    version: int | None  # the report version read first (None: no version row yet)


def load(
    organization: Organization, cycle: Cycle, kind: str, unit_id: int | None, shape: str
) -> Stored:
    """The stored frame when it is current. The report version is read before the frame
    and before anything placed after it: a structure edit in between leaves an older stamp,
    never a newer one."""
    version = versions.current(organization)
    if version is None:
        return Stored(None, None)
    found = (
        MapFrame.objects.filter(
            organization=organization, cycle=cycle, kind=kind, unit_id=unit_id or 0
        )
        .values_list("stamp", "payload", "chart")
        .first()
    )
    if found is None or found[0] != stamp_of(version, shape):
        return Stored(None, version)
    return Stored(Frame.from_json(found[1], found[2]), version)


def store(
    organization: Organization,
    cycle: Cycle,
    kind: str,
    unit_id: int | None,
    version: int,
    shape: str,
    frame: Frame,
) -> None:
    MapFrame.objects.bulk_create(
        [
            MapFrame(
                organization=organization,
                cycle=cycle,
                kind=kind,
                unit_id=unit_id or 0,
                stamp=stamp_of(version, shape),
                payload=frame.to_json(),
                chart=frame.chart,
            )
        ],
        update_conflicts=True,
        unique_fields=["organization", "cycle", "kind", "unit_id"],
        update_fields=["stamp", "payload", "chart", "computed_at"],
    )


# --- the live part -------------------------------------------------------------------------------


def live_progress(
    organization: Organization, cycle: Cycle, frame: Frame
) -> dict[int, tuple[float | None, int | bool]]:
    """Progress and "has a check-in" (0/1, or a bool) of every objective of the cycle and
    of the frame's objectives from other cycles: one narrow query (two with those)."""
    fields = ("pk", "progress", HAS_CHECKIN)
    in_cycle = Objective.objects.filter(organization=organization, cycle_id=cycle.pk)
    found = {pk: (p, has) for pk, p, has in in_cycle.order_by().values_list(*fields)}
    if frame.elsewhere:
        others = Objective.objects.filter(organization=organization, pk__in=frame.elsewhere)
        found.update((pk, (p, has)) for pk, p, has in others.order_by().values_list(*fields))
    return found


def progress_from_rows(
    rows: Mapping[int, ObjectiveRow],
) -> dict[int, tuple[float | None, int | bool]]:
    """The same from objective rows already read (the map placed at once)."""
    return {pk: (rows[pk].progress, rows[pk].has_checkin) for pk in rows}


def static_row(row: ObjectiveRow) -> tuple[str, str, int | None, int | None, int]:
    return (row.title, row.level, row.unit_id, row.owner_id, row.cycle_id)
