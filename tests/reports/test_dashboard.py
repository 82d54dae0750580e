"""The dashboard on a small organization whose every number is worked out by hand.

Cycle 2026-10-01 → 2026-12-31 (91 days); today is Thursday 2026-11-19 in Shanghai, 49 days
in: expected progress 49/91 ≈ 0.538. Tolerance 0.10.

    HQ ─┬─ Sales ── Team A           O1 company, weight 2, no unit
        └─ Ops                         k1 0→100 (owner)        20 @10-08 23:30, 30 @10-10,
                                                                50 @11-18, conf 8  → 0.5
                                       ← O2 contributes
    O2 Sales (unit), aligned to O1     k2 0→10 (alice)          2 @10-20, conf 6   → 0.2
                                       ← O3 contributes
    O3 Team A (unit), aligned to O2    k4 0→10 (bob, +carol)    9 @11-17, conf 3   → 0.9
    O4 carol (Ops), unaligned          k5 0→10 (carol)          no check-in        → 0
                                       k3 0→10 (carol)         10 @11-16           → 1.0
    O7 bob (Team A), private           k7 0→10 (bob)            8 @11-18, conf 7   → 0.8
    O5 draft, O6 cancelled, one cancelled key result on O1: counted nowhere.

    O3 = 0.9; O2 = (0.2 + 0.9) / 2 = 0.55; O1 = (0.5 + 0.55) / 2 = 0.525;
    O4 = (0 + 1) / 2 = 0.5; O7 = 0.8.
    Company, as the owner: (2 × 0.525 + 0.55 + 0.9 + 0.5 + 0.8) / 6 = 3.8 / 6.
    As carol, who may not see O7: (1.05 + 0.55 + 0.9 + 0.5) / 5 = 0.6.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from luodi.accounts.models import User
from luodi.checkins.services import checkin_submit
from luodi.okrs.models import KeyResult, Objective
from luodi.okrs.selectors import Clock
from luodi.okrs.services import key_result_create, key_result_update, objective_update
from luodi.orgs.choices import CycleState, Role, UnitKind
from luodi.orgs.models import Cycle, Organization, Unit
from luodi.orgs.services import cycle_create, member_add, unit_create
from luodi.reports.selectors import dashboard
from luodi.reports.trend import trend_dates
from tests.conftest import make_metric, make_objective

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 19, 10, 0, tzinfo=SHANGHAI)
EXPECTED = 49 / 91


def at(day: str, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), SHANGHAI).replace(
        hour=hour, minute=minute
    )


@dataclass
class Small:
    org: Organization
    cycle: Cycle
    owner: User
    alice: User
    bob: User
    carol: User
    units: dict[str, Unit]
    o: dict[str, Objective]
    k: dict[str, KeyResult]

    def board(self, user: User, unit: str | None = None, now: datetime = NOW) -> dict[str, Any]:
        return dashboard(
            organization=self.org,
            user=User.objects.get(pk=user.pk),
            cycle=self.cycle,
            unit_id=self.units[unit].pk if unit else None,
            clock=Clock.for_org(self.org, now),
        )


@pytest.fixture
def small(org: Organization, owner: User) -> Small:
    cycle = cycle_create(
        organization=org,
        actor=owner,
        name="2026 Q4",
        start_date=date(2026, 10, 1),
        end_date=date(2026, 12, 31),
        state=CycleState.ACTIVE,
    )
    units: dict[str, Unit] = {}
    units["HQ"] = unit_create(organization=org, actor=owner, name="HQ", kind=UnitKind.COMPANY)
    for name, parent in (("Sales", "HQ"), ("Ops", "HQ"), ("Team A", "Sales")):
        units[name] = unit_create(
            organization=org,
            actor=owner,
            name=name,
            kind=UnitKind.TEAM if name == "Team A" else UnitKind.DEPARTMENT,
            parent_id=units[parent].pk,
        )

    def person(name: str, unit: str) -> User:
        return member_add(
            organization=org,
            actor=owner,
            email=f"{name}@acme.example",
            name=name,
            role=Role.MEMBER,
            unit=units[unit],
        ).user

    alice, bob, carol = person("alice", "Sales"), person("bob", "Team A"), person("carol", "Ops")
    o: dict[str, Objective] = {}
    k: dict[str, KeyResult] = {}
    o["O1"] = make_objective(org, owner, cycle, title="O1", weight=Decimal(2), owner_id=owner.pk)
    k["k1"] = make_metric(o["O1"], owner, title="k1", owner_id=owner.pk)
    cancelled = make_metric(o["O1"], owner, title="cancelled", owner_id=alice.pk)
    key_result_update(key_result=cancelled, actor=owner, state="cancelled")
    o["O2"] = make_objective(
        org,
        owner,
        cycle,
        title="O2",
        level="unit",
        unit_id=units["Sales"].pk,
        alignments=[{"parent_objective_id": o["O1"].pk}],
    )
    k["k2"] = make_metric(o["O2"], owner, target="10", title="k2", owner_id=alice.pk)
    o["O3"] = make_objective(
        org,
        owner,
        cycle,
        title="O3",
        level="unit",
        unit_id=units["Team A"].pk,
        owner_id=bob.pk,
        alignments=[{"parent_objective_id": o["O2"].pk}],
    )
    k["k4"] = make_metric(
        o["O3"], owner, target="10", title="k4", owner_id=bob.pk, contributor_ids=[carol.pk]
    )
    o["O4"] = make_objective(org, carol, cycle, title="O4", level="individual")
    k["k5"] = make_metric(o["O4"], carol, target="10", title="k5")
    k["k3"] = make_metric(o["O4"], carol, target="10", title="k3")
    o["O7"] = make_objective(org, bob, cycle, title="O7", level="individual", visibility="private")
    k["k7"] = make_metric(o["O7"], bob, target="10", title="k7")
    o["O5"] = make_objective(org, alice, cycle, title="O5 draft", level="individual", state="draft")
    make_metric(o["O5"], alice, target="10", title="draft kr")
    o["O6"] = make_objective(org, alice, cycle, title="O6", level="individual")
    k["k6"] = make_metric(o["O6"], alice, target="10", title="k6")
    checkin_submit(key_result=k["k6"], actor=alice, value="1", at=at("2026-11-17"))
    objective_update(objective=o["O6"], actor=alice, state="cancelled")

    for kr, user, value, confidence, moment in (
        ("k1", owner, "20", 8, at("2026-10-08", 23, 30)),
        ("k1", owner, "30", 8, at("2026-10-10")),
        ("k2", alice, "2", 6, at("2026-10-20")),
        ("k3", carol, "10", None, at("2026-11-16")),
        ("k4", bob, "9", 3, at("2026-11-17")),
        ("k1", owner, "50", 8, at("2026-11-18")),
        ("k7", bob, "8", 7, at("2026-11-18")),
    ):
        checkin_submit(key_result=k[kr], actor=user, value=value, confidence=confidence, at=moment)
    for objective in o.values():
        objective.refresh_from_db()
    return Small(org, cycle, owner, alice, bob, carol, units, o, k)


@pytest.mark.django_db
def test_the_stored_progress_is_what_the_docstring_works_out(small: Small) -> None:
    assert [small.o[n].progress for n in ("O1", "O2", "O3", "O4", "O7")] == pytest.approx(
        [0.525, 0.55, 0.9, 0.5, 0.8]
    )


@pytest.mark.django_db
def test_company_dashboard_for_the_owner(small: Small) -> None:
    board = small.board(small.owner)
    assert board["progress"] == pytest.approx(3.8 / 6)
    assert board["expected_progress"] == pytest.approx(EXPECTED)
    # k1 on track, k2 off track (and stale: last check-in 30 days ago), k4 at risk
    # (confidence 3), k5 not started (stale: none since the start), k3 done, k7 on track.
    assert board["status_counts"] == {
        "not_started": 1,
        "on_track": 2,
        "at_risk": 1,
        "off_track": 1,
        "done": 1,
        "stale": 2,
    }
    assert board["units"] == [
        {
            "unit_id": small.units["HQ"].pk,
            "parent_id": None,
            "name": "HQ",
            "progress": pytest.approx((0.55 + 0.9 + 0.5 + 0.8) / 4),
            "objectives": 4,
        },
        {
            "unit_id": small.units["Ops"].pk,
            "parent_id": small.units["HQ"].pk,
            "name": "Ops",
            "progress": pytest.approx(0.5),
            "objectives": 1,
        },
        {
            "unit_id": small.units["Sales"].pk,
            "parent_id": small.units["HQ"].pk,
            "name": "Sales",
            "progress": pytest.approx((0.55 + 0.9 + 0.8) / 3),
            "objectives": 3,
        },
    ]
    # Expected to check in: owner (k1), alice (k2), bob (k4, k7), carol (k3, k5, helps on
    # k4). This week (from Monday 11-16): owner, bob and carol did; alice did not.
    assert board["checkin_rate"] == pytest.approx(3 / 4)
    assert (board["checkin_people"], board["checkin_done"]) == (4, 3)
    # Non-company objectives: O2 and O3 have parents, O4 and O7 do not.
    assert board["alignment_coverage"] == pytest.approx(2 / 4)


@pytest.mark.django_db
def test_at_risk_lists_the_largest_gaps_first(small: Small) -> None:
    board = small.board(small.owner)
    k = small.k
    # k5: stale, gap 0.538; k2: off track, gap 0.338; k4: at risk, ahead of pace.
    assert [row["id"] for row in board["at_risk"]] == [k["k5"].pk, k["k2"].pk, k["k4"].pk]
    assert board["at_risk"][1] == {
        "id": k["k2"].pk,
        "objective_id": small.o["O2"].pk,
        "title": "k2",
        "kind": "metric",
        "progress": pytest.approx(0.2),
        "raw_progress": pytest.approx(0.2),
        "expected_progress": pytest.approx(EXPECTED),
        "status": "off_track",
        "stale": True,
        "owner_id": small.alice.pk,
        "confidence": 6,
    }


@pytest.mark.django_db
def test_a_member_dashboard_leaves_out_what_they_may_not_see(small: Small) -> None:
    board = small.board(small.carol)
    assert board["progress"] == pytest.approx(0.6)
    assert board["status_counts"]["on_track"] == 1  # k7 is hidden
    assert sum(board["status_counts"].values()) - board["status_counts"]["stale"] == 5
    sales = next(u for u in board["units"] if u["name"] == "Sales")
    assert (sales["objectives"], sales["progress"]) == (2, pytest.approx(0.725))
    assert board["alignment_coverage"] == pytest.approx(2 / 3)
    assert small.k["k7"].pk not in [row["id"] for row in board["at_risk"]]
    # bob still has to check in on k4, and did.
    assert (board["checkin_people"], board["checkin_done"]) == (4, 3)


@pytest.mark.django_db
def test_unit_dashboard_covers_the_unit_and_lists_its_direct_children(small: Small) -> None:
    board = small.board(small.owner, unit="Sales")
    # O2, O3 and O7 (bob's, in Team A).
    assert board["progress"] == pytest.approx((0.55 + 0.9 + 0.8) / 3)
    assert [(u["name"], u["objectives"]) for u in board["units"]] == [
        ("Sales", 3),
        ("Team A", 2),
    ]
    assert board["units"][1]["progress"] == pytest.approx((0.9 + 0.8) / 2)
    # k2 (alice), k4 (bob, carol helping), k7 (bob). Only bob checked in on one of them
    # this week: carol's check-in was on k3, an Ops key result.
    assert (board["checkin_people"], board["checkin_done"]) == (3, 1)
    # O2 → O1, O3 → O2; O7 has no parent.
    assert board["alignment_coverage"] == pytest.approx(2 / 3)
    assert board["status_counts"] == {
        "not_started": 0,
        "on_track": 1,
        "at_risk": 1,
        "off_track": 1,
        "done": 0,
        "stale": 1,
    }


@pytest.mark.django_db
def test_next_week_nobody_has_checked_in_yet(small: Small) -> None:
    board = small.board(small.owner, now=at("2026-11-23", 9))
    assert board["checkin_rate"] == 0.0


@pytest.mark.django_db
def test_the_trend_rebuilds_progress_from_check_ins_week_by_week(small: Small) -> None:
    board = small.board(small.owner)
    days = [date(2026, 10, d) for d in (1, 8, 15, 22, 29)] + [
        date(2026, 11, d) for d in (5, 12, 19)
    ]
    assert [p["date"] for p in board["trend"]] == days
    assert [p["expected"] for p in board["trend"]] == pytest.approx(
        [(d - date(2026, 10, 1)).days / 91 for d in days]
    )
    # Each key result's share of the company: k1 1/6, k2 1/6, k4 1/3, k5 1/12, k3 1/12,
    # k7 1/6 (O1's half goes to k1, half to O2; O2's half to k2, half to O3 …).
    # 10-08: k1 at 0.2 (checked in at 23:30 that evening, Shanghai time).
    # 10-15 and later: k1 at 0.3; from 10-22 also k2 at 0.2; 11-19: everything now.
    after_k2 = 0.3 / 6 + 0.2 / 6
    assert [p["progress"] for p in board["trend"]] == pytest.approx(
        [0, 0.2 / 6, 0.3 / 6, after_k2, after_k2, after_k2, after_k2, 3.8 / 6]
    )
    assert board["trend"][-1]["progress"] == pytest.approx(board["progress"])


@pytest.mark.django_db
def test_the_trend_counts_contributions_through_a_roll_up_key_result(
    org: Organization, owner: User
) -> None:
    cycle = cycle_create(
        organization=org,
        actor=owner,
        name="Q",
        start_date=date(2026, 10, 1),
        end_date=date(2026, 12, 31),
        state=CycleState.ACTIVE,
    )
    year = cycle_create(
        organization=org,
        actor=owner,
        name="Year",
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
        state=CycleState.ACTIVE,
    )
    top = make_objective(org, owner, cycle, title="Top")
    rollup, _ = key_result_create(objective=top, actor=owner, title="Roll-up", kind="rollup")
    own = make_metric(top, owner, title="Own")
    # A child in another (longer) cycle contributes through the roll-up key result.
    child = make_objective(
        org, owner, year, title="Child", alignments=[{"parent_key_result_id": rollup.pk}]
    )
    leaf = make_metric(child, owner, title="Leaf")
    checkin_submit(key_result=leaf, actor=owner, value="40", at=at("2026-10-05"))
    checkin_submit(key_result=own, actor=owner, value="100", at=at("2026-10-12"))
    board = dashboard(
        organization=org, user=owner, cycle=cycle, clock=Clock.for_org(org, at("2026-10-15"))
    )
    top.refresh_from_db()
    assert top.progress == pytest.approx((0.4 + 1.0) / 2)
    assert [p["progress"] for p in board["trend"]] == pytest.approx([0, 0.2, 0.7])
    assert board["progress"] == pytest.approx(0.7)


@pytest.mark.django_db
def test_an_empty_cycle(org: Organization, owner: User) -> None:
    cycle = cycle_create(
        organization=org,
        actor=owner,
        name="Next",
        start_date=date(2027, 1, 1),
        end_date=date(2027, 3, 31),
    )
    board = dashboard(organization=org, user=owner, cycle=cycle, clock=Clock.for_org(org, NOW))
    assert board == {
        "progress": None,
        "expected_progress": 0.0,
        "status_counts": {
            "not_started": 0,
            "on_track": 0,
            "at_risk": 0,
            "off_track": 0,
            "done": 0,
            "stale": 0,
        },
        "units": [],
        "checkin_rate": None,
        "checkin_people": 0,
        "checkin_done": 0,
        "alignment_coverage": None,
        "at_risk": [],
        "trend": [],
    }


def test_trend_dates_are_weekly_and_capped() -> None:
    quarter = Cycle(start_date=date(2026, 10, 1), end_date=date(2026, 12, 31))
    assert trend_dates(quarter, date(2026, 9, 30)) == []
    assert trend_dates(quarter, date(2026, 10, 1)) == [date(2026, 10, 1)]
    assert trend_dates(quarter, date(2026, 10, 10)) == [
        date(2026, 10, 1),
        date(2026, 10, 8),
        date(2026, 10, 10),
    ]
    assert trend_dates(quarter, date(2027, 3, 1))[-1] == date(2026, 12, 31)
    long = Cycle(start_date=date(2025, 1, 1), end_date=date(2027, 12, 31))
    days = trend_dates(long, date(2027, 6, 30))
    assert len(days) <= 60
    assert days[0] == date(2025, 1, 1) and days[-1] == date(2027, 6, 30)
    steps = {(b - a).days for a, b in itertools.pairwise(days[:-1])}
    assert steps == {21}  # 131 weeks: every third week
