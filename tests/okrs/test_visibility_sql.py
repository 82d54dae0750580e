"""`visible_objectives_q` shows what `can_see_objective` allows, with SQL whose size does not
depend on how many people a manager has or how many units a leader leads."""

from __future__ import annotations

import dataclasses
from itertools import product
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from luodi.accounts.models import User
from luodi.okrs.choices import Level, ObjectiveState, Visibility
from luodi.okrs.models import Objective
from luodi.okrs.permissions import Viewer, can_see_objective, viewer_for, visible_objectives_q
from luodi.orgs.choices import Role, UnitKind
from luodi.orgs.models import Cycle, Membership, Organization, Unit
from luodi.orgs.selectors import reports_below
from luodi.orgs.services import member_add, unit_create

pytestmark = pytest.mark.django_db


def person(org: Organization, owner: User, name: str, **fields: Any) -> User:
    fields.setdefault("role", Role.MEMBER)
    return member_add(
        organization=org, actor=owner, email=f"{name}@acme.example", name=name, **fields
    ).user


def unit(org: Organization, owner: User, name: str, **fields: Any) -> Unit:
    fields.setdefault("kind", UnitKind.TEAM)
    return unit_create(organization=org, actor=owner, name=name, **fields)


@pytest.fixture
def world(org: Organization, owner: User, cycle: Cycle) -> dict[str, Any]:
    """A company with two departments, a management chain boss → mid → worker → intern,
    and one objective per (owner, unit, visibility, state) combination."""
    boss = person(org, owner, "boss")
    mid = person(org, owner, "mid", manager=boss)
    worker = person(org, owner, "worker", manager=mid)
    intern = person(org, owner, "intern", manager=worker)
    outsider = person(org, owner, "outsider")
    reader = person(org, owner, "reader", role=Role.VIEWER)
    company = unit(org, owner, "Acme", kind=UnitKind.COMPANY, leader_id=owner.pk)
    sales = unit(org, owner, "Sales", parent_id=company.pk, leader_id=boss.pk)
    east = unit(org, owner, "East", parent_id=sales.pk, leader_id=mid.pk)
    support = unit(org, owner, "Support", parent_id=company.pk, leader_id=outsider.pk)
    for user, home in ((mid, east), (worker, east), (intern, east), (reader, support)):
        Membership.objects.filter(organization=org, user=user).update(unit=home)
    owners = [boss, mid, worker, intern, outsider]
    for index, (who, where, visibility, state) in enumerate(
        product(owners, [None, sales, east, support], Visibility.values, ObjectiveState.values)
    ):
        Objective.objects.create(
            organization=org,
            cycle=cycle,
            title=f"O{index}",
            level=Level.INDIVIDUAL if where is None else Level.UNIT,
            unit=where,
            owner=who,
            visibility=visibility,
            state=state,
        )
    people = {"owner": owner, "reader": reader} | {u.name: u for u in owners}
    return {"people": people, "org": org, "cycle": cycle, "sales": sales}


def visible_ids(org: Organization, viewer: Viewer) -> set[int]:
    objectives = Objective.objects.filter(organization=org).filter(visible_objectives_q(viewer))
    return set(objectives.values_list("pk", flat=True))


def test_the_filter_matches_the_rule_for_every_viewer(world: dict[str, Any]) -> None:
    org = world["org"]
    everything = list(Objective.objects.filter(organization=org))
    for name, user in world["people"].items():
        viewer = viewer_for(org, user)
        allowed = {o.pk for o in everything if can_see_objective(viewer, o)}
        assert visible_ids(org, viewer) == allowed, name
        # The same set as filtering by the id lists themselves.
        as_lists = dataclasses.replace(viewer, organization_id=None)
        assert visible_ids(org, as_lists) == allowed, name


def test_reports_are_read_down_the_whole_chain(world: dict[str, Any]) -> None:
    org, people = world["org"], world["people"]
    viewer = viewer_for(org, people["boss"])
    assert viewer.report_ids == {people["mid"].pk, people["worker"].pk, people["intern"].pk}
    assert viewer.report_ids == reports_below(organization=org, manager_id=people["boss"].pk)
    assert viewer.led_unit_ids == {world["sales"].pk, world["sales"].children.get().pk}


def test_a_management_loop_ends(world: dict[str, Any]) -> None:
    """Services refuse loops; the read still ends if one is in the data."""
    org, people = world["org"], world["people"]
    Membership.objects.filter(organization=org, user=people["boss"]).update(
        manager=people["intern"]
    )
    for name in ("boss", "worker"):
        user = User.objects.get(pk=people[name].pk)  # a fresh permission cache
        viewer = viewer_for(org, user)
        assert viewer.report_ids == reports_below(organization=org, manager_id=user.pk)
        everything = Objective.objects.filter(organization=org)
        assert visible_ids(org, viewer) == {
            o.pk for o in everything if can_see_objective(viewer, o)
        }


def test_the_sql_does_not_grow_with_reports_or_led_units(world: dict[str, Any]) -> None:
    org, people = world["org"], world["people"]

    def compiled(user: User) -> tuple[str, int]:
        viewer = viewer_for(org, User.objects.get(pk=user.pk))
        sql, params = Objective.objects.filter(visible_objectives_q(viewer)).query.sql_with_params()
        return sql, len(params)

    before = compiled(people["boss"])
    owner = people["owner"]
    sales = world["sales"]
    for index in range(30):
        person(org, owner, f"extra{index}", manager=people["intern"])
        unit(org, owner, f"Branch {index}", parent_id=sales.pk)
    after = compiled(people["boss"])
    assert len(viewer_for(org, User.objects.get(pk=people["boss"].pk)).report_ids) == 33
    assert after == before


def test_admins_skip_the_management_chain(world: dict[str, Any], admin: User) -> None:
    org = world["org"]
    with CaptureQueriesContext(connection) as as_admin:
        viewer = viewer_for(org, admin)
    assert viewer.report_ids == frozenset()
    assert not any("orgs_membership" in q["sql"] and "chain" in q["sql"] for q in as_admin)
    with CaptureQueriesContext(connection) as as_member:
        viewer_for(org, world["people"]["boss"])
    assert len(as_member) == len(as_admin) + 1  # who the member manages
