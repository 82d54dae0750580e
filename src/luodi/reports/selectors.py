"""Insights: the alignment map and the dashboard of a cycle.

Both read a whole cycle in a fixed number of queries (independent of its size) and compute
in Python; both see only what the viewer may see.
"""

from __future__ import annotations

from typing import Any

from luodi.accounts.models import User
from luodi.okrs import progress as rules
from luodi.okrs.choices import Status
from luodi.okrs.permissions import viewer_for
from luodi.okrs.selectors import Clock
from luodi.orgs.models import Cycle, Organization
from luodi.reports import parts
from luodi.reports.aggregates import (
    KeyResultTally,
    UnitGroup,
    mean_of_groups,
    scope_tally,
    unit_groups,
)
from luodi.reports.alignment import (
    AlignmentBranch,
    AlignmentForest,
    alignment_branch,
    alignment_forest,
)
from luodi.reports.scope import KeyResultRow, RowMeasures, Scope, UnitTree
from luodi.reports.trend import scope_trend

STATUS_KEYS = (Status.NOT_STARTED, Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK, Status.DONE)


def alignment_tree(
    *,
    organization: Organization,
    user: User,
    cycle: Cycle,
    unit_id: int | None = None,
    clock: Clock | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """The cycle's alignment map: `{"roots": [node], "unaligned": [node]}`.

    node = `{objective_id, cycle_id, title, level, unit_id, owner_id, progress, status,
    children: [node]}`; status by `objective_measures` against the node's own cycle.

    - Nodes are the objectives the user may see, cancelled ones left out. Links to or from
      an objective the user may not see are ignored, so a hidden objective leaves no trace
      (not even as a placeholder); "parent" below means a visible parent.
    - A child is an objective of this cycle aligned (contributes or supports) to the parent
      objective or to one of its key results. An objective with several parents appears
      under each.
    - Every objective of the cycle is placed: under its parents when it has any; else as a
      root when something aligns to it or it is company-level; else in `unaligned`
      (a non-company objective that aligns to nothing and that nothing aligns to).
    - A parent in another cycle (a yearly objective above quarterly ones) is a root of its
      own, listed first, showing its children from this cycle; its own parents are not
      followed further.
    - With `unit_id`: the objectives whose unit is in that unit's subtree, plus the chain of
      their ancestors so the map stays connected; other children are left out. Placement
      does not change with the filter: an objective whose children all sit outside the
      unit is still a root (with no children shown).

    Two queries whatever the size of the cycle, two more when parents sit in other
    cycles, one more with `unit_id` (plus three for the viewer's permissions, cached on the
    user object).
    """
    forest = alignment_forest_of(
        organization=organization, user=user, cycle=cycle, unit_id=unit_id, clock=clock
    )
    built: dict[int, dict[str, Any]] = {}
    for pk in forest.kids:
        built[pk] = forest.node(pk)
    for pk, children in forest.kids.items():  # shared nodes: a child with several parents
        built[pk]["children"] = [built[child] for child in children]
    return {
        "roots": [built[pk] for pk in forest.roots],
        "unaligned": [forest.node(pk) for pk in forest.unaligned],
    }


def alignment_forest_of(
    *,
    organization: Organization,
    user: User,
    cycle: Cycle,
    unit_id: int | None = None,
    clock: Clock | None = None,
    part: str = "all",
) -> AlignmentForest:
    """`alignment_tree`'s map, flat: for pages that show only part of a large one.

    `part="public"`: only what everyone in the organization sees (`Scope.part`)."""
    clock = clock or Clock.for_org(organization)
    return alignment_forest(
        Scope(organization, viewer_for(organization, user), cycle, part=part),
        clock=clock,
        unit_tree=UnitTree.load(organization) if unit_id is not None else None,
        unit_id=unit_id,
    )


def alignment_branch_of(
    *,
    organization: Organization,
    user: User,
    cycle: Cycle,
    objective_id: int,
    depth: int,
    clock: Clock | None = None,
) -> AlignmentBranch | None:
    """What lies `depth` levels below one objective of the map (see `alignment_branch`)."""
    return alignment_branch(
        Scope(organization, viewer_for(organization, user), cycle),
        objective_id,
        depth=depth,
        clock=clock or Clock.for_org(organization),
    )


def dashboard(
    *,
    organization: Organization,
    user: User,
    cycle: Cycle,
    unit_id: int | None = None,
    clock: Clock | None = None,
) -> dict[str, Any]:
    """The cycle's dashboard for the whole organization or one unit's subtree.

    Scope: the objectives of the cycle that the user may see, not draft and not cancelled,
    whose unit is in the unit's subtree when `unit_id` is given. Their key results: the
    active (not cancelled) ones. Hidden objectives count nowhere.

    - progress: weighted mean of the scope's stored objective progress, weights = objective
      weights (`weighted_mean`: none → 0, zero weight ignored, nothing → null).
    - expected_progress: how far through the cycle today is (org timezone).
    - status_counts: key results by status (not_started, on_track, at_risk, off_track,
      done), plus `stale`, the number of those that are also stale.
    - units: the unit and its direct child units (whole organization: each top-level unit
      and its direct children), parent before children; for each, progress = weighted mean
      and objectives = count over the scope's objectives in that unit's subtree.
    - checkin_rate: of the people who own or contribute to an active, non-roll-up key
      result in scope, the share who wrote a check-in on one of those key results during
      the current ISO week (Monday 00:00 to Monday 00:00 in the org timezone); null when
      nobody is expected to check in. `checkin_people` and `checkin_done` are the two counts.
    - alignment_coverage: share of the scope's non-company objectives with at least one
      parent (an objective or a key result's objective) that the user can see and that is
      not cancelled; null when there are none.
    - at_risk: up to 10 key results that are off track or at risk, or stale and not done;
      largest gap (expected − clamped progress) first.
    - trend: weekly points `{date, progress, expected}` from the cycle start to today
      (at most 60; see `trend.py`): on each past day, each key result at its latest
      check-in snapshot by the end of that day, rolled up with today's weights, key
      results, alignments and roll-up key results — child objectives' contributions
      included, at any depth and in any cycle, exactly as the engine does; today's point
      is `progress`.

    The database aggregates (nothing reads every key result or objective row), so the
    query count is fixed whatever the size of the scope: six, plus three for the viewer's
    permissions (cached on the user object), plus the trend's sweep when its stored past
    points no longer hold (`trend.past_values`).
    """
    clock = clock or Clock.for_org(organization)
    units = UnitTree.load(organization)
    unit_ids = None if unit_id is None else frozenset(units.subtree(unit_id))
    viewer = viewer_for(organization, user)
    scope = Scope(organization, viewer, cycle, unit_ids)
    composed = parts.compose(
        organization=organization,
        viewer=viewer,
        cycle=cycle,
        units=units,
        unit_id=unit_id,
        clock=clock,
    )
    if composed is not None:
        groups, tally = composed.groups, composed.tally
    else:
        # A unit's subtree is "few" key results when it is a small part of the organization.
        few = unit_ids is not None and len(unit_ids) * 4 <= len(units.names)
        groups, tally = _at_once(scope, clock, few=few)
    progress = mean_of_groups(groups.values())
    return {
        "progress": progress,
        "expected_progress": rules.time_fraction(clock.today, cycle.start_date, cycle.end_date),
        "status_counts": tally.counts,
        "units": _unit_breakdown(units, unit_id, groups),
        "checkin_rate": tally.checked_in / tally.people if tally.people else None,
        "checkin_people": tally.people,
        "checkin_done": tally.checked_in,
        "alignment_coverage": _alignment_coverage(groups),
        "at_risk": [_key_result_summary(kr, m) for kr, m in tally.at_risk],
        "trend": scope_trend(scope=scope, progress=progress, clock=clock),
    }


def _at_once(
    scope: Scope, clock: Clock, *, few: bool
) -> tuple[dict[int | None, UnitGroup], KeyResultTally]:
    """The dashboard's inputs read from the whole scope (see `parts` for the stored way)."""
    tally = scope_tally(scope, clock, few=few)
    return unit_groups(scope), tally


def _unit_breakdown(
    units: UnitTree, unit_id: int | None, groups: dict[int | None, UnitGroup]
) -> list[dict[str, Any]]:
    if unit_id is None:
        listed = []
        for top in units.children.get(None, []):
            listed += [top, *units.children.get(top, [])]
    else:
        listed = [unit_id, *units.children.get(unit_id, [])]
    rows = []
    for pk in listed:
        inside = [groups[u] for u in units.subtree(pk) if u in groups]
        rows.append(
            {
                "unit_id": pk,
                "parent_id": units.parent_of.get(pk),
                "name": units.names.get(pk, ""),
                "progress": mean_of_groups(inside),
                "objectives": sum(g.objectives for g in inside),
            }
        )
    return rows


def _alignment_coverage(groups: dict[int | None, UnitGroup]) -> float | None:
    candidates = sum(g.below_company for g in groups.values())
    if not candidates:
        return None
    return sum(g.aligned for g in groups.values()) / candidates


def _key_result_summary(kr: KeyResultRow, m: RowMeasures) -> dict[str, Any]:
    return {
        "id": kr.pk,
        "objective_id": kr.objective_id,
        "title": kr.title,
        "kind": kr.kind,
        "progress": kr.progress,
        "raw_progress": kr.raw_progress,
        "expected_progress": m.expected_progress,
        "status": m.status,
        "stale": m.stale,
        "owner_id": kr.owner_id,
        "confidence": kr.last_confidence,
    }
