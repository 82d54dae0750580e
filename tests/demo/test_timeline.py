"""The demo's calendar and check-in shapes, without a database."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from luodi.demo import timeline
from luodi.demo.content import DEMO_COMPANY
from luodi.demo.spec import PLANS, KRSpec, T, normalize_lang
from luodi.okrs import progress as rules


def test_late_enough_in_a_quarter_the_cycle_is_the_calendar_quarter():
    calendar = timeline.calendar_for(date(2026, 11, 19), "zh-hans")
    assert (calendar.quarter.start, calendar.quarter.end) == (date(2026, 10, 1), date(2026, 12, 31))
    assert calendar.quarter.name == "2026 年第 4 季度"
    assert (calendar.previous.start, calendar.previous.end) == (date(2026, 7, 1), date(2026, 9, 30))
    assert calendar.year.name == "2026 年度"


@pytest.mark.parametrize("day", [date(2026, 4, 1), date(2026, 5, 18), date(2027, 1, 1)])
def test_early_in_a_quarter_the_cycle_started_eight_weeks_ago(day):
    calendar = timeline.calendar_for(day, "en")
    assert calendar.quarter.start == day - timedelta(weeks=8)
    assert calendar.quarter.end - calendar.quarter.start == timedelta(days=90)
    assert calendar.previous.end == calendar.quarter.start - timedelta(days=1)


@pytest.mark.parametrize("offset", range(0, 731, 3))
def test_every_day_gives_six_weekly_checkins_before_today(offset):
    today = date(2026, 1, 1) + timedelta(days=offset)
    quarter = timeline.calendar_for(today, "en").quarter
    days = timeline.checkin_days(quarter, weekday=4, before=today)
    assert len(days) >= 6
    assert all(d.weekday() == 4 and quarter.start < d < today for d in days)
    assert today - days[-1] <= timedelta(days=7)
    stale = timeline.checkin_days(quarter, weekday=4, before=today, stale=True)
    assert today - stale[-1] >= timedelta(days=14)


@pytest.mark.parametrize("plan", sorted(PLANS))
@pytest.mark.parametrize("offset", [49, 60, 75, 89, 90])
def test_plans_land_on_their_status(plan, offset):
    """Whatever day the demo loads, each plan's last check-in gives the planned status."""
    wanted = {
        "ahead": "on_track",
        "on_track": "on_track",
        "steady": "on_track",
        "worried": "at_risk",
        "at_risk": "at_risk",
        "off_track": "off_track",
        "blocked": "off_track",
        "done": "done",
    }[plan]
    quarter = timeline.CycleDates("Q", date(2026, 4, 1), date(2026, 6, 30))
    today = quarter.start + timedelta(days=offset)
    spec = KRSpec("k", T("", ""), "percentage", start="5", target="2", places=2, plan=plan)
    value = timeline.value_at(spec, timeline.final_progress(spec, quarter, today))
    progress = rules.metric_progress(start=Decimal(5), target=Decimal(2), current=value)
    status = rules.status_of(
        progress=progress,
        expected=timeline.expected_on(spec, quarter, today),
        has_checkin=True,
        confidence=PLANS[plan][2],
    )
    assert status == wanted


def test_rounding_never_finishes_an_unfinished_key_result():
    spec = KRSpec("k", T("", ""), "metric", start="0", target="6", plan="ahead")
    assert timeline.value_at(spec, 0.97) == Decimal(5)
    assert timeline.value_at(spec, 1.0) == Decimal(6)
    down = KRSpec("k", T("", ""), "metric", start="120", target="30", plan="ahead")
    assert timeline.value_at(down, 0.999) == Decimal(31)


def test_milestones_done_follow_progress():
    assert timeline.milestones_done([1, 2, 2, 1], 0.0) == 0
    assert timeline.milestones_done([1, 2, 2, 1], 0.5) == 2
    assert timeline.milestones_done([1, 2, 2, 1], 1.0) == 4


def test_threshold_readings_miss_as_often_as_planned():
    spec = KRSpec(
        "t",
        T("", ""),
        "threshold",
        target="99.9",
        places=2,
        threshold_values=("99.91", "99.99", "99.72"),
        misses=1,
    )
    values = timeline.threshold_values(spec, 8)
    assert sum(v < Decimal("99.9") for v in values) == 1


def test_both_languages_are_written_everywhere():
    def texts(obj):
        if isinstance(obj, T):
            yield obj
        elif isinstance(obj, tuple | list):
            for item in obj:
                yield from texts(item)
        elif hasattr(obj, "__dataclass_fields__"):
            for name in obj.__dataclass_fields__:
                yield from texts(getattr(obj, name))

    everything = list(texts(DEMO_COMPANY))
    assert len(everything) > 300
    for text in everything:
        assert bool(text.zh) == bool(text.en), text


@pytest.mark.parametrize(
    ("given", "lang"),
    [
        ("zh-hans", "zh-hans"),
        ("zh-Hans", "zh-hans"),
        ("zh", "zh-hans"),
        ("en", "en"),
        ("en-US", "en"),
    ],
)
def test_normalize_lang(given, lang):
    assert normalize_lang(given) == lang


def test_normalize_lang_refuses_others():
    with pytest.raises(ValueError, match="unsupported"):
        normalize_lang("fr")
