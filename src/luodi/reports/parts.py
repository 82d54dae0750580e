"""Stored dashboard parts: the whole-organization dashboard without reading the whole cycle.

At 10,000 people a cycle holds ~130,000 key results; working their statuses, people and
objectives out takes about a second. A dashboard over the whole organization (or a unit
near the top) is instead the sum of parts, one per block of units:

- a block is a unit at depth `BLOCK_DEPTH` with everything below it, or one unit above that
  depth on its own, or the objectives without a unit;
- a part holds what the dashboard needs from the block: key results by status (and stale),
  the people expected to check in and those who did this week (as ids: a person may work
  in several blocks, so sets are united, not counts added), the block's worst key results
  (the dashboard's at-risk list is the worst of the parts' worst), and per unit the sums
  the objectives' weighted progress and alignment coverage are made of. Every one of them
  adds up exactly (tests/reports/test_parts.py compares with the dashboard computed at once);
- a part is stored in the database (every worker process shares it) under a stamp of what
  it depends on: the report version (structure edits, `versions.py`), the block's progress
  versions (bumped by every check-in's chain, `okrs.engine`), the day, the rules' settings
  and the cycle. It also expires when a key result of the block turns stale by the clock.

So after a check-in only the blocks its chain touched (its department and the units above)
are worked out again. Parts are made for viewers who see every objective (admins): what
others see differs person by person, and their dashboards are computed at once. When more
than `INLINE_LIMIT` parts are missing (a new day, a structure edit), the request computes the
dashboard at once and a background task (`tasks.fill_dashboard_parts`) stores every part.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from luodi.okrs.choices import Level
from luodi.okrs.models import Alignment, Objective
from luodi.okrs.permissions import Viewer, visible_objectives_q
from luodi.okrs.selectors import Clock
from luodi.orgs.choices import Role
from luodi.orgs.models import Cycle, Organization
from luodi.reports.aggregates import (
    AT_RISK_LIMIT,
    LIVE_OBJECTIVE_STATES,
    KeyResultTally,
    UnitGroup,
    _worst,
    scope_tally,
    unit_groups,
)
from luodi.reports.models import DashboardPart, ReportVersion
from luodi.reports.scope import KeyResultRow, RowMeasures, Scope, UnitTree, public_q

BLOCK_DEPTH = 2  # company → divisions → departments: a block is about a department
INLINE_LIMIT = 8  # a check-in touches its department's block and the units above: 3 at 10k
FORMAT = 2  # bump when the payload's shape changes


@dataclass(frozen=True)
class Block:
    key: str  # "u<unit id>", or "none"
    unit_ids: frozenset[int] | None  # None: the objectives without a unit
    version: int


@dataclass
class Composed:
    """The dashboard's inputs, summed over the parts."""

    groups: dict[int | None, UnitGroup]
    tally: KeyResultTally


def blocks_of(units: UnitTree, unit_id: int | None, unitless_version: int) -> list[Block] | None:
    """The blocks that make up the scope (the whole organization when `unit_id` is None),
    or None when the unit lies below the block depth (its dashboard is small: computed at
    once)."""
    depth = _depth(units, unit_id) if unit_id is not None else -1
    if depth > BLOCK_DEPTH:
        return None
    found: list[Block] = []
    stack = [unit_id] if unit_id is not None else list(units.children.get(None, []))
    depths = {pk: depth if unit_id is not None else 0 for pk in stack}
    while stack:
        pk = stack.pop()
        if depths[pk] < BLOCK_DEPTH:
            found.append(_block(units, pk, frozenset({pk})))
            for child in units.children.get(pk, []):
                depths[child] = depths[pk] + 1
                stack.append(child)
        else:
            found.append(_block(units, pk, frozenset(units.subtree(pk))))
    if unit_id is None:
        found.append(Block("none", None, unitless_version))
    return found


def _depth(units: UnitTree, unit_id: int) -> int:
    depth, parent = 0, units.parent_of.get(unit_id)
    while parent is not None:
        depth, parent = depth + 1, units.parent_of.get(parent)
    return depth


def _block(units: UnitTree, pk: int, unit_ids: frozenset[int]) -> Block:
    version = sum(units.progress_versions.get(u, 0) for u in unit_ids)
    return Block(f"u{pk}", unit_ids, version)


ALL, PUBLIC = "all", "public"  # what a part counts: see `compose`


@dataclass
class _Found:
    blocks: list[Block]
    stamps: dict[str, str]  # by stored key (`_key`)
    stored: dict[str, dict[str, Any]]  # fresh parts' payloads by stored key
    missing: list[Block]


def _key(kind: str, block: Block) -> str:
    return block.key if kind == ALL else f"p:{block.key}"


def _find(
    organization: Organization,
    cycle: Cycle,
    units: UnitTree,
    unit_id: int | None,
    clock: Clock,
    kind: str,
) -> _Found | None:
    versions = (
        ReportVersion.objects.filter(organization=organization)
        .values_list("version", "unitless_version")
        .first()
    )
    blocks = blocks_of(units, unit_id, versions[1] if versions else 0)
    if versions is None or blocks is None:
        return None
    stamps = {_key(kind, b): _stamp(versions[0], kind, b, cycle, clock) for b in blocks}
    stored = {
        key: payload
        for key, stamp, valid_until, payload in DashboardPart.objects.filter(
            organization=organization, cycle=cycle, block__in=sorted(stamps)
        ).values_list("block", "stamp", "valid_until", "payload")
        if stamp == stamps[key] and (valid_until is None or valid_until > clock.now)
    }
    missing = [b for b in blocks if _key(kind, b) not in stored]
    return _Found(blocks, stamps, stored, missing)


def compose(
    *,
    organization: Organization,
    viewer: Viewer,
    cycle: Cycle,
    units: UnitTree,
    unit_id: int | None,
    clock: Clock,
) -> Composed | None:
    """The scope's dashboard inputs from stored parts, computing at most `INLINE_LIMIT`
    missing ones; None when the scope cannot be composed or more parts are missing (the
    caller computes at once; a background task fills the parts).

    An admin sees every objective: the parts count them all. Anyone else: the parts count
    what everyone sees (organization-wide, not draft), and what this viewer sees beyond
    that (unit-only objectives of their units, private ones of their reports, …; few) is
    read at once and added (`_add_restricted`), as are the public objectives whose only
    parents the viewer sees but not everyone does (`_add_hidden_parents`)."""
    kind = ALL if viewer.is_admin else PUBLIC
    found = _find(organization, cycle, units, unit_id, clock, kind)
    if found is None:
        return None
    if len(found.missing) > INLINE_LIMIT:
        transaction.on_commit(lambda: _fill_later(organization.pk, cycle.pk))
        return None
    computed = {_key(kind, b): compute(organization, cycle, b, clock, kind) for b in found.missing}
    if computed:
        _store(organization, cycle, found.stamps, computed)
    payloads = [*found.stored.values(), *(payload for payload, _until in computed.values())]
    composed = _sum(payloads)
    if kind == PUBLIC:
        unit_ids = None if unit_id is None else frozenset(units.subtree(unit_id))
        restricted = Scope(organization, viewer, cycle, unit_ids, part="restricted")
        _add_restricted(composed, restricted, clock)
        _add_hidden_parents(composed, viewer, payloads)
    return composed


def fill(organization: Organization, cycle: Cycle, clock: Clock) -> int:
    """Compute and store every missing part of the organization's cycle, of both kinds;
    returns how many."""
    units = UnitTree.load(organization)
    done = 0
    for kind in (ALL, PUBLIC):
        found = _find(organization, cycle, units, None, clock, kind)
        if found is None or not found.missing:
            continue
        computed = {
            _key(kind, b): compute(organization, cycle, b, clock, kind) for b in found.missing
        }
        _store(organization, cycle, found.stamps, computed)
        done += len(computed)
    return done


def _fill_later(organization_id: int, cycle_id: int) -> None:
    from luodi.reports.tasks import fill_dashboard_parts

    fill_dashboard_parts(organization_id, cycle_id)


def compute(
    organization: Organization, cycle: Cycle, block: Block, clock: Clock, kind: str = ALL
) -> tuple[dict[str, Any], datetime | None]:
    """One block's part, and until when it holds by the clock."""
    admin = Viewer(0, Role.ADMIN, frozenset(), frozenset(), frozenset(), organization.pk)
    scope = Scope(
        organization,
        admin,
        cycle,
        block.unit_ids,
        unitless=block.unit_ids is None,
        part="public" if kind == PUBLIC else "all",
    )
    groups = unit_groups(scope)
    tally = scope_tally(scope, clock, few=True, people_ids=True)  # a block: a department at most
    payload = {
        "counts": tally.counts,
        "people": sorted(tally.people_ids or ()),
        "checked_in": sorted(tally.checked_in_ids or ()),
        "at_risk": [[_row_json(kr), list(m)] for kr, m in tally.at_risk],
        "groups": [[unit, *_group_values(g)] for unit, g in groups.items()],
        "hidden_parents": _hidden_parents(scope) if kind == PUBLIC else [],
    }
    return payload, tally.stale_at


def _hidden_parents(scope: Scope) -> list[list[Any]]:
    """The public part's objectives below company level with no parent everyone sees but
    some other parent that is not cancelled: [unit, objective, [parent objective ids]].
    Whether one counts as aligned depends on who looks (`_add_hidden_parents`)."""
    children = Objective.objects.filter(scope.counting_q() & ~Q(level=Level.COMPANY)).values("pk")
    links = (
        Alignment.objects.filter(organization=scope.organization, child_id__in=children)
        .annotate(parent=Coalesce("parent_objective_id", "parent_key_result__objective_id"))
        .filter(
            Q(parent_objective__state__in=LIVE_OBJECTIVE_STATES)
            | Q(parent_key_result__objective__state__in=LIVE_OBJECTIVE_STATES)
        )
        .annotate(
            public=ExpressionWrapper(
                public_q("parent_objective__") | public_q("parent_key_result__objective__"),
                output_field=BooleanField(),
            )
        )
        .order_by()
        .values_list("child_id", "child__unit_id", "parent", "public")
    )
    parents: dict[int, tuple[int | None, set[int]]] = {}
    seen_public: set[int] = set()
    for child, unit, parent, public in links:
        if public:
            seen_public.add(child)
        parents.setdefault(child, (unit, set()))[1].add(parent)
    return [
        [unit, child, sorted(ids)]
        for child, (unit, ids) in sorted(parents.items())
        if child not in seen_public
    ]


def _add_restricted(composed: Composed, scope: Scope, clock: Clock) -> None:
    """Add what the viewer sees beyond the public parts (read at once: few objectives)."""
    tally = scope_tally(scope, clock, few=True, people_ids=True)  # restricted: few
    people, checked_in = tally.people_ids or (), tally.checked_in_ids or ()
    _add(composed.tally, tally.counts, people, checked_in, tally.at_risk)
    for unit, group in unit_groups(scope).items():
        mine = composed.groups.get(unit)
        composed.groups[unit] = group if mine is None else _plus(mine, group)


def _add_hidden_parents(composed: Composed, viewer: Viewer, payloads: list[dict[str, Any]]) -> None:
    """Count as aligned the public objectives whose only parents this viewer sees but not
    everyone does (one query, only when there are such objectives)."""
    hidden = [entry for payload in payloads for entry in payload["hidden_parents"]]
    if not hidden:
        return
    wanted = sorted({parent for _unit, _child, ids in hidden for parent in ids})
    seen = set(
        Objective.objects.filter(Q(pk__in=wanted) & visible_objectives_q(viewer)).values_list(
            "pk", flat=True
        )
    )
    for unit, _child, ids in hidden:
        if seen.intersection(ids):
            group = composed.groups[unit]
            composed.groups[unit] = dataclasses.replace(group, aligned=group.aligned + 1)


def _plus(a: UnitGroup, b: UnitGroup) -> UnitGroup:
    return UnitGroup(
        a.objectives + b.objectives,
        a.below_company + b.below_company,
        a.aligned + b.aligned,
        a.weighted + b.weighted,
        a.weights + b.weights,
    )


def _store(
    organization: Organization,
    cycle: Cycle,
    stamps: dict[str, str],
    computed: dict[str, tuple[dict[str, Any], datetime | None]],
) -> None:
    now = timezone.now()
    DashboardPart.objects.bulk_create(
        [
            DashboardPart(
                organization=organization,
                cycle=cycle,
                block=key,
                stamp=stamps[key],
                valid_until=until,
                payload=payload,
                computed_at=now,
            )
            for key, (payload, until) in sorted(computed.items())
        ],
        update_conflicts=True,
        unique_fields=["organization", "cycle", "block"],
        update_fields=["stamp", "valid_until", "payload", "computed_at"],
    )


def _sum(payloads: list[dict[str, Any]]) -> Composed:
    tally = KeyResultTally(counts={}, people_ids=set(), checked_in_ids=set())
    groups: dict[int | None, UnitGroup] = {}
    for payload in payloads:
        worst = [(_row_from_json(kr), RowMeasures(*m)) for kr, m in payload["at_risk"]]
        _add(tally, payload["counts"], payload["people"], payload["checked_in"], worst)
        for unit, *values in payload["groups"]:
            groups[unit] = UnitGroup(*values)  # a unit lies in one block only
    return Composed(groups, tally)


def _add(
    total: KeyResultTally,
    counts: dict[str, int],
    people: Iterable[int],
    checked_in: Iterable[int],
    worst: list[tuple[KeyResultRow, RowMeasures]],
) -> None:
    """Add one tally to `total`: counts summed, people united, the worst ranked again."""
    assert total.people_ids is not None and total.checked_in_ids is not None
    for key, number in counts.items():
        total.counts[key] = total.counts.get(key, 0) + number
    total.people_ids.update(people)
    total.checked_in_ids.update(checked_in)
    total.people, total.checked_in = len(total.people_ids), len(total.checked_in_ids)
    total.at_risk = _worst([*total.at_risk, *worst], AT_RISK_LIMIT)


def _group_values(g: UnitGroup) -> list[Any]:
    return [g.objectives, g.below_company, g.aligned, g.weighted, g.weights]


def _row_json(kr: KeyResultRow) -> list[Any]:
    return [
        value.isoformat() if isinstance(value, date | datetime) else value
        for value in (getattr(kr, name) for name in KeyResultRow.__slots__)
    ]


def _row_from_json(values: list[Any]) -> KeyResultRow:
    row = KeyResultRow(*values)
    if row.last_checkin_at is not None:
        row.last_checkin_at = datetime.fromisoformat(row.last_checkin_at)  # type: ignore[arg-type]
    if row.start_date is not None:
        row.start_date = date.fromisoformat(row.start_date)  # type: ignore[arg-type]
    if row.due_date is not None:
        row.due_date = date.fromisoformat(row.due_date)  # type: ignore[arg-type]
    return row


def _stamp(version: int, kind: str, block: Block, cycle: Cycle, clock: Clock) -> str:
    """Everything a part depends on besides its block's rows (and the clock's stale
    moments, kept as `valid_until`)."""
    inputs = [
        FORMAT,
        kind,
        version,
        block.key,
        block.version,
        sorted(block.unit_ids) if block.unit_ids is not None else None,
        clock.today.isoformat(),
        str(clock.zone),
        repr(clock.tolerance),
        cycle.start_date.isoformat(),
        cycle.end_date.isoformat(),
        str(cycle.state),
    ]
    return hashlib.sha256(json.dumps(inputs).encode()).hexdigest()
