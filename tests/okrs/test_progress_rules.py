"""The exact progress, pace, status and score rules of DESIGN.md, as pure functions.

No database: `okrs/progress.py` and `engine.key_result_raw_progress` on unsaved key results.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from luodi.okrs import progress as rules
from luodi.okrs.choices import Status
from luodi.okrs.engine import key_result_raw_progress
from luodi.okrs.models import KeyResult

D = Decimal


def raw(kind: str, **fields: object) -> float | None:
    return key_result_raw_progress(KeyResult(kind=kind, **fields))


# --- metric ----------------------------------------------------------------------------------


def test_increasing_metric():
    assert raw("metric", start=D(0), target=D(10), current=D(5)) == 0.5
    assert raw("metric", start=D(100), target=D(200), current=D(250)) == 1.5
    assert raw("metric", start=D(100), target=D(200), current=D(50)) == -0.5


def test_metric_without_a_value_has_no_progress():
    assert raw("metric", start=D(0), target=D(10), current=None) is None


def test_decreasing_metric_complaint_rate_5_to_2():
    def p(value: str) -> float | None:
        return raw("metric", start=D(5), target=D(2), current=D(value))

    assert p("3.5") == 0.5
    assert p("0.5") == 1.5
    assert p("1") == pytest.approx(4 / 3)
    assert rules.clamp(p("1")) == 1.0
    assert p("6") == pytest.approx(-1 / 3)
    assert rules.clamp(p("6")) == 0.0
    assert p("5") == 0.0
    assert p("2") == 1.0


def test_five_point_nine_of_ten_is_59_percent_not_50():
    p = raw("metric", start=D(0), target=D(10), current=D("5.9"))
    assert p == 0.59
    assert rules.weighted_mean([(p, D(1))]) == 0.59
    assert rules.suggested_score(p) == 0.6


@pytest.mark.parametrize(
    ("direction", "current", "expected"),
    [
        ("increase", "10", 1.0),
        ("increase", "11", 1.0),
        ("increase", "9.99", 0.0),
        ("decrease", "10", 1.0),
        ("decrease", "9", 1.0),
        ("decrease", "10.01", 0.0),
        ("", "10", 1.0),  # no direction declared: higher is better
        ("", "9", 0.0),
    ],
)
def test_target_equal_to_start_holds_the_line(direction, current, expected):
    p = raw("metric", start=D(10), target=D(10), current=D(current), direction=direction)
    assert p == expected


def test_percentage_defaults_to_0_to_100():
    assert raw("percentage", start=None, target=None, current=D(40)) == 0.4
    assert raw("percentage", start=D(20), target=D(60), current=D(40)) == 0.5
    assert raw("percentage", start=D(90), target=D(50), current=D(70)) == 0.5


# --- other kinds -----------------------------------------------------------------------------


def test_threshold_is_the_share_of_check_ins_that_met_it():
    assert raw("threshold", threshold_met_count=3, checkin_count=4) == 0.75
    assert raw("threshold", threshold_met_count=0, checkin_count=0) == 0.0
    assert rules.threshold_progress(met_count=0, checkin_count=0) == 0.0


@pytest.mark.parametrize(
    ("direction", "value", "met"),
    [
        ("at_least", "95", True),
        ("at_least", "94.99", False),
        ("at_most", "95", True),
        ("at_most", "95.01", False),
    ],
)
def test_threshold_condition(direction, value, met):
    assert rules.threshold_met(value=D(value), level=D(95), direction=direction) is met


def test_milestones_are_weighted():
    kr = KeyResult(kind="milestone")
    done = [(True, D(2)), (False, D(1)), (True, D(0))]
    assert key_result_raw_progress(kr, milestones=done) == pytest.approx(2 / 3)
    assert key_result_raw_progress(kr, milestones=[(False, D(1))]) == 0.0
    assert key_result_raw_progress(kr, milestones=[(True, D(1))]) == 1.0
    assert key_result_raw_progress(kr, milestones=[]) is None


def test_boolean():
    assert raw("boolean", current=D(1)) == 1.0
    assert raw("boolean", current=D(0)) == 0.0
    assert raw("boolean", current=None) == 0.0


def test_rollup():
    kr = KeyResult(kind="rollup")
    assert key_result_raw_progress(kr) is None
    assert key_result_raw_progress(kr, rollup_children=[(0.5, D(1)), (None, D(1))]) == 0.25
    assert key_result_raw_progress(kr, rollup_children=[(0.9, D(0))]) is None


def test_unknown_kind_is_an_error():
    with pytest.raises(ValueError):
        raw("guess")


# --- weighted mean ---------------------------------------------------------------------------


def test_weighted_mean_divides_by_the_sum_of_weights():
    assert rules.weighted_mean([(1.0, D(3)), (0.0, D(1))]) == 0.75
    assert rules.weighted_mean([(1.0, 2), (0.5, 2)]) == 0.75


def test_zero_weight_shows_but_does_not_count():
    assert rules.weighted_mean([(1.0, D(1)), (0.0, D(0))]) == 1.0
    assert rules.weighted_mean([(0.2, D(0)), (0.9, D(0))]) is None


def test_missing_progress_counts_as_zero_inside_a_mean():
    assert rules.weighted_mean([(None, D(1)), (1.0, D(1))]) == 0.5
    assert rules.weighted_mean([(None, D(1))]) == 0.0


def test_nothing_to_average_is_none_never_zero():
    assert rules.weighted_mean([]) is None


def test_mean_uses_clamped_progress():
    assert rules.weighted_mean([(1.5, D(1)), (-0.5, D(1))]) == 0.5


# --- pace --------------------------------------------------------------------------------


START, END = date(2026, 10, 1), date(2026, 12, 30)  # 90 days


@pytest.mark.parametrize(
    ("day", "fraction"),
    [
        (date(2026, 9, 1), 0.0),
        (START, 0.0),
        (date(2026, 10, 31), 30 / 90),
        (date(2026, 11, 15), 0.5),
        (END, 1.0),
        (date(2027, 1, 31), 1.0),
    ],
)
def test_time_fraction(day, fraction):
    assert rules.time_fraction(day, START, END) == pytest.approx(fraction)


def test_expected_progress_without_phases_is_the_time_fraction():
    day = date(2026, 11, 15)
    assert rules.expected_progress(day=day, start_day=START, end_day=END) == 0.5


def test_phased_targets_bend_the_line():
    phases = [rules.Phase(date(2026, 11, 15), D(80))]

    def expected(day: date) -> float:
        return rules.expected_progress(
            day=day,
            start_day=START,
            end_day=END,
            start=D(0),
            target=D(100),
            direction="increase",
            phases=phases,
        )

    assert expected(START) == 0.0
    assert expected(START + timedelta(days=9)) == pytest.approx(0.16)
    assert expected(date(2026, 11, 15)) == pytest.approx(0.8)
    assert expected(date(2026, 11, 15) + timedelta(days=27)) == pytest.approx(0.92)
    assert expected(END) == 1.0
    assert expected(date(2027, 3, 1)) == 1.0


def test_phased_targets_of_a_decreasing_metric():
    phases = [rules.Phase(date(2026, 11, 15), D(3))]

    def expected(day: date) -> float:
        return rules.expected_progress(
            day=day,
            start_day=START,
            end_day=END,
            start=D(5),
            target=D(2),
            direction="decrease",
            phases=phases,
        )

    assert expected(START) == 0.0
    # Halfway to the phase the interpolated target is 4: (4 − 5) / (2 − 5) = 1/3.
    assert expected(START + timedelta(days=22)) == pytest.approx((5 - (5 - 2 * 22 / 45)) / 3)
    assert expected(date(2026, 11, 15)) == pytest.approx(2 / 3)
    assert expected(END) == 1.0


def test_interpolated_target_between_phases():
    phases = [rules.Phase(date(2026, 10, 31), D(10)), rules.Phase(date(2026, 11, 30), D(40))]
    value = rules.interpolated_target(
        day=date(2026, 11, 15),
        start_day=START,
        end_day=END,
        start=D(0),
        target=D(100),
        phases=phases,
    )
    assert value == D(25)


# --- status ----------------------------------------------------------------------------------


def status(progress: float | None, expected: float, confidence: int | None = 7, has=True) -> str:
    return rules.status_of(
        progress=progress,
        expected=expected,
        has_checkin=has,
        confidence=confidence,
        tolerance=0.10,
    )


@pytest.mark.parametrize("expected", [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0])
def test_status_boundaries_with_tolerance_010(expected):
    """Exactly at a boundary the kinder status wins: p = expected − 0.10 is on track and
    p = expected − 0.20 is at risk (off track is *below* expected − 2 × tolerance).

    The cases use human decimals (0.7 when 0.8 is expected): float subtraction makes
    0.8 − 0.1 = 0.7000000000000001, which must not turn 0.7 into "at risk".
    """
    on_edge = float(D(str(expected)) - D("0.1"))
    off_edge = float(D(str(expected)) - D("0.2"))
    assert status(on_edge, expected) == Status.ON_TRACK
    assert status(on_edge - 0.001, expected) == Status.AT_RISK
    assert status(off_edge, expected) == Status.AT_RISK
    assert status(off_edge - 0.001, expected) == Status.OFF_TRACK


def test_status_ahead_of_pace_is_on_track():
    assert status(0.6, 0.5) == Status.ON_TRACK


@pytest.mark.parametrize("confidence", [0, 1, 2])
def test_low_confidence_is_off_track_even_ahead(confidence):
    assert status(0.9, 0.1, confidence=confidence) == Status.OFF_TRACK


@pytest.mark.parametrize("confidence", [3, 4])
def test_middling_confidence_is_at_risk_even_on_pace(confidence):
    assert status(0.9, 0.1, confidence=confidence) == Status.AT_RISK


@pytest.mark.parametrize("confidence", [5, 10, None])
def test_confident_or_unrated_on_pace_is_on_track(confidence):
    assert status(0.5, 0.5, confidence=confidence) == Status.ON_TRACK


@pytest.mark.parametrize("progress", [1.0, 1.3])
def test_reaching_the_target_is_done_whatever_the_confidence(progress):
    assert status(progress, 0.2, confidence=0) == Status.DONE


def test_no_check_in_is_not_started():
    assert status(None, 0.5, confidence=None, has=False) == Status.NOT_STARTED
    assert status(0.0, 0.0, confidence=None, has=False) == Status.NOT_STARTED


def test_checked_in_without_progress_counts_as_zero():
    assert status(None, 0.5, confidence=8) == Status.OFF_TRACK
    assert status(None, 0.05, confidence=8) == Status.ON_TRACK


def test_tolerance_is_configurable():
    assert (
        rules.status_of(progress=0.3, expected=0.5, has_checkin=True, confidence=7, tolerance=0.25)
        == Status.ON_TRACK
    )


# --- stale -----------------------------------------------------------------------------------

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
CYCLE_START = datetime(2026, 10, 1, tzinfo=UTC)


def stale(last: datetime | None, active: bool = True) -> bool:
    return rules.is_stale(
        last_checkin_at=last, cycle_start=CYCLE_START, now=NOW, cycle_active=active
    )


def test_stale_after_14_days_without_check_in():
    assert stale(NOW - timedelta(days=14))
    assert stale(NOW - timedelta(days=30))
    assert not stale(NOW - timedelta(days=13, hours=23))


def test_stale_only_in_active_cycles():
    assert not stale(NOW - timedelta(days=30), active=False)
    assert not stale(None, active=False)


def test_stale_without_check_ins_counts_from_the_cycle_start():
    assert stale(None)
    assert not rules.is_stale(
        last_checkin_at=None,
        cycle_start=NOW - timedelta(days=3),
        now=NOW,
        cycle_active=True,
    )


# --- score -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("progress", "score"),
    [(None, 0.0), (0.0, 0.0), (0.04, 0.0), (0.05, 0.1), (0.59, 0.6), (0.7, 0.7), (1.4, 1.0)],
)
def test_suggested_score(progress, score):
    assert rules.suggested_score(progress) == score


@given(st.floats(min_value=-2, max_value=3, allow_nan=False))
def test_suggested_score_is_in_steps_of_a_tenth(progress):
    score = rules.suggested_score(progress)
    assert 0.0 <= score <= 1.0
    assert score * 10 == pytest.approx(round(score * 10))
    assert abs(score - rules.clamp(progress)) <= 0.05 + 1e-12


# --- properties ------------------------------------------------------------------------------

values = st.decimals(min_value=D("-1000000"), max_value=D("1000000"), places=4, allow_nan=False)


@given(values, values, values)
def test_decreasing_mirrors_increasing(start, target, current):
    assume(start != target)
    p = rules.metric_progress(start=start, target=target, current=current)
    mirrored = rules.metric_progress(start=-start, target=-target, current=-current)
    assert p == mirrored


@given(values, values, values)
def test_clamped_progress_lies_in_0_1(start, target, current):
    assume(start != target)
    p = rules.metric_progress(start=start, target=target, current=current)
    assert 0.0 <= rules.clamp(p) <= 1.0


@given(values, values, values, values)
def test_raw_progress_moves_the_right_way(start, target, a, b):
    assume(start != target and a < b)
    low = rules.metric_progress(start=start, target=target, current=a)
    high = rules.metric_progress(start=start, target=target, current=b)
    if target > start:
        assert low <= high
    else:
        assert low >= high


@given(values, values)
def test_reaching_the_target_is_exactly_one(start, target):
    assume(start != target)
    assert rules.metric_progress(start=start, target=target, current=target) == 1.0
    assert rules.metric_progress(start=start, target=target, current=start) == 0.0


progresses = st.one_of(st.none(), st.floats(min_value=-1, max_value=2, allow_nan=False))
weights = st.decimals(min_value=D(0), max_value=D(1000), places=4, allow_nan=False)
items = st.lists(st.tuples(progresses, weights), max_size=12)


@given(items)
def test_mean_lies_between_counted_min_and_max(pairs):
    mean = rules.weighted_mean(pairs)
    counted = [rules.clamp(p or 0.0) for p, w in pairs if w > 0]
    if not counted:
        assert mean is None
    else:
        assert min(counted) - 1e-12 <= mean <= max(counted) + 1e-12


@given(items, st.decimals(min_value=D("0.001"), max_value=D(1000), places=3))
def test_scaling_all_weights_keeps_the_mean(pairs, factor):
    mean = rules.weighted_mean(pairs)
    scaled = rules.weighted_mean([(p, w * factor) for p, w in pairs])
    if mean is None:
        assert scaled is None
    else:
        assert scaled == pytest.approx(mean, abs=1e-12)


@given(items, st.lists(progresses, max_size=5))
def test_zero_weight_items_never_change_the_mean(pairs, extra):
    with_zero = pairs + [(p, D(0)) for p in extra]
    assert rules.weighted_mean(with_zero) == rules.weighted_mean(pairs)
