"""What a report covers, and the row-level reads that reports share.

Reports read whole cycles at once (tens of thousands of objectives in a large organization),
so they fetch plain rows in a fixed number of queries and never build a model per row or
run a query per node. Every query is filtered by the organization and by what the viewer
may see (`visible_objectives_q`): a report is computed over the visible set only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from django.db.models import BooleanField, ExpressionWrapper, FloatField, Q
from django.db.models.functions import Cast

from luodi.okrs import engine
from luodi.okrs import progress as rules
from luodi.okrs.choices import (
    COUNTING_OBJECTIVE_STATES,
    KeyResultState,
    ObjectiveState,
    Status,
    Visibility,
)
from luodi.okrs.models import KeyResult, Objective, PhaseTarget
from luodi.okrs.permissions import Viewer, visible_objectives_q
from luodi.okrs.selectors import Clock, objective_measures
from luodi.orgs.choices import CycleState
from luodi.orgs.models import Cycle, Organization, Unit

COUNTING_STATES = [str(state) for state in COUNTING_OBJECTIVE_STATES]


# --- units ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitTree:
    """An organization's unit tree, read in one query."""

    names: dict[int, str]
    parent_of: dict[int, int | None]
    children: dict[int | None, list[int]]  # ordered by name, then id; None: top-level units
    progress_versions: dict[int, int] = field(default_factory=dict)  # Unit.progress_version

    @classmethod
    def load(cls, organization: Organization) -> UnitTree:
        rows = sorted(
            Unit.objects.filter(organization=organization).values_list(
                "pk", "parent_id", "name", "progress_version"
            ),
            key=lambda row: (row[2], row[0]),
        )
        children: dict[int | None, list[int]] = {}
        for pk, parent_id, _name, _version in rows:
            children.setdefault(parent_id, []).append(pk)
        return cls(
            names={pk: name for pk, _parent, name, _version in rows},
            parent_of={pk: parent for pk, parent, _name, _version in rows},
            children=children,
            progress_versions={pk: version for pk, _parent, _name, version in rows},
        )

    def subtree(self, unit_id: int) -> set[int]:
        """The unit and every unit below it."""
        found: set[int] = set()
        stack = [unit_id]
        while stack:
            pk = stack.pop()
            if pk not in found:
                found.add(pk)
                stack.extend(self.children.get(pk, ()))
        return found


# --- scope ------------------------------------------------------------------------------------


def public_q(prefix: str = "") -> Q:
    """Objectives everyone in the organization may see: organization-wide and not draft."""
    return Q(**{f"{prefix}visibility": Visibility.ORGANIZATION}) & ~Q(
        **{f"{prefix}state": ObjectiveState.DRAFT}
    )


@dataclass(frozen=True)
class Scope:
    """The visible objectives of one cycle, optionally only those under one unit."""

    organization: Organization
    viewer: Viewer
    cycle: Cycle
    unit_ids: frozenset[int] | None = None  # None: the whole organization
    unitless: bool = False  # only the objectives without a unit (unit_ids must be None)
    # "all": what the viewer sees. "public": only what everyone sees (organization-wide, not
    # draft), whoever the viewer. "restricted": of what the viewer sees, only the
    # objectives that not everyone sees (their parents still as the viewer sees them).
    part: str = "all"

    def visible_q(self, prefix: str = "") -> Q:
        """Objectives of the organization that the viewer may see, in any cycle."""
        q = Q(**{f"{prefix}organization_id": self.organization.pk})
        if self.part == "public":
            return q & public_q(prefix)
        return q & visible_objectives_q(self.viewer, prefix=prefix)

    def objectives_q(self, prefix: str = "") -> Q:
        """Visible objectives of the cycle in scope, in any state (prefix for related lookups)."""
        q = self.visible_q(prefix) & Q(**{f"{prefix}cycle_id": self.cycle.pk})
        if self.part == "restricted":
            q &= Q(**{f"{prefix}visibility__in": [Visibility.UNIT, Visibility.PRIVATE]})
        if self.unit_ids is not None:
            q &= Q(**{f"{prefix}unit_id__in": sorted(self.unit_ids)})
        elif self.unitless:
            q &= Q(**{f"{prefix}unit_id__isnull": True})
        return q

    def counting_q(self, prefix: str = "") -> Q:
        """The in-scope objectives that count in roll-ups: not draft, not cancelled."""
        return self.objectives_q(prefix) & Q(**{f"{prefix}state__in": COUNTING_STATES})

    def active_key_results_q(self, prefix: str = "") -> Q:
        """The active key results of the counting objectives (prefix for related lookups).

        The objectives come as a subquery, not a join: SQLite then walks the cycle's
        objectives and their key results by index instead of every key result of the
        organization in every cycle.
        """
        counting = Objective.objects.filter(self.counting_q()).order_by().values("pk")
        # The key result's own copy of the cycle lets the database read only this cycle's
        # key results (okrs index key_result_cycle_status), on any backend.
        return Q(
            **{
                f"{prefix}organization_id": self.organization.pk,
                f"{prefix}cycle_id": self.cycle.pk,
                f"{prefix}state": KeyResultState.ACTIVE,
                f"{prefix}objective_id__in": counting,
            }
        )


# --- objective rows ---------------------------------------------------------------------------

# Reports read many rows: floats instead of Decimals, and a flag instead of a timestamp
# where only its presence matters, keep the per-row cost down (SQLite converts every
# Decimal and datetime in Python).
AS_FLOAT = FloatField()
OBJECTIVE_FIELDS = (
    "pk",
    "cycle_id",
    "title",
    "level",
    "unit_id",
    "owner_id",
    Cast("weight", AS_FLOAT),
    "state",
    "progress",
    ExpressionWrapper(Q(last_checkin_at__isnull=False), output_field=BooleanField()),
)


@dataclass(slots=True)
class ObjectiveRow:
    pk: int
    cycle_id: int
    title: str
    level: str
    unit_id: int | None
    owner_id: int | None
    weight: float
    state: str
    progress: float | None
    has_checkin: bool


def objective_rows(q: Q) -> list[ObjectiveRow]:
    return [
        ObjectiveRow(*values)
        for values in Objective.objects.filter(q).order_by().values_list(*OBJECTIVE_FIELDS)
    ]


class ObjectiveStatus:
    """The status of objective rows, as `okrs.selectors.objective_measures` gives it.

    That function's pace is the same for every objective of a cycle, so it is taken from
    the function once per cycle; the status rule is then applied per row (tests/reports
    prove the two agree).
    """

    def __init__(self, clock: Clock, cycles: dict[int, Cycle]) -> None:
        self.clock = clock
        self.cycles = cycles
        self._pace: dict[int, float] = {}

    def __call__(self, row: ObjectiveRow) -> str:
        return self.of(row.cycle_id, row.progress, row.has_checkin)

    def of(self, cycle_id: int, progress: float | None, has_checkin: bool) -> str:
        return rules.status_of(
            progress=progress,
            expected=self.pace(cycle_id),
            has_checkin=has_checkin,
            confidence=None,
            tolerance=self.clock.tolerance,
        )

    def pace(self, cycle_id: int) -> float:
        if cycle_id not in self._pace:
            measures = objective_measures(Objective(), self.cycles[cycle_id], self.clock)
            self._pace[cycle_id] = measures.expected_progress
        return self._pace[cycle_id]


# --- key result rows --------------------------------------------------------------------------

KEY_RESULT_FIELDS = (
    "pk",
    "objective_id",
    "title",
    "kind",
    "direction",
    Cast("weight", AS_FLOAT),
    "owner_id",
    "state",
    "raw_progress",
    "progress",
    "last_confidence",
    "last_checkin_at",
    "start_date",
    "due_date",
)


@dataclass(slots=True)
class KeyResultRow:
    pk: int
    objective_id: int
    title: str
    kind: str
    direction: str
    weight: float
    owner_id: int | None
    state: str
    raw_progress: float | None
    progress: float | None
    last_confidence: int | None
    last_checkin_at: datetime | None
    start_date: date | None
    due_date: date | None


def key_result_rows(q: Q, *more: Q) -> list[KeyResultRow]:
    """The key results matching `q` or any of `more`: a UNION rather than an OR, which
    PostgreSQL answers by reading every key result of every cycle."""
    first, *rest = (
        KeyResult.objects.filter(each).order_by().values_list(*KEY_RESULT_FIELDS)
        for each in (q, *more)
    )
    return [KeyResultRow(*values) for values in first.union(*rest)]


@dataclass(frozen=True)
class PhasePlan:
    """A key result's phased targets with the metric bounds that the curve runs between."""

    start: Decimal
    target: Decimal
    phases: list[rules.Phase]


def phase_plans(q: Q) -> dict[int, PhasePlan]:
    """The phased targets of the key results that match q (one query)."""
    rows = (
        PhaseTarget.objects.filter(q)
        .order_by("key_result_id", "date")
        .values_list(
            "key_result_id",
            "date",
            "target",
            "key_result__kind",
            "key_result__start",
            "key_result__target",
        )
    )
    plans: dict[int, PhasePlan] = {}
    bounds: dict[tuple[str, Decimal | None, Decimal | None], tuple[Decimal, Decimal]] = {}
    for kr_id, day, value, kind, start, target in rows:
        if kr_id not in plans:
            # A model per key result costs more than the rest of the loop: one per distinct
            # definition instead.
            shape = (kind, start, target)
            if shape not in bounds:
                bounds[shape] = engine.metric_bounds(
                    KeyResult(kind=kind, start=start, target=target)
                )
            plans[kr_id] = PhasePlan(*bounds[shape], phases=[])
        plans[kr_id].phases.append(rules.Phase(day, value))
    return plans


# KEY_RESULT_FIELDS, read from a phased target.
PHASED_KEY_RESULT_FIELDS = (
    "key_result_id",
    *(f"key_result__{name}" for name in KEY_RESULT_FIELDS[1:5]),
    Cast("key_result__weight", AS_FLOAT),
    *(f"key_result__{name}" for name in KEY_RESULT_FIELDS[6:]),
)


def phased_rows(q: Q) -> tuple[list[KeyResultRow], dict[int, PhasePlan]]:
    """The key results matching `q` that have phased targets, with their plans: one query
    over the phased targets (few) rather than a test on every key result."""
    rows = (
        PhaseTarget.objects.filter(q)
        .order_by("key_result_id", "date")
        .values_list(
            *PHASED_KEY_RESULT_FIELDS, "date", "target", "key_result__start", "key_result__target"
        )
    )
    found: list[KeyResultRow] = []
    plans: dict[int, PhasePlan] = {}
    bounds: dict[tuple[str, Decimal | None, Decimal | None], tuple[Decimal, Decimal]] = {}
    width = len(KEY_RESULT_FIELDS)
    for values in rows:
        kr_id = values[0]
        day, value, start, target = values[width:]
        if kr_id not in plans:
            row = KeyResultRow(*values[:width])
            found.append(row)
            shape = (row.kind, start, target)
            if shape not in bounds:
                bounds[shape] = engine.metric_bounds(
                    KeyResult(kind=row.kind, start=start, target=target)
                )
            plans[kr_id] = PhasePlan(*bounds[shape], phases=[])
        plans[kr_id].phases.append(rules.Phase(day, value))
    return found, plans


class RowMeasures(NamedTuple):
    expected_progress: float
    status: str
    stale: bool


class KeyResultMeasures:
    """Pace, status and stale flag of key result rows, as
    `okrs.selectors.key_result_measures` reads the rules in `okrs.progress` (tests/reports
    prove the two agree).

    That function wants a model with its phases prefetched; prefetching for every key result
    of a large cycle sends one bound parameter per key result, so reports read the phases in
    one query (`phase_plans`) and pass them in. Pace and the stale clock's start depend only
    on the dates, so they are computed once per distinct date pair.
    """

    def __init__(self, cycle: Cycle, clock: Clock) -> None:
        self.cycle = cycle
        self.clock = clock
        self.cycle_active = cycle.state == CycleState.ACTIVE
        self._pace: dict[tuple[date, date], float] = {}
        self._since: dict[date, datetime] = {}

    def __call__(self, kr: KeyResultRow, plan: PhasePlan | None = None) -> RowMeasures:
        clock = self.clock
        start_day = kr.start_date or self.cycle.start_date
        end_day = kr.due_date or self.cycle.end_date
        if plan is not None:
            expected = rules.expected_progress(
                day=clock.today,
                start_day=start_day,
                end_day=end_day,
                start=plan.start,
                target=plan.target,
                direction=kr.direction,
                phases=plan.phases,
            )
        else:
            expected = self._pace_of(start_day, end_day)
        status = rules.status_of(
            progress=kr.raw_progress if kr.raw_progress is not None else kr.progress,
            expected=expected,
            has_checkin=kr.last_checkin_at is not None,
            confidence=kr.last_confidence,
            tolerance=clock.tolerance,
        )
        # A finished or cancelled key result needs no more check-ins: never stale.
        finished = kr.state == KeyResultState.CANCELLED or status == Status.DONE
        stale = not finished and rules.is_stale(
            last_checkin_at=kr.last_checkin_at,
            cycle_start=self._start_of(start_day),
            now=clock.now,
            cycle_active=self.cycle_active,
        )
        return RowMeasures(expected, status, stale)

    def _pace_of(self, start_day: date, end_day: date) -> float:
        key = (start_day, end_day)
        if key not in self._pace:
            self._pace[key] = rules.expected_progress(
                day=self.clock.today, start_day=start_day, end_day=end_day
            )
        return self._pace[key]

    def _start_of(self, day: date) -> datetime:
        if day not in self._since:
            self._since[day] = self.clock.start_of(day)
        return self._since[day]
