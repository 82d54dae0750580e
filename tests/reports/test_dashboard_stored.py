# ruff: noqa: F811 (the `small` fixture is imported, then named by each test)
"""The dashboard stores its trend's past points and voids them on the writes that move them.

Uses the hand-worked organization of test_dashboard.py (today: Thursday 2026-11-19).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from luodi.accounts.models import User
from luodi.checkins.services import checkin_submit
from luodi.okrs.services import key_result_update, objective_update
from luodi.reports.models import ReportVersion, StoredTrend
from tests.reports.test_dashboard import Small, at, small  # noqa: F401 (fixture)
from tests.reports.test_queries import counts_for

# The trend's sweep when nothing is stored: scope weights, key results of the tree,
# contributing links, check-ins; then old entries cleared and the new one stored, after
# reading the version.
SWEEP_QUERIES = 7
if connection.vendor == "postgresql":
    SWEEP_QUERIES += 3  # JIT off in a savepoint


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


@pytest.mark.django_db
def test_viewers_who_see_different_things_do_not_share_points(small: Small) -> None:
    _board(small)
    carol, cold = _board(small, small.carol)
    _again, warm = _board(small, small.carol)
    assert cold - warm == SWEEP_QUERIES
    assert StoredTrend.objects.filter(organization=small.org).count() == 2
    assert carol["trend"][-1]["progress"] == pytest.approx(0.6)


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


@pytest.mark.django_db
def test_a_backdated_check_in_voids_the_stored_points(small: Small) -> None:
    before, _ = _board(small)
    checkin_submit(key_result=small.k["k5"], actor=small.carol, value="10", at=at("2026-10-02"))
    after, queries = _board(small)
    _same, warm = _board(small)
    assert queries - warm == SWEEP_QUERIES
    assert _past(after) != _past(before)
    assert after["trend"][1]["progress"] > before["trend"][1]["progress"]


@pytest.mark.django_db
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
    after, queries = _board(small)
    _same, warm = _board(small)
    assert queries - warm == SWEEP_QUERIES
    fresh = StoredTrend.objects.filter(organization=small.org)
    assert fresh.count() == 1  # the voided entry was cleared
    assert after["trend"][-1]["progress"] == pytest.approx(after["progress"])


@pytest.mark.django_db
def test_dashboard_query_counts_do_not_grow_with_the_organization() -> None:
    """Cold (nothing stored) and warm, as the owner and a member, small and large."""
    _small_size, small_counts = counts_for(8, "small")
    _large_size, large_counts = counts_for(40, "large")
    boards = {k: v for k, v in small_counts.items() if k.startswith("dashboard")}
    assert boards == {k: v for k, v in large_counts.items() if k.startswith("dashboard")}
