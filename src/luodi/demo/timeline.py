"""The demo's calendar and its check-in histories, as pure functions of "today".

Cycles are placed around today so the demo always looks live. Each key result's history
is shaped so that on the day it loads its status is the one its plan names (on track, at
risk, off track, done), whatever day of the quarter that is.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from luodi.demo.content import (
    GENERIC_STORY,
    KICKOFF,
    NO_BLOCKER,
    NOTE,
    QUARTER_CYCLE_NAME,
    RESOLVED,
    ROLLING_CYCLE_NAME,
    WRAP_UP,
    YEAR_CYCLE_NAME,
)
from luodi.demo.spec import PLANS, KRSpec, Story, T
from luodi.okrs import progress as rules

MIN_ELAPSED_DAYS = 49  # seven weeks of the current quarter behind us, or a rolling cycle
ROLLING_BACK_DAYS = 56  # a rolling cycle started eight weeks ago …
ROLLING_SPAN_DAYS = 90  # … and runs thirteen weeks (end − start = 90 days)
FIRST_CHECKIN_AFTER = 2  # days after a cycle starts before the first check-in
STALE_GAP_DAYS = 15
RISKY_PLANS = ("worried", "at_risk", "off_track", "blocked")


@dataclass(frozen=True)
class CycleDates:
    name: str
    start: date
    end: date


@dataclass(frozen=True)
class Calendar:
    year: CycleDates
    quarter: CycleDates
    previous: CycleDates

    def get(self, key: str) -> CycleDates:
        return {"year": self.year, "quarter": self.quarter, "previous": self.previous}[key]


def _quarter_of(day: date) -> tuple[int, date, date]:
    number = (day.month - 1) // 3 + 1
    start = date(day.year, 3 * number - 2, 1)
    next_start = date(day.year + 1, 1, 1) if number == 4 else date(day.year, 3 * number + 1, 1)
    return number, start, next_start - timedelta(days=1)


def _quarter_cycle(day: date, lang: str) -> CycleDates:
    number, start, end = _quarter_of(day)
    return CycleDates(QUARTER_CYCLE_NAME.get(lang, year=start.year, quarter=number), start, end)


def _rolling_cycle(start: date, lang: str) -> CycleDates:
    end = start + timedelta(days=ROLLING_SPAN_DAYS)
    name = ROLLING_CYCLE_NAME.get(lang, start=start.isoformat(), end=end.isoformat())
    return CycleDates(name, start, end)


def calendar_for(today: date, lang: str) -> Calendar:
    """This year, the current quarter (or a rolling 13 weeks) and the one before it."""
    year = CycleDates(
        YEAR_CYCLE_NAME.get(lang, year=today.year), date(today.year, 1, 1), date(today.year, 12, 31)
    )
    _number, quarter_start, _end = _quarter_of(today)
    if (today - quarter_start).days >= MIN_ELAPSED_DAYS:
        quarter = _quarter_cycle(today, lang)
        previous = _quarter_cycle(quarter_start - timedelta(days=1), lang)
    else:
        quarter = _rolling_cycle(today - timedelta(days=ROLLING_BACK_DAYS), lang)
        previous = _rolling_cycle(quarter.start - timedelta(days=ROLLING_SPAN_DAYS + 1), lang)
    return Calendar(year=year, quarter=quarter, previous=previous)


def checkin_days(
    cycle: CycleDates, *, weekday: int, before: date, every_weeks: int = 1, stale: bool = False
) -> list[date]:
    """The cycle's check-in days before a day, every n weeks counted back from the latest."""
    last = min(before - timedelta(days=1), cycle.end)
    if stale:
        last = min(last, before - timedelta(days=STALE_GAP_DAYS))
    last -= timedelta(days=(last.weekday() - weekday) % 7)
    first = cycle.start + timedelta(days=FIRST_CHECKIN_AFTER)
    days: list[date] = []
    day = last
    while day >= first:
        days.append(day)
        day -= timedelta(weeks=every_weeks)
    return sorted(days)


def phase_dates(spec: KRSpec, cycle: CycleDates) -> list[tuple[date, Decimal]]:
    span = (cycle.end - cycle.start).days
    return [
        (cycle.start + timedelta(days=round(fraction * span)), Decimal(value))
        for fraction, value in spec.phases
    ]


def expected_on(spec: KRSpec, cycle: CycleDates, day: date) -> float:
    """The pace the status rule compares against (phased targets bend it)."""
    phases = [rules.Phase(d, v) for d, v in phase_dates(spec, cycle)]
    start, target = _bounds(spec)
    return rules.expected_progress(
        day=day,
        start_day=cycle.start,
        end_day=cycle.end,
        start=start,
        target=target,
        direction="decrease" if target < start else "increase",
        phases=phases,
    )


def _bounds(spec: KRSpec) -> tuple[Decimal, Decimal]:
    if spec.kind == "percentage":
        start = spec.decimal("start")
        target = spec.decimal("target")
        return (Decimal(0) if start is None else start, Decimal(100) if target is None else target)
    return spec.decimal("start") or Decimal(0), spec.decimal("target") or Decimal(0)


def final_progress(spec: KRSpec, cycle: CycleDates, today: date) -> float:
    """Where the key result stands at its latest check-in."""
    if spec.final is not None:
        return spec.final
    if spec.plan == "done":
        return 1.0
    offset = PLANS[spec.plan][0]
    return min(0.97, max(0.03, expected_on(spec, cycle, today) + offset))


@dataclass(frozen=True)
class Step:
    """One check-in to make: when, how far along, how confident, and what was written."""

    at: datetime
    progress: float
    confidence: int
    note: str
    index: int
    count: int


def plan_steps(
    spec: KRSpec, cycle: CycleDates, days: list[date], *, today: date, zone: ZoneInfo, lang: str
) -> list[Step]:
    if not days:
        return []
    rng = random.Random(f"luodi-demo:{spec.key}")
    goal = final_progress(spec, cycle, today)
    first_confidence, last_confidence = PLANS.get(spec.plan, PLANS["on_track"])[1:]
    span = max(1, (days[-1] - cycle.start).days)
    steps = []
    for index, day in enumerate(days):
        share = (day - cycle.start).days / span
        is_last = index == len(days) - 1
        progress = goal if is_last else max(0.0, goal * share**0.9 + rng.uniform(-0.025, 0.025))
        if not is_last and goal >= 1:
            progress = min(progress, 0.96)
        confidence = round(first_confidence + (last_confidence - first_confidence) * share)
        if not is_last:
            confidence = min(10, max(0, confidence + rng.choice((-1, 0, 0, 1))))
        clock = time(16, 30) if rng.random() < 0.5 else time(17, 15)
        at = datetime.combine(day, clock, tzinfo=zone) + timedelta(minutes=rng.randint(0, 90))
        note = _note(spec, index, len(days), lang)
        steps.append(Step(at, progress, confidence, note, index, len(days)))
    return steps


def _note(spec: KRSpec, index: int, count: int, lang: str) -> str:
    story: Story = spec.story or GENERIC_STORY
    did = story.did[min(len(story.did) - 1, index * len(story.did) // count)]
    if index == 0 and spec.final is not None:
        did = KICKOFF
    elif index == count - 1 and spec.final is not None:
        did = WRAP_UP
    # Risky key results carry their blocker from 40 % of the way on; the others hit it once
    # half-way and report it solved the week after.
    risky = spec.plan in RISKY_PLANS and index >= count * 0.4
    blocker: T = NO_BLOCKER
    if risky or (count >= 3 and index == count // 2):
        blocker = story.blocker
    elif count >= 3 and index == count // 2 + 1:
        blocker = RESOLVED
    step = story.next[index % len(story.next)]
    return NOTE.get(lang, did=did.get(lang), blocker=blocker.get(lang), next=step.get(lang))


def value_at(spec: KRSpec, progress: float) -> Decimal:
    """The measured value that gives this progress, rounded the way people report it."""
    start, target = _bounds(spec)
    quantum = Decimal(1).scaleb(-spec.places)
    value = (start + (target - start) * Decimal(repr(progress))).quantize(quantum, ROUND_HALF_UP)
    if progress < 1 and (value - target) * (target - start) >= 0:
        # Rounding must not finish a key result that is not finished.
        value = target - quantum if target > start else target + quantum
    return value


def threshold_values(spec: KRSpec, count: int) -> list[Decimal]:
    """Weekly readings of a threshold key result, `misses` of them on the wrong side."""
    assert spec.threshold_values is not None
    low, high, miss = (Decimal(v) for v in spec.threshold_values)
    rng = random.Random(f"luodi-demo:{spec.key}")
    quantum = Decimal(1).scaleb(-spec.places)
    missed = {round(count * (k + 1) / (spec.misses + 1)) - 1 for k in range(spec.misses)}
    values = []
    for index in range(count):
        if index in missed:
            values.append(miss)
        else:
            reading = low + (high - low) * Decimal(repr(rng.random()))
            values.append(reading.quantize(quantum, ROUND_HALF_UP))
    return values


def milestones_done(weights: list[int], progress: float) -> int:
    """How many milestones, in order, are done at this progress."""
    total = sum(weights)
    done, reached = 0, 0
    for weight in weights:
        if (reached + weight) / total > progress + 0.02:
            break
        reached += weight
        done += 1
    return done
