"""The alignment map: shape, several parents, a parent in a longer cycle, hidden objectives,
the unaligned list and the unit filter."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from luodi.accounts.models import User
from luodi.okrs.models import Alignment, Objective
from luodi.okrs.permissions import viewer_for
from luodi.okrs.selectors import Clock
from luodi.okrs.services import key_result_create, objective_update
from luodi.orgs.choices import CycleState, Role, UnitKind
from luodi.orgs.models import Cycle, Organization, Unit
from luodi.orgs.services import cycle_create, member_add, unit_create
from luodi.reports.alignment import AlignmentForest
from luodi.reports.selectors import alignment_branch_of, alignment_forest_of, alignment_tree
from tests.conftest import make_objective

NOW = datetime(2026, 11, 19, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@dataclass
class Map:
    org: Organization
    owner: User
    lead: User  # leads Team A, manages rep
    rep: User  # in Team A
    peer: User  # in Ops, nobody's manager
    quarter: Cycle
    year: Cycle
    sales: Unit
    team: Unit
    ops: Unit
    o: dict[str, Objective]

    def tree(self, user: User, **kwargs: Any) -> dict[str, list[dict]]:
        fresh = User.objects.get(pk=user.pk)  # no permission cache from an earlier call
        return alignment_tree(
            organization=self.org,
            user=fresh,
            cycle=self.quarter,
            clock=Clock.for_org(self.org, NOW),
            **kwargs,
        )


@pytest.fixture
def world(org: Organization, owner: User) -> Map:
    quarter = cycle_create(
        organization=org,
        actor=owner,
        name="2026 Q4",
        start_date=date(2026, 10, 1),
        end_date=date(2026, 12, 31),
        state=CycleState.ACTIVE,
    )
    year = cycle_create(
        organization=org,
        actor=owner,
        name="2026",
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
        state=CycleState.ACTIVE,
    )
    hq = unit_create(organization=org, actor=owner, name="HQ", kind=UnitKind.COMPANY)
    sales = unit_create(
        organization=org, actor=owner, name="Sales", kind=UnitKind.DEPARTMENT, parent_id=hq.pk
    )
    ops = unit_create(
        organization=org, actor=owner, name="Ops", kind=UnitKind.DEPARTMENT, parent_id=hq.pk
    )
    team = unit_create(
        organization=org, actor=owner, name="Team A", kind=UnitKind.TEAM, parent_id=sales.pk
    )

    def person(email: str, unit: Unit, manager: User | None = None) -> User:
        return member_add(
            organization=org,
            actor=owner,
            email=email,
            name=email.split("@")[0],
            role=Role.MEMBER,
            unit=unit,
            manager=manager,
        ).user

    lead = person("lead@acme.example", team)
    rep = person("rep@acme.example", team, manager=lead)
    peer = person("peer@acme.example", ops)
    o: dict[str, Objective] = {}
    o["Y"] = make_objective(org, owner, year, title="Year: lead the market")
    o["C"] = make_objective(org, owner, quarter, title="Q4: win key accounts")
    rollup, _ = key_result_create(
        objective=o["C"], actor=owner, title="Departments roll up", kind="rollup"
    )
    o["C2"] = make_objective(org, owner, quarter, title="Q4: nobody below yet")
    o["S"] = make_objective(
        org,
        owner,
        quarter,
        title="Sales: grow",
        level="unit",
        unit_id=sales.pk,
        alignments=[
            {"parent_objective_id": o["C"].pk},
            {"parent_objective_id": o["Y"].pk, "type": "supports"},
        ],
    )
    o["T"] = make_objective(
        org,
        owner,
        quarter,
        title="Team A: close deals",
        level="unit",
        unit_id=team.pk,
        owner_id=lead.pk,
        alignments=[
            {"parent_key_result_id": rollup.pk},
            {"parent_objective_id": o["S"].pk},
        ],
    )
    o["I"] = make_objective(
        org,
        rep,
        quarter,
        title="Rep: ten demos",
        level="individual",
        alignments=[{"parent_objective_id": o["T"].pk}],
    )
    o["U"] = make_objective(org, peer, quarter, title="Peer: tidy the wiki", level="individual")
    o["P"] = make_objective(
        org,
        rep,
        quarter,
        title="Secret plan",
        level="individual",
        visibility="private",
        alignments=[{"parent_objective_id": o["T"].pk}],
    )
    o["Q"] = make_objective(
        org,
        rep,
        quarter,
        title="Rep: step of the plan",
        level="individual",
        alignments=[{"parent_objective_id": o["P"].pk}],
    )
    o["X"] = make_objective(
        org,
        owner,
        quarter,
        title="Dropped",
        level="unit",
        unit_id=sales.pk,
        alignments=[{"parent_objective_id": o["C"].pk}],
    )
    objective_update(objective=o["X"], actor=owner, state="cancelled")
    return Map(org, owner, lead, rep, peer, quarter, year, sales, team, ops, o)


def ids(nodes: list[dict]) -> list[int]:
    return [n["objective_id"] for n in nodes]


def child_ids(node: dict) -> list[int]:
    return ids(node["children"])


def find(nodes: list[dict], pk: int) -> dict:
    """The first node with this id, anywhere in the forest."""
    stack = list(nodes)
    while stack:
        node = stack.pop(0)
        if node["objective_id"] == pk:
            return node
        stack.extend(node["children"])
    raise AssertionError(f"{pk} not in the map")


def every_id(tree: dict[str, list[dict]]) -> set[int]:
    found: set[int] = set()
    stack = [*tree["roots"], *tree["unaligned"]]
    while stack:
        node = stack.pop()
        found.add(node["objective_id"])
        stack.extend(node["children"])
    return found


@pytest.mark.django_db
def test_three_levels_several_parents_and_a_yearly_parent(world: Map) -> None:
    o = world.o
    tree = world.tree(world.owner)
    # The yearly parent from the longer cycle first, then company objectives in order.
    assert ids(tree["roots"]) == [o["Y"].pk, o["C"].pk, o["C2"].pk]
    year, company, lonely = tree["roots"]
    assert year["cycle_id"] == world.year.pk
    assert child_ids(year) == [o["S"].pk]  # a supporting link shows too
    # T aligns to C's roll-up key result and to S: it appears under both.
    assert child_ids(company) == [o["S"].pk, o["T"].pk]
    sales = find([company], o["S"].pk)
    assert child_ids(sales) == [o["T"].pk]
    team = find([sales], o["T"].pk)
    assert child_ids(team) == [o["I"].pk, o["P"].pk]
    assert child_ids(find([team], o["P"].pk)) == [o["Q"].pk]
    assert child_ids(find([company], o["T"].pk)) == [o["I"].pk, o["P"].pk]
    assert lonely["children"] == []
    assert ids(tree["unaligned"]) == [o["U"].pk]
    assert o["X"].pk not in every_id(tree)  # cancelled objectives are off the map
    node = find(tree["roots"], o["I"].pk)
    assert node == {
        "objective_id": o["I"].pk,
        "cycle_id": world.quarter.pk,
        "title": "Rep: ten demos",
        "level": "individual",
        "unit_id": world.team.pk,
        "owner_id": world.rep.pk,
        "progress": None,
        "status": "not_started",
        "children": [],
    }


@pytest.mark.django_db
def test_a_private_objective_is_hidden_from_a_member_and_its_links_leak_nothing(
    world: Map,
) -> None:
    o = world.o
    tree = world.tree(world.peer)
    assert o["P"].pk not in every_id(tree)
    assert "Secret plan" not in json.dumps(tree)
    team = find(tree["roots"], o["T"].pk)
    assert child_ids(team) == [o["I"].pk]
    # Q's only parent is hidden: to this viewer it is simply unaligned.
    assert ids(tree["unaligned"]) == [o["U"].pk, o["Q"].pk]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["lead", "rep", "owner"])
def test_the_owner_and_the_owners_manager_see_the_private_objective(
    world: Map, persona: str
) -> None:
    o = world.o
    tree = world.tree(getattr(world, persona))
    private = find(tree["roots"], o["P"].pk)
    assert child_ids(private) == [o["Q"].pk]
    assert o["Q"].pk not in ids(tree["unaligned"])


@pytest.mark.django_db
def test_a_child_whose_parent_is_hidden_and_that_has_children_becomes_a_root(
    world: Map,
) -> None:
    o = world.o
    child = make_objective(
        world.org,
        world.rep,
        world.quarter,
        title="Below Q",
        level="individual",
        alignments=[{"parent_objective_id": o["Q"].pk}],
    )
    tree = world.tree(world.peer)
    assert o["Q"].pk in ids(tree["roots"])
    assert child_ids(find(tree["roots"], o["Q"].pk)) == [child.pk]


@pytest.mark.django_db
def test_unit_filter_keeps_the_subtree_and_the_path_above_it(world: Map) -> None:
    o = world.o
    tree = world.tree(world.owner, unit_id=world.team.pk)
    # Team A's objectives (T, and its people's: I, P, Q) and their ancestors (S, C, Y);
    # C2 and U are elsewhere.
    team_and_above = {o[k].pk for k in ("Y", "C", "S", "T", "I", "P", "Q")}
    assert every_id(tree) == team_and_above
    assert ids(tree["roots"]) == [o["Y"].pk, o["C"].pk]
    assert tree["unaligned"] == []
    company = tree["roots"][1]
    assert child_ids(company) == [o["S"].pk, o["T"].pk]
    assert child_ids(find(tree["roots"], o["P"].pk)) == [o["Q"].pk]


@pytest.mark.django_db
def test_unit_filter_leaves_out_children_from_other_units(world: Map) -> None:
    o = world.o
    outside = make_objective(
        world.org,
        world.peer,
        world.quarter,
        title="Ops helps Sales",
        level="individual",
        alignments=[{"parent_objective_id": o["S"].pk}],
    )
    tree = world.tree(world.owner, unit_id=world.sales.pk)
    assert outside.pk not in every_id(tree)
    assert child_ids(find(tree["roots"], o["S"].pk)) == [o["T"].pk]
    whole = world.tree(world.owner)
    assert child_ids(find(whole["roots"], o["S"].pk)) == [o["T"].pk, outside.pk]


@pytest.mark.django_db
def test_unit_filter_lists_only_the_units_unaligned_objectives(world: Map) -> None:
    o = world.o
    assert ids(world.tree(world.owner, unit_id=world.ops.pk)["unaligned"]) == [o["U"].pk]
    assert world.tree(world.owner, unit_id=world.sales.pk)["unaligned"] == []


@pytest.mark.django_db
def test_status_of_a_parent_in_another_cycle_is_measured_against_its_own_cycle(
    world: Map,
) -> None:
    tree = world.tree(world.owner)
    assert tree["roots"][0]["cycle_id"] == world.year.pk
    assert tree["roots"][0]["status"] == "not_started"


@pytest.mark.django_db
def test_an_outsider_sees_an_empty_map(world: Map, other_owner: User) -> None:
    tree = world.tree(other_owner)
    assert tree == {"roots": [], "unaligned": []}


@pytest.mark.django_db
def test_a_damaged_alignment_loop_is_cut_not_followed_forever(world: Map) -> None:
    o = world.o
    # Refused on write; written here behind the services' back.
    Alignment.objects.create(organization=world.org, child=o["C"], parent_objective=o["I"])
    tree = world.tree(world.owner)
    assert o["C"].pk not in ids(tree["roots"])  # it has a parent now
    text = json.dumps(tree)  # finite, and serializable
    assert "Q4: win key accounts" in text


# --- one branch, read level by level (the map's expand step) -----------------------------


def branch_of(world: Map, user: User, pk: int, depth: int) -> Any:
    fresh = User.objects.get(pk=user.pk)
    return alignment_branch_of(
        organization=world.org,
        user=fresh,
        cycle=world.quarter,
        objective_id=pk,
        depth=depth,
        clock=Clock.for_org(world.org, NOW),
    )


def forest_of(world: Map, user: User) -> AlignmentForest:
    fresh = User.objects.get(pk=user.pk)
    return alignment_forest_of(
        organization=world.org, user=fresh, cycle=world.quarter, clock=Clock.for_org(world.org, NOW)
    )


def below(kids: dict[int, list[int]], pk: int, depth: int) -> dict[int, list[int]]:
    """The children lists within `depth` links below pk, and those of the last level."""
    found: dict[int, list[int]] = {}
    level = [pk]
    for _step in range(depth + 1):
        level = [p for p in dict.fromkeys(level) if p not in found]
        for p in level:
            found[p] = kids[p]
        level = [c for p in level for c in kids[p]]
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["owner", "lead", "rep", "peer"])
@pytest.mark.parametrize("depth", [1, 2, 3])
def test_a_branch_read_level_by_level_is_the_forest_below_the_objective(
    world: Map, persona: str, depth: int
) -> None:
    """Same children, order, rows and statuses as the whole map, for every objective on it
    and every viewer; objectives off the map (hidden, cancelled, unaligned) have none."""
    user = getattr(world, persona)
    forest = forest_of(world, user)
    for pk in forest.kids:
        branch = branch_of(world, user, pk, depth)
        assert branch is not None, pk
        expected = below(forest.kids, pk, depth)
        assert {p: branch.kids[p] for p in expected} == expected
        for p in expected:
            assert branch.rows[p] == forest.rows[p]
            assert branch.status(p) == forest.status(p)
    for pk in {o.pk for o in world.o.values()} - set(forest.kids):
        assert branch_of(world, user, pk, depth) is None, pk


@pytest.mark.django_db
def test_a_branch_reads_a_fixed_number_of_queries(world: Map) -> None:
    o = world.o

    def count(pk: int) -> int:
        fresh = User.objects.get(pk=world.lead.pk)
        viewer_for(world.org, fresh)  # the viewer's permissions: counted elsewhere
        with CaptureQueriesContext(connection) as queries:
            alignment_branch_of(
                organization=world.org,
                user=fresh,
                cycle=world.quarter,
                objective_id=pk,
                depth=3,
                clock=Clock.for_org(world.org, NOW),
            )
        return len(queries)

    small = count(o["C"].pk)
    for index in range(5):  # more objectives below, and a level deeper
        mid = make_objective(
            world.org,
            world.owner,
            world.quarter,
            title=f"More {index}",
            level="unit",
            unit_id=world.team.pk,
            owner_id=world.lead.pk,
            alignments=[{"parent_objective_id": o["T"].pk}],
        )
        make_objective(
            world.org,
            world.rep,
            world.quarter,
            title=f"Deeper {index}",
            level="individual",
            alignments=[{"parent_objective_id": mid.pk}],
        )
    assert count(o["C"].pk) == small == 1 + 2 * 4  # the objective, two per level
