# ruff: noqa: F811 (the `small` fixture is imported, then named by each test)
"""The dashboard composed from stored parts (`reports.parts`) equals the dashboard computed
at once, and a stored part never serves stale numbers.

Uses the hand-worked organization of test_dashboard.py, one level deeper:

    HQ (0) ─┬─ Sales (1) ── Team A (2) ── Squad (3)
            └─ Ops (1)

    O8 Squad (unit), dave, aligned to O3   k9 0→10 (dave, +alice)   3 @11-10
    O9 dave (Squad)                        k10 0→10 (dave)          no check-in
    O4 carol (Ops)                         k8 0→10 (carol)          5 @11-05 15:00:
                                           turns stale 11-19 15:00

Blocks of the whole organization (BLOCK_DEPTH 2): HQ, Sales and Ops alone, Team A with
Squad, and the objectives without a unit (O1). The tests run on Thursday 2026-11-19 (the
real clock too: a check-in made before today would void every part).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from luodi.accounts.models import User
from luodi.checkins.services import checkin_submit
from luodi.okrs.models import KeyResult, Objective
from luodi.okrs.selectors import Clock
from luodi.okrs.services import key_result_update, objective_update
from luodi.orgs.choices import Role, UnitKind
from luodi.orgs.models import Unit
from luodi.orgs.services import member_add, unit_create
from luodi.reports import parts
from luodi.reports.aggregates import KeyResultTally
from luodi.reports.models import DashboardPart, ReportVersion
from luodi.reports.selectors import dashboard
from tests.conftest import make_metric, make_objective
from tests.reports.test_dashboard import Small, at, small  # noqa: F401 (fixture)

T1 = at("2026-11-19", 11)  # after the fixture's last moment (10:00)
KEYS = {
    "progress",
    "expected_progress",
    "status_counts",
    "units",
    "checkin_rate",
    "checkin_people",
    "checkin_done",
    "alignment_coverage",
    "at_risk",
    "trend",
}


class Deep:
    def __init__(self, small: Small, squad: Unit, dave: User, o: dict, k: dict) -> None:
        self.small, self.squad, self.dave = small, squad, dave
        self.org, self.cycle, self.owner = small.org, small.cycle, small.owner
        self.units = {**small.units, "Squad": squad}
        self.o = {**small.o, **o}
        self.k = {**small.k, **k}

    def blocks(self) -> dict[str, str]:
        """Block name (unit name or "none") → the stored part's key."""
        return {name: f"u{self.units[name].pk}" for name in ("HQ", "Sales", "Ops", "Team A")} | {
            "none": "none"
        }

    def stored(self, kind: str = "all") -> dict[str, tuple[str, datetime | None, datetime, dict]]:
        """Stored parts of one kind ("all": for admins, "public": for everyone else) by
        block name: stamp, valid_until, computed_at, payload."""
        prefix = "" if kind == "all" else "p:"
        names = {prefix + key: name for name, key in self.blocks().items()}
        return {
            names[block]: (stamp, until, computed_at, payload)
            for block, stamp, until, computed_at, payload in DashboardPart.objects.filter(
                organization=self.org, cycle=self.cycle
            ).values_list("block", "stamp", "valid_until", "computed_at", "payload")
            if block in names
        }


@pytest.fixture(autouse=True)
def _inline_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Five blocks here: with at most three worked out in a request, a view that finds
    every part missing computes at once and leaves the parts to the background task."""
    monkeypatch.setattr(parts, "INLINE_LIMIT", 3)


@pytest.fixture
def deep(small: Small, time_machine: Any) -> Deep:
    org, owner = small.org, small.owner
    squad = unit_create(
        organization=org,
        actor=owner,
        name="Squad",
        kind=UnitKind.TEAM,
        parent_id=small.units["Team A"].pk,
    )
    dave = member_add(
        organization=org,
        actor=owner,
        email="dave@acme.example",
        name="dave",
        role=Role.MEMBER,
        unit=squad,
    ).user
    o: dict[str, Objective] = {}
    k: dict[str, KeyResult] = {}
    o["O8"] = make_objective(
        org,
        owner,
        small.cycle,
        title="O8",
        level="unit",
        unit_id=squad.pk,
        owner_id=dave.pk,
        alignments=[{"parent_objective_id": small.o["O3"].pk}],
    )
    k["k9"] = make_metric(
        o["O8"], owner, target="10", title="k9", owner_id=dave.pk, contributor_ids=[small.alice.pk]
    )
    o["O9"] = make_objective(org, dave, small.cycle, title="O9", level="individual")
    k["k10"] = make_metric(o["O9"], dave, target="10", title="k10")
    k["k8"] = make_metric(small.o["O4"], small.carol, target="10", title="k8")
    checkin_submit(key_result=k["k9"], actor=dave, value="3", at=at("2026-11-10"))
    checkin_submit(key_result=k["k8"], actor=small.carol, value="5", at=at("2026-11-05", 15))
    for objective in (*small.o.values(), *o.values()):
        objective.refresh_from_db()
    assert o["O9"].unit_id == squad.pk and small.o["O4"].unit_id == small.units["Ops"].pk
    assert small.o["O1"].unit_id is None
    time_machine.move_to(T1, tick=False)
    return Deep(small, squad, dave, o, k)


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """Records every key result scan (`KeyResultTally.of`) and what `parts.compose`
    returned."""
    calls: dict[str, list[Any]] = {"scans": [], "composed": []}
    scan = KeyResultTally.of.__func__  # type: ignore[attr-defined]
    compose = parts.compose

    def counting_scan(cls: type, *args: Any, **kwargs: Any) -> KeyResultTally:
        calls["scans"].append(kwargs.get("people_ids", False))
        return scan(cls, *args, **kwargs)

    def recording_compose(**kwargs: Any) -> Any:
        result = compose(**kwargs)
        calls["composed"].append(result)
        return result

    monkeypatch.setattr(KeyResultTally, "of", classmethod(counting_scan))
    monkeypatch.setattr(parts, "compose", recording_compose)
    return calls


def _board(deep: Deep, user: User | None = None, unit: str | None = None) -> dict[str, Any]:
    return dashboard(
        organization=deep.org,
        user=User.objects.get(pk=(user or deep.owner).pk),
        cycle=deep.cycle,
        unit_id=deep.units[unit].pk if unit else None,
        clock=Clock.for_org(deep.org, timezone.now()),
    )


def _direct(deep: Deep, user: User | None = None, unit: str | None = None) -> dict[str, Any]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(parts, "compose", lambda **kw: None)
        return _board(deep, user, unit)


def _fill(deep: Deep) -> int:
    return parts.fill(deep.org, deep.cycle, Clock.for_org(deep.org, timezone.now()))


def _close(value: Any) -> Any:
    return None if value is None else pytest.approx(value, abs=1e-9)


def assert_same(composed: dict[str, Any], direct: dict[str, Any]) -> None:
    assert set(composed) == set(direct) == KEYS
    assert composed["status_counts"] == direct["status_counts"]
    assert composed["checkin_people"] == direct["checkin_people"]
    assert composed["checkin_done"] == direct["checkin_done"]
    assert composed["checkin_rate"] == _close(direct["checkin_rate"])
    assert composed["alignment_coverage"] == _close(direct["alignment_coverage"])
    assert composed["progress"] == _close(direct["progress"])
    assert composed["expected_progress"] == _close(direct["expected_progress"])
    assert [r["id"] for r in composed["at_risk"]] == [r["id"] for r in direct["at_risk"]]
    for mine, theirs in zip(composed["at_risk"], direct["at_risk"], strict=True):
        assert mine == {key: _close(v) if isinstance(v, float) else v for key, v in theirs.items()}
    assert len(composed["units"]) == len(direct["units"])
    for mine, theirs in zip(composed["units"], direct["units"], strict=True):
        assert mine == {**theirs, "progress": _close(theirs["progress"])}
    assert len(composed["trend"]) == len(direct["trend"])
    for mine, theirs in zip(composed["trend"], direct["trend"], strict=True):
        assert mine == {
            "date": theirs["date"],
            "progress": _close(theirs["progress"]),
            "expected": _close(theirs["expected"]),
        }


def _composed_from_storage(
    deep: Deep, spy: dict[str, list[Any]], user: User | None = None, unit: str | None = None
) -> dict[str, Any]:
    """The dashboard, asserting it was composed and no key result was scanned."""
    spy["scans"].clear()
    spy["composed"].clear()
    board = _board(deep, user, unit)
    assert spy["composed"] != [None]
    assert spy["scans"] == []
    return board


@pytest.mark.django_db
@pytest.mark.parametrize("unit", [None, "Sales", "Ops", "Team A"])
def test_composed_dashboard_equals_the_one_computed_at_once(
    deep: Deep, spy: dict[str, list[Any]], unit: str | None
) -> None:
    direct = _direct(deep, unit=unit)
    assert spy["scans"] == [False]  # the direct path scans the scope once
    assert DashboardPart.objects.count() == 0
    assert _fill(deep) == 10  # five blocks, each for admins and for everyone else
    assert set(deep.stored()) == set(deep.stored("public")) == set(deep.blocks())
    assert _fill(deep) == 0  # all fresh
    composed = _composed_from_storage(deep, spy, unit=unit)
    assert_same(composed, direct)
    assert composed["status_counts"]["stale"] > 0 and composed["at_risk"]


@pytest.mark.django_db
def test_whole_organization_numbers_are_as_expected(deep: Deep, spy: dict[str, list[Any]]) -> None:
    """Not only equal to the direct path: both see the deeper units' objectives."""
    _fill(deep)
    board = _composed_from_storage(deep, spy)
    hq = board["units"][0]
    assert (hq["name"], hq["objectives"]) == ("HQ", 6)  # O2, O3, O4, O7, O8, O9
    team = next(u for u in _board(deep, unit="Sales")["units"] if u["name"] == "Team A")
    assert team["objectives"] == 4  # O3, O7, O8, O9
    assert_same(board, _direct(deep))


@pytest.mark.django_db
def test_a_unit_below_the_block_depth_is_computed_at_once(
    deep: Deep, spy: dict[str, list[Any]]
) -> None:
    _fill(deep)
    spy["scans"].clear()
    board = _board(deep, unit="Squad")
    assert spy["composed"] == [None]
    assert spy["scans"] == [False]
    assert_same(board, _direct(deep, unit="Squad"))
    assert board["units"][0]["objectives"] == 2


@pytest.mark.django_db
def test_a_first_view_with_every_part_missing_computes_at_once_and_fills_later(
    deep: Deep, spy: dict[str, list[Any]], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = _board(deep)
    assert spy["composed"] == [None]
    assert len(callbacks) == 1
    assert set(deep.stored()) == set(deep.blocks())  # the task ran (huey: at once)
    assert_same(_composed_from_storage(deep, spy), first)


@pytest.mark.django_db
def test_a_check_in_deep_in_the_tree_recomputes_only_its_chains_parts(
    deep: Deep, spy: dict[str, list[Any]], time_machine: Any
) -> None:
    _fill(deep)
    before = deep.stored()
    board_before = _composed_from_storage(deep, spy)
    time_machine.move_to(at("2026-11-19", 11, 30), tick=False)
    version = ReportVersion.objects.get(organization=deep.org).version
    checkin_submit(key_result=deep.k["k9"], actor=deep.dave, value="9", confidence=8)
    assert ReportVersion.objects.get(organization=deep.org).version == version
    time_machine.move_to(at("2026-11-19", 12), tick=False)
    spy["scans"].clear()
    composed = _board(deep)
    assert spy["composed"][-1] is not None
    # Squad's objective, O3 (Team A), O2 (Sales), O1 (no unit): three blocks, one scan each.
    assert spy["scans"] == [True, True, True]
    after = deep.stored()
    for name in ("Team A", "Sales", "none"):
        assert after[name][0] != before[name][0], name
        assert after[name][2] > before[name][2], name
    for name in ("HQ", "Ops"):
        assert after[name] == before[name], name
    assert_same(composed, _direct(deep))
    assert composed["progress"] > board_before["progress"]
    assert composed["checkin_done"] == board_before["checkin_done"] + 1  # dave
    assert_same(_composed_from_storage(deep, spy), composed)


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["key result weight", "objective cancelled"])
def test_a_structure_edit_voids_every_part(
    deep: Deep,
    spy: dict[str, list[Any]],
    change: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _fill(deep)
    before = _composed_from_storage(deep, spy)
    if change == "key result weight":
        key_result_update(key_result=deep.k["k3"], actor=deep.owner, weight=Decimal(3))
    else:
        objective_update(objective=deep.o["O9"], actor=deep.dave, state="cancelled")
    with django_capture_on_commit_callbacks(execute=True):
        at_once = _board(deep)
    assert spy["composed"][-1] is None  # every part is voided: too many to compute inline
    composed = _composed_from_storage(deep, spy)  # the fill stored them again
    assert_same(composed, at_once)
    assert_same(composed, _direct(deep))
    assert composed["progress"] != pytest.approx(before["progress"])


@pytest.mark.django_db
def test_a_part_expires_when_a_key_result_turns_stale_by_the_clock(
    deep: Deep, spy: dict[str, list[Any]], time_machine: Any
) -> None:
    _fill(deep)
    before = deep.stored()
    assert before["Ops"][1] == at("2026-11-19", 15)  # k8: 14 days after 11-05 15:00
    board_before = _composed_from_storage(deep, spy)
    assert deep.k["k8"].pk not in [r["id"] for r in board_before["at_risk"]]
    time_machine.move_to(at("2026-11-19", 16), tick=False)
    spy["scans"].clear()
    composed = _board(deep)
    assert spy["composed"][-1] is not None
    assert spy["scans"] == [True]  # the Ops part only
    after = deep.stored()
    assert after["Ops"][2] > before["Ops"][2]
    assert {n: v for n, v in after.items() if n != "Ops"} == {
        n: v for n, v in before.items() if n != "Ops"
    }
    assert_same(composed, _direct(deep))
    assert composed["status_counts"]["stale"] == board_before["status_counts"]["stale"] + 1
    assert deep.k["k8"].pk in [r["id"] for r in composed["at_risk"]]


@pytest.mark.django_db
def test_fifteen_days_on_every_part_is_worked_out_again(
    deep: Deep,
    spy: dict[str, list[Any]],
    time_machine: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _fill(deep)
    board_before = _composed_from_storage(deep, spy)
    time_machine.move_to(T1 + timedelta(days=15), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        at_once = _board(deep)
    assert spy["composed"][-1] is None  # a new day: every part missing
    assert_same(at_once, _direct(deep))
    composed = _composed_from_storage(deep, spy)
    assert_same(composed, _direct(deep))
    assert composed["status_counts"]["stale"] > board_before["status_counts"]["stale"]
    assert composed["expected_progress"] > board_before["expected_progress"]
    for unit in ("Sales", "Team A"):
        assert_same(_composed_from_storage(deep, spy, unit=unit), _direct(deep, unit=unit))


@pytest.mark.django_db
def test_just_past_midnight_no_part_of_yesterday_is_served(
    deep: Deep, spy: dict[str, list[Any]], time_machine: Any
) -> None:
    """Parts of the evening before are not read, even one at a time."""
    time_machine.move_to(at("2026-11-19", 23, 59), tick=False)
    _fill(deep)
    time_machine.move_to(at("2026-11-20", 0, 1), tick=False)
    for unit in ("Ops", "Team A"):  # one block each: computed inline
        spy["scans"].clear()
        board = _board(deep, unit=unit)
        assert spy["scans"] == [True], unit
        assert_same(board, _direct(deep, unit=unit))


@pytest.mark.django_db
def test_a_member_dashboard_is_composed_from_the_public_parts(
    deep: Deep, spy: dict[str, list[Any]]
) -> None:
    _fill(deep)
    stored = {kind: deep.stored(kind) for kind in ("all", "public")}
    spy["scans"].clear()
    carol = _board(deep, deep.small.carol)
    assert spy["composed"] != [None]
    # No block is scanned again: only what carol sees beyond the public parts (little).
    assert spy["scans"] == [True]
    assert {kind: deep.stored(kind) for kind in ("all", "public")} == stored
    assert_same(carol, _direct(deep, deep.small.carol))
    owner = _composed_from_storage(deep, spy)
    # bob's private O7 (k7 on track) counts for the owner, not for carol.
    assert owner["units"][0]["objectives"] == carol["units"][0]["objectives"] + 1
    assert owner["status_counts"]["on_track"] == carol["status_counts"]["on_track"] + 1
    assert deep.k["k7"].pk not in [r["id"] for r in carol["at_risk"]]
    sales = next(u for u in carol["units"] if u["name"] == "Sales")
    assert sales["objectives"] == 4  # O2, O3, O8, O9 (not O7)


@pytest.mark.django_db
@pytest.mark.parametrize("unit", [None, "Ops"])
def test_what_only_one_member_sees_counts_for_her_alone(
    deep: Deep, spy: dict[str, list[Any]], unit: str | None
) -> None:
    """carol's private objective (with an off-track key result) and her public objective
    aligned to it only: both count for carol (the public one as aligned), for alice the
    public one counts as not aligned and the private one not at all."""
    carol, alice = deep.small.carol, deep.small.alice
    secret = make_objective(
        deep.org, carol, deep.cycle, title="O10", level="individual", visibility="private"
    )
    secret_kr = make_metric(secret, carol, target="10", title="k11")
    checkin_submit(key_result=secret_kr, actor=carol, value="0", confidence=1, at=T1)
    below = make_objective(
        deep.org,
        carol,
        deep.cycle,
        title="O11",
        level="individual",
        alignments=[{"parent_objective_id": secret.pk}],
    )
    make_metric(below, carol, target="10", title="k12")
    _fill(deep)
    hidden = [
        entry
        for *_, payload in deep.stored("public").values()
        for entry in payload["hidden_parents"]
    ]
    assert [child for _unit, child, _parents in hidden] == [below.pk]
    boards = {}
    for person in (carol, alice):
        boards[person.email] = _board(deep, person, unit)
        assert spy["composed"][-1] is not None
        assert_same(boards[person.email], _direct(deep, person, unit))
    mine, hers = boards[carol.email], boards[alice.email]
    assert secret_kr.pk in [r["id"] for r in mine["at_risk"]]
    assert secret_kr.pk not in [r["id"] for r in hers["at_risk"]]
    ops = {who: next(u for u in b["units"] if u["name"] == "Ops") for who, b in boards.items()}
    assert ops[carol.email]["objectives"] == ops[alice.email]["objectives"] + 1
    assert mine["alignment_coverage"] > hers["alignment_coverage"]


@pytest.mark.django_db
def test_a_check_in_on_an_objective_without_a_unit_updates_the_none_block(
    deep: Deep, spy: dict[str, list[Any]], time_machine: Any
) -> None:
    _fill(deep)
    before = deep.stored()
    board_before = _composed_from_storage(deep, spy)
    assert any(group[0] is None for group in before["none"][3]["groups"])
    time_machine.move_to(at("2026-11-19", 11, 30), tick=False)
    checkin_submit(key_result=deep.k["k1"], actor=deep.owner, value="90", confidence=9)
    time_machine.move_to(at("2026-11-19", 12), tick=False)
    spy["scans"].clear()
    composed = _board(deep)
    assert spy["scans"] == [True]  # O1 only: the chain goes no lower
    after = deep.stored()
    assert after["none"][0] != before["none"][0]
    assert {n: v for n, v in after.items() if n != "none"} == {
        n: v for n, v in before.items() if n != "none"
    }
    assert_same(composed, _direct(deep))
    assert composed["progress"] > board_before["progress"]


@pytest.mark.django_db
def test_a_person_in_two_blocks_is_counted_once(deep: Deep, spy: dict[str, list[Any]]) -> None:
    _fill(deep)
    stored = deep.stored()
    small = deep.small
    people = {name: set(payload["people"]) for name, (*_, payload) in stored.items()}
    checked_in = {name: set(payload["checked_in"]) for name, (*_, payload) in stored.items()}
    # carol: k3, k5, k8 (Ops) and helps on k4 (Team A); alice: k2 (Sales), helps on k9.
    assert small.carol.pk in people["Ops"] & people["Team A"]
    assert small.alice.pk in people["Sales"] & people["Team A"]
    assert small.carol.pk in checked_in["Ops"]  # k3 on 11-16
    composed = _composed_from_storage(deep, spy)
    direct = _direct(deep)
    assert_same(composed, direct)
    everyone = {small.owner.pk, small.alice.pk, small.bob.pk, small.carol.pk, deep.dave.pk}
    assert composed["checkin_people"] == len(everyone) == 5
    assert sum(len(p) for p in people.values()) > composed["checkin_people"]
    # This week: owner (k1), carol (k3), bob (k4, k7); alice and dave did not.
    assert composed["checkin_done"] == 3


@pytest.mark.django_db
@pytest.mark.parametrize("unit", [None, "Sales", "Team A", "Squad"])
@pytest.mark.parametrize("who", ["owner", "carol"])
def test_looking_up_from_few_key_results_counts_the_same(
    deep: Deep, unit: str | None, who: str
) -> None:
    """`few` (phased targets and contributors looked up from the scope's key results) is
    an access path only: forced on and off, the dashboard computed at once is the same."""
    from luodi.reports import selectors

    user = deep.owner if who == "owner" else deep.small.carol
    boards = {}
    original = selectors._at_once
    for few in (False, True):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(selectors, "_at_once", lambda s, c, few_=few, **_: original(s, c, few=few_))
            boards[few] = _direct(deep, user, unit)
    assert_same(boards[True], boards[False])
    assert boards[True]["checkin_people"] > 0


@pytest.mark.django_db
def test_the_hourly_job_stores_the_missing_parts_of_running_cycles(deep: Deep) -> None:
    from luodi.reports.tasks import refill_dashboard_parts

    assert refill_dashboard_parts.call_local() == 10  # five blocks, two kinds
    assert set(deep.stored()) == set(deep.stored("public")) == set(deep.blocks())
    assert refill_dashboard_parts.call_local() == 0  # all fresh: nothing to do
