# ruff: noqa: F811 (the `small` fixture is imported, then named by each test)
"""The dashboard stores its trend's past points and voids them on the writes that move them.

Uses the hand-worked organization of test_dashboard.py (today: Thursday 2026-11-19).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import FloatField
from django.db.models.functions import Cast
from django.test.utils import CaptureQueriesContext
from huey.contrib.djhuey import HUEY

from luodi.accounts.models import User
from luodi.checkins.services import checkin_submit
from luodi.okrs import progress as rules
from luodi.okrs.models import Alignment, KeyResult, Objective
from luodi.okrs.permissions import viewer_for
from luodi.okrs.selectors import Clock
from luodi.okrs.services import key_result_update, objective_update
from luodi.reports import trend
from luodi.reports.models import ReportVersion, StoredTrend
from luodi.reports.scope import Scope
from tests.reports.test_dashboard import NOW, Small, at, small  # noqa: F401 (fixture)
from tests.reports.test_queries import counts_for

# The trend's sweep when nothing is stored: scope weights, key results of the tree,
# contributing links, check-ins; then old entries cleared and the new one stored, after
# reading the version.
SWEEP_QUERIES = 7
if connection.vendor == "postgresql":
    SWEEP_QUERIES += 3  # JIT off in a savepoint


@pytest.fixture(autouse=True)
def _dashboards_computed_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests count the trend's queries: the dashboard's other inputs are read at
    once, never from stored parts (tests/reports/test_parts.py covers those)."""
    from luodi.reports import parts

    monkeypatch.setattr(parts, "compose", lambda **_: None)


def _board(small: Small, user: User | None = None) -> tuple[dict, int]:
    with CaptureQueriesContext(connection) as queries:
        board = small.board(user or small.owner)
    return board, len(queries)


def _past(board: dict) -> list[float | None]:
    return [p["progress"] for p in board["trend"][:-1]]


@pytest.mark.django_db
def test_past_points_are_stored_and_read_back(small: Small) -> None:
    first, cold = _board(small)
    again, warm = _board(small)
    assert cold - warm == SWEEP_QUERIES
    assert again == first
    assert StoredTrend.objects.filter(organization=small.org).count() == 1
    assert first["trend"][-1]["date"] == date(2026, 11, 19)


def _direct_past(small: Small, user: User) -> list[float | None]:
    """The viewer's past points swept directly over what they see (no shared entry)."""
    clock = Clock.for_org(small.org, NOW)
    scope = Scope(small.org, viewer_for(small.org, user), small.cycle)
    base = Objective.objects.filter(scope.counting_q())
    weights = dict(base.values_list("pk", Cast("weight", FloatField())))
    tree = trend.descendants_sql(small.org.pk, base)
    key_results = KeyResult.objects.filter(objective_id__in=tree, state="active").values_list(
        "pk", "objective_id", "kind", Cast("weight", FloatField())
    )
    links = Alignment.objects.filter(child_id__in=tree, type="contributes").values_list(
        "child_id", "parent_objective_id", "parent_key_result_id", Cast("weight", FloatField())
    )
    coefficients = trend.leaf_coefficients(weights, key_results, links)
    past = trend.trend_dates(small.cycle, clock.today)[:-1]
    ends = [clock.start_of(day + timedelta(days=1)) for day in past]
    checkins = list(trend.checkins_query(small.org, tree, ends))
    values, _ = trend._replay(checkins, coefficients, {}, 0, len(ends))
    return [rules.clamp(v) for v in values]


@pytest.mark.django_db
def test_viewers_share_one_entry_and_see_only_their_objectives(small: Small) -> None:
    """carol may not see bob's private O7: her points leave it out, from the same entry."""
    owner, _ = _board(small)
    carol, cold = _board(small, small.carol)
    _again, warm = _board(small, small.carol)
    bob, _ = _board(small, small.bob)
    assert cold == warm  # nothing swept for her
    assert StoredTrend.objects.filter(organization=small.org).count() == 1
    assert carol["trend"][-1]["progress"] == pytest.approx(0.6)
    assert _past(carol) == pytest.approx(_direct_past(small, small.carol))
    assert _past(owner) == pytest.approx(_direct_past(small, small.owner))
    assert _past(bob) == pytest.approx(_direct_past(small, small.bob))
    assert _past(carol) != _past(owner)  # O7 (checked in on 11-18) is in the owner's
    assert _past(bob) == _past(owner)


@pytest.mark.django_db
def test_a_check_in_today_moves_today_only_and_keeps_the_stored_points(small: Small) -> None:
    before, _ = _board(small)
    # Made now (the real clock decides what is backdated; the board's clock is fixed).
    checkin_submit(key_result=small.k["k5"], actor=small.carol, value="10")
    after, queries = _board(small)
    _same, warm = _board(small)
    assert queries == warm  # nothing swept again
    assert _past(after) == _past(before)
    assert after["trend"][-1]["progress"] > before["trend"][-1]["progress"]
    assert after["trend"][-1]["progress"] == pytest.approx(after["progress"])


@pytest.fixture
def swept_by_the_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """Treat the small test scope like a large one, whose sweep is the worker's."""
    monkeypatch.setattr(trend, "INLINE_SWEEP_CHECKINS", -1)


@pytest.mark.django_db
@pytest.mark.usefixtures("swept_by_the_worker")
def test_a_backdated_check_in_voids_the_stored_points(small: Small) -> None:
    before, _ = _board(small)
    checkin_submit(key_result=small.k["k5"], actor=small.carol, value="10", at=at("2026-10-02"))
    stale, queries = _board(small)  # shows the stored points, asks the worker to sweep
    after, warm = _board(small)
    assert queries - warm == SWEEP_QUERIES + 3  # (huey runs the task at once in tests)
    assert _past(stale) == _past(before)
    assert stale["trend"][-1] == after["trend"][-1]
    assert _past(after) != _past(before)
    assert after["trend"][1]["progress"] > before["trend"][1]["progress"]
    assert _past(after) == pytest.approx(_direct_past(small, small.owner))


@pytest.mark.django_db
@pytest.mark.usefixtures("swept_by_the_worker")
@pytest.mark.parametrize("change", ["objective weight", "key result weight", "cancel"])
def test_a_structure_change_voids_the_stored_points(small: Small, change: str) -> None:
    _board(small)
    version = ReportVersion.objects.get(organization=small.org).version
    if change == "objective weight":
        objective_update(objective=small.o["O1"], actor=small.owner, weight=Decimal(1))
    elif change == "key result weight":
        key_result_update(key_result=small.k["k1"], actor=small.owner, weight=Decimal(3))
    else:
        key_result_update(key_result=small.k["k3"], actor=small.owner, state="cancelled")
    assert ReportVersion.objects.get(organization=small.org).version > version
    _stale, queries = _board(small)
    after, warm = _board(small)
    assert queries - warm == SWEEP_QUERIES + 3
    fresh = StoredTrend.objects.filter(organization=small.org)
    assert fresh.count() == 1  # the voided entry was cleared
    assert after["trend"][-1]["progress"] == pytest.approx(after["progress"])
    assert _past(after) == pytest.approx(_direct_past(small, small.owner))
    carol, _ = _board(small, small.carol)
    assert _past(carol) == pytest.approx(_direct_past(small, small.carol))


@pytest.mark.django_db
@pytest.mark.usefixtures("swept_by_the_worker")
def test_a_request_never_sweeps_when_an_older_entry_covers_the_dates(
    small: Small, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sweep is the worker's: the request shows the older points meanwhile."""
    before, _ = _board(small)
    queued: list[Any] = []
    monkeypatch.setattr(HUEY, "enqueue", queued.append)
    objective_update(objective=small.o["O1"], actor=small.owner, weight=Decimal(1))
    stale, queries = _board(small)
    _, warm_before = _board(small)
    assert len(queued) == 2  # each view asks; the task skips an entry already rebuilt
    assert queries == warm_before
    assert _past(stale) == _past(before)
    assert stale["progress"] != before["progress"]  # today's point is live
    assert stale["trend"][-1]["progress"] == pytest.approx(stale["progress"])


@pytest.mark.django_db
def test_a_small_scope_is_swept_again_in_the_request(
    small: Small, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No worker needed where a sweep is cheap: the very next view is fresh."""
    before, _ = _board(small)
    queued: list[Any] = []
    monkeypatch.setattr(HUEY, "enqueue", queued.append)
    checkin_submit(key_result=small.k["k5"], actor=small.carol, value="10", at=at("2026-10-02"))
    after, _ = _board(small)
    assert queued == []
    assert _past(after) != _past(before)
    assert _past(after) == pytest.approx(_direct_past(small, small.owner))


@pytest.mark.django_db
def test_dashboard_query_counts_do_not_grow_with_the_organization() -> None:
    """Cold (nothing stored) and warm, as the owner and a member, small and large."""
    _small_size, small_counts = counts_for(8, "small")
    _large_size, large_counts = counts_for(40, "large")
    boards = {k: v for k, v in small_counts.items() if k.startswith("dashboard")}
    assert boards == {k: v for k, v in large_counts.items() if k.startswith("dashboard")}


@pytest.mark.django_db
def test_a_scope_without_objectives_is_cheap_to_sweep_again(small: Small) -> None:
    """Its entry swept nothing: the next view after an objective arrives sweeps again in
    the request rather than showing the empty points (found by test_parts_property)."""
    clock = Clock.for_org(small.org, NOW)
    past = [date(2026, 11, 12)]
    stored = trend.rebuild(small.org, small.cycle, frozenset(), past, clock)
    assert stored.positive == 0
    assert stored.swept == 0
    assert stored.cheap_to_sweep
