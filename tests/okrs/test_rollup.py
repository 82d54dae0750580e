"""Roll-up along the alignment chain, through the services and checkin_submit.

Every scenario ends with `assert_consistent(org)`: the chain path must leave exactly what a
full rebuild from the check-ins computes, so a parent never keeps stale progress after a
child changed.
"""

from __future__ import annotations

import random
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from luodi.okrs.models import Objective
from luodi.okrs.rebuild import rebuild
from luodi.okrs.services import (
    key_result_delete,
    key_result_update,
    objective_delete,
    objective_update,
)
from luodi.orgs.services import organization_update, unit_create
from tests.okrs.factories import (
    assert_consistent,
    check_in,
    contributes,
    key_result,
    objective,
    progress_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(org, owner):
    company = unit_create(organization=org, actor=owner, name="Acme", kind="company")
    dept = unit_create(
        organization=org, actor=owner, name="Sales", kind="department", parent_id=company.pk
    )
    team = unit_create(organization=org, actor=owner, name="East", kind="team", parent_id=dept.pk)
    return company, dept, team


def test_rollup_through_four_levels(org, owner, member, cycle, units):
    """individual → team → department → company, the department feeding a roll-up KR."""
    _company_unit, dept_unit, team_unit = units
    company = objective(org, owner, cycle, "Lead the market")
    company_rollup = key_result(company, owner, "rollup", title="Departments deliver")
    company_metric = key_result(company, owner, start=Decimal(0), target=Decimal(4))
    dept = objective(
        org,
        owner,
        cycle,
        "Sales grows",
        level="unit",
        unit_id=dept_unit.pk,
        alignments=[contributes(company_rollup)],
    )
    team = objective(
        org,
        owner,
        cycle,
        "East grows",
        level="unit",
        unit_id=team_unit.pk,
        alignments=[contributes(dept, weight=2)],
    )
    sibling = objective(
        org,
        owner,
        cycle,
        "West grows",
        level="unit",
        unit_id=team_unit.pk,
        alignments=[contributes(dept, weight=1)],
    )
    key_result(sibling, owner)  # no check-in yet: counts as 0 in the department
    mine = objective(
        org,
        member,
        cycle,
        "My deals",
        level="individual",
        alignments=[contributes(team)],
    )
    deals = key_result(mine, member, start=Decimal(0), target=Decimal(10))

    assert progress_of(company) == 0.0  # two KRs, none with progress yet
    assert progress_of(dept) == 0.0
    check_in(deals, member, "5")

    assert progress_of(deals) == 0.5
    assert progress_of(mine) == 0.5
    assert progress_of(team) == 0.5
    assert progress_of(sibling) == 0.0
    assert progress_of(dept) == pytest.approx(1 / 3)
    assert progress_of(company_rollup) == pytest.approx(1 / 3)
    assert progress_of(company) == pytest.approx(1 / 6)
    check_in(company_metric, owner, "4")
    assert progress_of(company) == pytest.approx((1 / 3 + 1) / 2)
    for node in (mine, team, dept, company):
        assert node.last_checkin_at is not None
    assert_consistent(org)


def test_a_child_with_two_parents_moves_both(org, owner, member, cycle):
    first = objective(org, owner, cycle, "Parent one")
    second = objective(org, owner, cycle, "Parent two")
    second_rollup = key_result(second, owner, "rollup")
    child = objective(
        org,
        member,
        cycle,
        "Matrix child",
        level="individual",
        alignments=[contributes(first), contributes(second_rollup, weight=3)],
    )
    kr = key_result(child, member)

    check_in(kr, member, "8")

    assert progress_of(first) == 0.8
    assert progress_of(second_rollup) == 0.8
    assert progress_of(second) == 0.8
    assert_consistent(org)


def test_weights_on_alignments_and_key_results(org, owner, cycle):
    parent = objective(org, owner, cycle, "Parent")
    heavy = key_result(parent, owner, title="Heavy", weight=Decimal(3))
    light = key_result(parent, owner, title="Light", weight=Decimal(1))
    shown = key_result(parent, owner, title="Shown only", weight=Decimal(0))
    check_in(heavy, owner, "10")
    check_in(shown, owner, "0")
    assert progress_of(parent) == 0.75  # 3 × 1 + 1 × 0 over 4; the zero weight not counted
    check_in(light, owner, "10")
    assert progress_of(parent) == 1.0

    child = objective(org, owner, cycle, "Child", alignments=[contributes(parent, weight=4)])
    key_result(child, owner)
    assert progress_of(parent) == pytest.approx(4 / 8)
    objective_update(objective=child, actor=owner, alignments=[contributes(parent, weight=0)])
    assert progress_of(parent) == 1.0
    assert_consistent(org)


def test_realigning_moves_progress_from_the_old_to_the_new_parent(org, owner, cycle):
    old = objective(org, owner, cycle, "Old parent")
    new = objective(org, owner, cycle, "New parent")
    new_kr = key_result(new, owner)
    child = objective(org, owner, cycle, "Child", alignments=[contributes(old)])
    kr = key_result(child, owner)
    check_in(kr, owner, "6")
    assert progress_of(old) == 0.6
    assert progress_of(new) == 0.0

    objective_update(objective=child, actor=owner, alignments=[contributes(new)])

    assert progress_of(old) is None  # nothing left to average
    assert progress_of(new) == 0.3
    check_in(new_kr, owner, "10")
    assert progress_of(new) == 0.8
    assert_consistent(org)


def test_realigning_from_a_rollup_key_result_to_an_objective(org, owner, cycle):
    top = objective(org, owner, cycle, "Top")
    rollup = key_result(top, owner, "rollup")
    other = objective(org, owner, cycle, "Other")
    child = objective(org, owner, cycle, "Child", alignments=[contributes(rollup)])
    check_in(key_result(child, owner), owner, "10")
    assert progress_of(top) == 1.0

    objective_update(objective=child, actor=owner, alignments=[contributes(other)])

    assert progress_of(rollup) is None
    assert progress_of(top) == 0.0  # its roll-up KR has no progress: counts as 0
    assert progress_of(other) == 1.0
    assert_consistent(org)


def test_supports_links_do_not_count(org, owner, cycle):
    parent = objective(org, owner, cycle, "Parent")
    rollup = key_result(parent, owner, "rollup")
    plain = key_result(parent, owner, title="Plain")
    child = objective(
        org,
        owner,
        cycle,
        "Supporter",
        alignments=[contributes(parent, type="supports"), contributes(plain, type="supports")],
    )
    check_in(key_result(child, owner), owner, "10")
    assert progress_of(parent) == 0.0
    assert progress_of(rollup) is None
    assert_consistent(org)


def test_draft_children_do_not_count_until_approved(org, owner, member, cycle):
    organization_update(organization=org, actor=owner, requires_approval=True)
    parent = objective(org, owner, cycle, "Parent")
    check_in(key_result(parent, owner), owner, "10")
    draft = objective(
        org, member, cycle, "Draft", level="individual", alignments=[contributes(parent)]
    )
    assert draft.state == "draft"
    key_result(draft, member)
    assert progress_of(parent) == 1.0

    objective_update(objective=draft, actor=owner, state="active")

    assert progress_of(parent) == 0.5
    assert_consistent(org)


def test_cancelled_children_stop_counting_and_count_again(org, owner, cycle):
    parent = objective(org, owner, cycle, "Parent")
    child = objective(org, owner, cycle, "Child", alignments=[contributes(parent)])
    check_in(key_result(child, owner), owner, "4")
    assert progress_of(parent) == 0.4

    objective_update(objective=child, actor=owner, state="cancelled")
    assert progress_of(parent) is None
    assert_consistent(org)

    objective_update(objective=child, actor=owner, state="active")
    assert progress_of(parent) == 0.4
    objective_update(objective=child, actor=owner, state="closed")
    assert progress_of(parent) == 0.4  # closed objectives keep counting
    assert_consistent(org)


def test_cancelled_key_results_do_not_count(org, owner, cycle):
    parent = objective(org, owner, cycle, "Parent")
    child = objective(org, owner, cycle, "Child", alignments=[contributes(parent)])
    done = key_result(child, owner, title="Done")
    behind = key_result(child, owner, title="Behind")
    check_in(done, owner, "10")
    assert progress_of(child) == 0.5

    key_result_update(key_result=behind, actor=owner, state="cancelled")

    assert progress_of(child) == 1.0
    assert progress_of(parent) == 1.0
    key_result_update(key_result=done, actor=owner, state="cancelled")
    assert progress_of(child) is None
    assert progress_of(parent) == 0.0  # a child without progress counts as 0
    assert_consistent(org)


def test_deleting_a_key_result_updates_the_chain(org, owner, cycle):
    parent = objective(org, owner, cycle, "Parent")
    child = objective(org, owner, cycle, "Child", alignments=[contributes(parent)])
    keep = key_result(child, owner, title="Keep")
    drop = key_result(child, owner, title="Drop")
    check_in(keep, owner, "10")
    assert progress_of(parent) == 0.5

    key_result_delete(key_result=drop, actor=owner)

    assert progress_of(child) == 1.0
    assert progress_of(parent) == 1.0
    assert_consistent(org)


def test_deleting_an_objective_updates_its_parents(org, owner, cycle):
    top = objective(org, owner, cycle, "Top")
    rollup = key_result(top, owner, "rollup")
    middle = objective(org, owner, cycle, "Middle", alignments=[contributes(rollup)])
    staying = objective(org, owner, cycle, "Staying", alignments=[contributes(middle)])
    leaving = objective(org, owner, cycle, "Leaving", alignments=[contributes(middle)])
    check_in(key_result(staying, owner), owner, "2")
    check_in(key_result(leaving, owner), owner, "10")
    below = objective(org, owner, cycle, "Below leaving", alignments=[contributes(leaving)])
    check_in(key_result(below, owner), owner, "5")
    assert progress_of(middle) == pytest.approx((0.2 + 0.75) / 2)

    objective_delete(objective=leaving, actor=owner)

    assert progress_of(middle) == pytest.approx(0.2)
    assert progress_of(rollup) == pytest.approx(0.2)
    assert progress_of(top) == pytest.approx(0.2)
    assert progress_of(below) == 0.5  # the orphan keeps its own progress
    assert_consistent(org)


def test_changing_a_target_moves_the_parents(org, owner, cycle):
    parent = objective(org, owner, cycle, "Parent")
    child = objective(org, owner, cycle, "Child", alignments=[contributes(parent)])
    kr = key_result(child, owner)
    check_in(kr, owner, "5")
    assert progress_of(parent) == 0.5

    key_result_update(key_result=kr, actor=owner, target=Decimal(20), reason="Bigger market")

    assert progress_of(kr) == 0.25
    assert progress_of(parent) == 0.25
    assert_consistent(org)


def test_backdated_check_in_keeps_the_latest_value(org, owner, cycle):
    parent = objective(org, owner, cycle, "Parent")
    child = objective(org, owner, cycle, "Child", alignments=[contributes(parent)])
    kr = key_result(child, owner)
    latest = check_in(kr, owner, "7")
    check_in(kr, owner, "2", at=latest.created_at.replace(year=latest.created_at.year - 1))

    assert progress_of(kr) == 0.7
    assert progress_of(parent) == 0.7
    kr.refresh_from_db()
    assert kr.checkin_count == 2
    assert kr.last_checkin_at == latest.created_at
    assert_consistent(org)


def _updates_to(table: str, queries: list[dict]) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith(f'UPDATE "{table}"')]


def _updated_ids(sql: str) -> set[int]:
    """The ids an UPDATE's WHERE names (`id IN (…)`; `id IS NULL` names none)."""
    listed = re.search(r'"id" IN \(([^)]*)\)$', sql)
    return {int(pk) for pk in listed.group(1).split(", ")} if listed else set()


def test_a_check_in_touches_only_its_chain(org, owner, cycle):
    """O(depth): the writes and the number of queries do not depend on unrelated objectives."""
    top = objective(org, owner, cycle, "Top")
    middle = objective(org, owner, cycle, "Middle", alignments=[contributes(top)])
    leaf = objective(org, owner, cycle, "Leaf", alignments=[contributes(middle)])
    kr = key_result(leaf, owner)
    unrelated = objective(org, owner, cycle, "Unrelated", alignments=[contributes(top)])
    check_in(key_result(unrelated, owner), owner, "3")
    check_in(kr, owner, "1")
    # The value every measured check-in repeats: the status stays, so each one tells the
    # followers the same things (a status change would add its own notification).
    check_in(kr, owner, "4")

    def measure() -> tuple[int, list[dict]]:
        before = Objective.objects.get(pk=unrelated.pk)
        with CaptureQueriesContext(connection) as ctx:
            check_in(kr, owner, "4")
        after = Objective.objects.get(pk=unrelated.pk)
        assert (after.updated_at, after.progress) == (before.updated_at, before.progress)
        return len(ctx.captured_queries), ctx.captured_queries

    count, queries = measure()
    objective_updates = _updates_to("okrs_objective", queries)
    assert len(objective_updates) == 1  # one statement for the whole chain
    assert _updated_ids(objective_updates[0]) == {leaf.pk, middle.pk, top.pk}
    # The key result's own row, then the chain's roll-up key results (none changed here).
    key_result_updates = _updates_to("okrs_keyresult", queries)
    assert len(key_result_updates) == 2
    assert _updated_ids(key_result_updates[1]) == set()

    for index in range(15):
        extra = objective(org, owner, cycle, f"Noise {index}", alignments=[contributes(top)])
        key_result(extra, owner)
    assert measure()[0] == count
    assert progress_of(top) == pytest.approx((0.4 + 0.3) / 17)
    assert_consistent(org)


OPERATIONS = (
    "check_in",
    "check_in",
    "check_in",
    "backdated",
    "realign",
    "state",
    "kr_state",
    "weight",
    "target",
    "add_kr",
    "delete_kr",
)


def _random_step(rng, org, owner, objectives, rollups, metrics) -> str:
    operation = rng.choice(OPERATIONS)
    if operation in ("check_in", "backdated"):
        kr = rng.choice(metrics)
        kr.refresh_from_db()
        if kr.state == "active" and kr.objective.state in ("active", "closed"):
            at = None
            if operation == "backdated" and kr.last_checkin_at is not None:
                at = kr.last_checkin_at - timedelta(hours=rng.randint(1, 100))
            check_in(kr, owner, str(rng.randint(-2, 12)), at=at)
    elif operation == "realign":
        index = rng.randrange(2, len(objectives))
        parents = rng.sample(objectives[:index] + rollups, rng.randint(0, 2))
        kinds = ["contributes", "contributes", "supports"]
        links = [
            contributes(p, weight=rng.choice([0, 1, 2]), type=rng.choice(kinds)) for p in parents
        ]
        objective_update(objective=objectives[index], actor=owner, alignments=links)
    elif operation == "state":
        objective_update(
            objective=rng.choice(objectives[1:]),
            actor=owner,
            state=rng.choice(["active", "active", "cancelled", "closed", "draft"]),
        )
    elif operation == "kr_state":
        key_result_update(
            key_result=rng.choice(metrics + rollups),
            actor=owner,
            state=rng.choice(["active", "active", "cancelled"]),
        )
    elif operation == "weight":
        kr = rng.choice(metrics + rollups)
        key_result_update(key_result=kr, actor=owner, weight=Decimal(rng.randint(0, 3)))
    elif operation == "target":
        kr = rng.choice(metrics)
        key_result_update(
            key_result=kr, actor=owner, target=Decimal(rng.randint(11, 30)), reason="re-plan"
        )
    elif operation == "add_kr":
        metrics.append(key_result(rng.choice(objectives), owner, title="Added"))
    elif len(metrics) > 3:
        key_result_delete(key_result=metrics.pop(rng.randrange(len(metrics))), actor=owner)
    return operation


@pytest.mark.parametrize("seed", range(8))
def test_random_edits_never_leave_stale_progress(org, owner, cycle, seed):
    """Random check-ins (some backdated), re-alignments, state, weight and target changes,
    added and deleted key results on a small forest: after every step the stored progress
    equals a full rebuild."""
    rng = random.Random(seed)
    objectives = [objective(org, owner, cycle, f"O{i}") for i in range(6)]
    rollups = [key_result(o, owner, "rollup", title=f"R{i}") for i, o in enumerate(objectives[:2])]
    metrics = [key_result(o, owner, title=f"K{i}") for i, o in enumerate(objectives)]
    for step in range(30):
        operation = _random_step(rng, org, owner, objectives, rollups, metrics)
        differences = rebuild(organization=org, write=False).differences
        assert [str(d) for d in differences] == [], (seed, step, operation)


def test_nested_rollup_key_results(org, owner, cycle):
    """C → roll-up KR of B → B → roll-up KR of A → A: two roll-up KRs in one chain."""
    a = objective(org, owner, cycle, "A")
    a_rollup = key_result(a, owner, "rollup", weight=Decimal(3))
    key_result(a, owner, "boolean", weight=Decimal(1))
    b = objective(org, owner, cycle, "B", alignments=[contributes(a_rollup)])
    b_rollup = key_result(b, owner, "rollup")
    c = objective(org, owner, cycle, "C", alignments=[contributes(b_rollup, weight=2)])
    check_in(key_result(c, owner, "boolean"), owner, done=True)

    assert progress_of(b_rollup) == 1.0
    assert progress_of(b) == 1.0
    assert progress_of(a_rollup) == 1.0
    assert progress_of(a) == 0.75
    a.refresh_from_db()
    assert a.last_checkin_at is not None
    assert_consistent(org)


def test_turning_a_rollup_key_result_into_a_metric_stops_the_roll_up(org, owner, cycle):
    """Decided: contributing links to a key result that stops being a roll-up stay on the
    map but no longer count; the key result starts over from its (absent) check-ins."""
    parent = objective(org, owner, cycle, "Parent")
    rollup = key_result(parent, owner, "rollup")
    child = objective(org, owner, cycle, "Child", alignments=[contributes(rollup)])
    check_in(key_result(child, owner), owner, "10")
    assert progress_of(parent) == 1.0

    key_result_update(
        key_result=rollup,
        actor=owner,
        kind="metric",
        start=Decimal(0),
        target=Decimal(5),
        reason="Measured directly now",
    )

    rollup.refresh_from_db()
    assert (rollup.progress, rollup.last_checkin_at) == (None, None)
    assert progress_of(parent) == 0.0
    assert_consistent(org)

    key_result_update(key_result=rollup, actor=owner, kind="rollup", reason="Back again")
    assert progress_of(parent) == 1.0
    assert_consistent(org)
