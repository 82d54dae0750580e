"""The insights read a cycle in a fixed number of queries: five times the organization,
the same count."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from luodi.accounts.models import User
from luodi.okrs.models import Objective
from luodi.okrs.selectors import Clock
from luodi.orgs.choices import CycleState
from luodi.orgs.models import Cycle
from luodi.orgs.services import cycle_create, organization_create
from luodi.reports import parts
from luodi.reports.selectors import alignment_tree, dashboard
from tests.conftest import make_user
from tests.reports.factories import Population, populate

NOW = datetime(2026, 11, 19, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
# Three of them work out a member's permissions (membership, unit tree, reports); an
# admin's take two (no manager links to read).
MEMBER, ADMIN = 3, 2
ALIGNMENT_QUERIES = MEMBER + 4  # in-cycle objectives, parents elsewhere, links, their cycles
# Every dashboard part stored (reports.parts), the trend not yet: units (with their
# progress counters), the report versions, the stored parts, the stored trend;
# then the trend's sweep (version, weights, key results, links, check-ins, clear, store).
# On PostgreSQL the sweep runs in a savepoint with JIT off: three statements more.
# test_dashboard_stored.py counts the warm load.
DASHBOARD_QUERIES = ADMIN + 4 + 7
if connection.vendor == "postgresql":
    DASHBOARD_QUERIES += 3
# A member after the owner: units, report versions, the stored parts for everyone; then
# what the member sees beyond them (objectives by unit, the key result pass, the phased,
# the listed rows), the visibility of parents only some see, the stored trend (shared)
# and the trend's restricted objectives (private or unit-only) that the member sees.
DASHBOARD_SHARED_QUERIES = MEMBER + 10


def build(size: int, slug: str) -> tuple[Any, Cycle, User, User, Population]:
    owner = make_user(f"owner@{slug}.example")
    org = organization_create(name=slug, slug=slug, owner=owner)
    quarter = cycle_create(
        organization=org,
        actor=owner,
        name="Q4",
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
    population = populate(org, owner, quarter, people=size, year=year, now=NOW)
    member = population.users[1]  # a team member with a manager, seeing some private work
    return org, quarter, owner, member, population


def count(call: Callable[[User], Any], user: User) -> int:
    fresh = User.objects.get(pk=user.pk)  # permissions are cached per user object
    with CaptureQueriesContext(connection) as queries:
        call(fresh)
    return len(queries)


def counts_for(size: int, slug: str) -> tuple[int, dict[str, int]]:
    """(number of objectives, queries per call) for an organization of this many people."""
    org, cycle, owner, member, population = build(size, slug)
    unit = population.departments[0].pk
    clock = Clock.for_org(org, NOW)
    calls: dict[str, Callable[[User], Any]] = {
        "alignment": lambda u: alignment_tree(organization=org, user=u, cycle=cycle, clock=clock),
        "alignment unit": lambda u: alignment_tree(
            organization=org, user=u, cycle=cycle, unit_id=unit, clock=clock
        ),
        "dashboard": lambda u: dashboard(organization=org, user=u, cycle=cycle, clock=clock),
        "dashboard unit": lambda u: dashboard(
            organization=org, user=u, cycle=cycle, unit_id=unit, clock=clock
        ),
    }
    # An admin's dashboard is summed from stored parts (reports.parts), which a background
    # task fills after a first view: counted here with every part stored, as it is but for
    # the first view of a day. test_parts.py counts the other paths.
    parts.fill(org, cycle, clock)
    counts = {
        f"{name} as {persona}": count(call, user)
        for name, call in calls.items()
        for persona, user in (("owner", owner), ("member", member))
    }
    board = dashboard(organization=org, user=owner, cycle=cycle, clock=clock)
    # Every path is exercised: check-ins this week, a trend that moved.
    assert board["checkin_done"] > 0 and board["trend"][-1]["progress"] > 0
    return Objective.objects.filter(organization=org).count(), counts


@pytest.mark.django_db
def test_query_counts_do_not_grow_with_the_organization() -> None:
    small_size, small = counts_for(8, "small")
    large_size, large = counts_for(40, "large")
    assert large_size >= 4 * small_size
    assert small == large
    assert small["alignment as owner"] == ALIGNMENT_QUERIES - MEMBER + ADMIN
    assert small["alignment unit as member"] == ALIGNMENT_QUERIES + 1  # the unit tree
    assert small["dashboard as owner"] == DASHBOARD_QUERIES
    assert small["dashboard unit as member"] == DASHBOARD_SHARED_QUERIES


@pytest.mark.django_db
def test_a_large_synthetic_organization_is_consistent() -> None:
    """The trend's last point is the stored progress, for every viewer and scope, on the
    synthetic organization (drafts, cancellations, private work, roll-ups, two cycles)."""
    org, cycle, owner, member, population = build(40, "large")
    clock = Clock.for_org(org, NOW)
    for user in (owner, member):
        for unit in (None, population.departments[0].pk, population.units[-1].pk):
            fresh = User.objects.get(pk=user.pk)
            board = dashboard(organization=org, user=fresh, cycle=cycle, unit_id=unit, clock=clock)
            assert board["trend"][-1]["progress"] == pytest.approx(board["progress"])
