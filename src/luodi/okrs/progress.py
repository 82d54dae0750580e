"""The progress, pace, status and score rules — pure functions, no database.

DESIGN.md states these rules exactly; every page, API answer, job and `luodi recompute`
goes through here so that there is one implementation of each rule.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from luodi.okrs.choices import Direction, Status

DEFAULT_TOLERANCE = 0.10
STALE_AFTER = timedelta(days=14)
# Status boundaries are inclusive; float subtraction (0.8 − 0.1 = 0.7000000000000001) must
# not push a progress that sits exactly on a boundary to the worse side.
BOUNDARY_SLACK = 1e-9


def clamp(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return max(low, min(high, value))


def clamp_or_none(value: float | None) -> float | None:
    return None if value is None else clamp(value)


def metric_progress(
    *, start: Decimal, target: Decimal, current: Decimal | None, direction: str = ""
) -> float | None:
    """(current − start) / (target − start), raw: may leave [0, 1].

    A target equal to the start is a "hold the line" result: 1 once the value stands at
    the target in the declared direction (at or above for increase, at or below for
    decrease), else 0. No value yet → None.
    """
    if current is None:
        return None
    if target == start:
        if direction == Direction.DECREASE:
            return 1.0 if current <= target else 0.0
        return 1.0 if current >= target else 0.0
    # Decimal division keeps counts and money exact until the final fraction.
    return float((Decimal(current) - Decimal(start)) / (Decimal(target) - Decimal(start)))


def threshold_met(*, value: Decimal, level: Decimal, direction: str) -> bool:
    if direction == Direction.AT_MOST:
        return value <= level
    return value >= level


def threshold_progress(*, met_count: int, checkin_count: int) -> float | None:
    """Share of check-ins that met the condition; 0 with none."""
    if checkin_count == 0:
        return 0.0
    return met_count / checkin_count


def weighted_mean(items: Iterable[tuple[float | None, Decimal | float]]) -> float | None:
    """Mean of (progress, weight) pairs, dividing by the sum of weights.

    A missing progress counts as 0; a zero weight does not count. Nothing with a positive
    weight → None (no progress), never 0.
    """
    total_weight = Decimal(0)
    total = Decimal(0)
    for progress, weight in items:
        w = Decimal(str(weight))
        if w <= 0:
            continue
        total_weight += w
        total += w * Decimal(repr(clamp(progress or 0.0)))
    if total_weight == 0:
        return None
    return float(total / total_weight)


def milestone_progress(milestones: Iterable[tuple[bool, Decimal]]) -> float | None:
    """Done weight / total weight."""
    done = Decimal(0)
    total = Decimal(0)
    for is_done, weight in milestones:
        total += Decimal(weight)
        if is_done:
            done += Decimal(weight)
    if total == 0:
        return None
    return float(done / total)


def time_fraction(day: date, start: date, end: date) -> float:
    """How far through [start, end] the day is, clamped to [0, 1]."""
    span = (end - start).days
    if span <= 0:
        return 1.0 if day >= end else 0.0
    return clamp((day - start).days / span)


@dataclass(frozen=True)
class Phase:
    day: date
    target: Decimal


def interpolated_target(
    *,
    day: date,
    start_day: date,
    end_day: date,
    start: Decimal,
    target: Decimal,
    phases: Sequence[Phase],
) -> Decimal:
    """The target value for a day, linear between the phased targets.

    The curve runs from (start_day, start) through each phase to (end_day, target); before
    the first point it is the start, after the last the final target.
    """
    points = [(start_day, Decimal(start))]
    points += [(p.day, Decimal(p.target)) for p in sorted(phases, key=lambda p: p.day)]
    if points[-1][0] < end_day:
        points.append((end_day, Decimal(target)))
    if day <= points[0][0]:
        return points[0][1]
    for (d0, v0), (d1, v1) in itertools.pairwise(points):
        if day <= d1:
            span = (d1 - d0).days
            if span <= 0:
                return v1
            return v0 + (v1 - v0) * Decimal((day - d0).days) / Decimal(span)
    return points[-1][1]


def expected_progress(
    *,
    day: date,
    start_day: date,
    end_day: date,
    start: Decimal | None = None,
    target: Decimal | None = None,
    direction: str = "",
    phases: Sequence[Phase] = (),
) -> float:
    """Pace: where progress should be on that day. Phased targets bend the straight line."""
    if not phases or start is None or target is None or target == start:
        return time_fraction(day, start_day, end_day)
    value = interpolated_target(
        day=day, start_day=start_day, end_day=end_day, start=start, target=target, phases=phases
    )
    raw = metric_progress(start=start, target=target, current=value, direction=direction)
    return clamp(raw or 0.0)


def status_of(
    *,
    progress: float | None,
    expected: float,
    has_checkin: bool,
    confidence: int | None,
    tolerance: float = DEFAULT_TOLERANCE,
) -> str:
    """done ≥ 1; not started without check-ins; else on track / at risk / off track.

    A missing confidence does not pull the status down: only the progress decides then.
    A progress exactly on a boundary gets the kinder status (within BOUNDARY_SLACK).
    """
    if progress is not None and progress >= 1:
        return Status.DONE
    if not has_checkin:
        return Status.NOT_STARTED
    p = progress or 0.0
    if p < expected - 2 * tolerance - BOUNDARY_SLACK or (
        confidence is not None and confidence <= 2
    ):
        return Status.OFF_TRACK
    if p >= expected - tolerance - BOUNDARY_SLACK and (confidence is None or confidence >= 5):
        return Status.ON_TRACK
    return Status.AT_RISK


def is_stale(
    *, last_checkin_at: datetime | None, cycle_start: datetime, now: datetime, cycle_active: bool
) -> bool:
    """No check-in for 14 days in an active cycle; without any, counted from the cycle start."""
    if not cycle_active:
        return False
    since = max(last_checkin_at or cycle_start, cycle_start)
    return now - since >= STALE_AFTER


def suggested_score(progress: float | None) -> float:
    """Google's 0.0–1.0 scale in steps of 0.1: the clamped progress, rounded half up."""
    p = Decimal(repr(clamp(progress or 0.0)))
    return float(p.quantize(Decimal("0.1"), rounding="ROUND_HALF_UP"))
