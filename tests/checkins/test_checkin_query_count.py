"""A check-in costs the same SQL queries whatever its alignment chain and its organization.

The progress engine finds the chain with one recursive query, loads every input at once and
writes one UPDATE per table, so neither the chain's height and width nor the number of
objectives, people and check-ins around it changes the count.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from luodi.accounts.models import User
from luodi.okrs.models import KeyResult, Objective
from luodi.orgs.models import Cycle, Organization
from luodi.orgs.services import member_add
from tests.api.conftest import Api
from tests.okrs.factories import assert_consistent, check_in, contributes, key_result, objective

pytestmark = pytest.mark.django_db

# PostgreSQL also locks the chain's key results and units (SELECT … FOR NO KEY UPDATE);
# SQLite's IMMEDIATE transactions serialize writers without it. The chain's objectives are
# locked by the query that reads them, on both.
LOCKS = 2 if connection.vendor == "postgresql" else 0
# Savepoint, key result (locked), contributors, key result update, check-in insert, chain,
# objectives, key results, children, objectives update, key results update, the units'
# and the organization's progress counters (reports.parts), release.
# Then what the objective's followers hear (collab.checkin_events): the phases (the status
# before), the followers, and the channels of each event — "checked in" and, as in these
# check-ins, "status changed". Nobody but the actor follows here, so no inbox rows.
SERVICE_QUERIES = 14 + 4 + LOCKS
# Token, organization, the caller's membership and the units (who may see what), the key
# result with its phases, milestones and contributors (the lookup), then the service's.
API_QUERIES = 8 + SERVICE_QUERIES


def build_chain(
    org: Organization, owner: User, cycle: Cycle, *, levels: int, width: int
) -> tuple[KeyResult, list[Objective]]:
    """`levels` rows of `width` objectives. Each objective below the top contributes to
    every objective of the row above and to the roll-up key result of its first one; the
    metric returned belongs to the first objective of the bottom row."""
    rows: list[list[Objective]] = []
    rollup: KeyResult | None = None
    for level in range(levels):
        links = [contributes(parent) for parent in rows[-1]] if rows else []
        if rollup is not None:
            links.append(contributes(rollup, weight=2))
        row = [
            objective(org, owner, cycle, f"Level {level} #{i}", alignments=links)
            for i in range(width)
        ]
        rollup = key_result(row[0], owner, "rollup", title=f"Level {level} roll-up")
        rows.append(row)
    kr = key_result(rows[-1][0], owner, title="Deals")
    check_in(kr, owner, "1")  # every node has progress already; the next check-in moves it
    return kr, [o for row in rows for o in row]


def add_noise(org: Organization, owner: User, cycle: Cycle, count: int) -> None:
    """Unrelated people, objectives (some aligned to each other) and check-ins."""
    top = objective(org, owner, cycle, "Unrelated top")
    for i in range(count):
        member_add(organization=org, actor=owner, email=f"noise{i}@acme.example", manager=owner)
        below = objective(org, owner, cycle, f"Unrelated {i}", alignments=[contributes(top)])
        check_in(key_result(below, owner), owner, str(i % 10))


def service_queries(kr: KeyResult, owner: User, value: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        check_in(kr, owner, value)
    return len(captured), [q["sql"] for q in captured.captured_queries]


SHAPES = {
    "one objective, no parent": {"levels": 1, "width": 1},
    "two levels": {"levels": 2, "width": 1},
    "five levels, three parents each": {"levels": 5, "width": 3},
}


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_a_check_in_costs_the_same_queries_whatever_the_chain(org, owner, cycle, shape):
    kr, chain = build_chain(org, owner, cycle, **shape)

    count, statements = service_queries(kr, owner, "4")

    assert count == SERVICE_QUERIES, "\n".join(statements)
    top = chain[0]
    top.refresh_from_db()
    assert top.progress is not None
    assert_consistent(org)


def test_the_chain_moves_however_tall_and_wide(org, owner, cycle):
    kr, chain = build_chain(org, owner, cycle, levels=5, width=3)
    check_in(kr, owner, "10")
    top = chain[0]
    top.refresh_from_db()
    assert top.progress is not None and top.progress > 0
    assert_consistent(org)


def test_a_check_in_costs_the_same_queries_in_a_bigger_organization(org, owner, cycle):
    kr, _chain = build_chain(org, owner, cycle, levels=3, width=2)
    small, _ = service_queries(kr, owner, "2")

    add_noise(org, owner, cycle, 12)
    # The chain itself grows too: more parents for its bottom objective's siblings.
    build_chain(org, owner, cycle, levels=4, width=2)
    bigger, statements = service_queries(kr, owner, "3")

    assert small == bigger == SERVICE_QUERIES, "\n".join(statements)
    assert_consistent(org)


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_the_check_in_endpoint_costs_the_same_queries_whatever_the_chain(
    org, owner, cycle, shape, django_assert_num_queries
):
    kr, _chain = build_chain(org, owner, cycle, **shape)
    api = Api(owner)
    path = f"/orgs/{org.slug}/key-results/{kr.pk}/check-ins"
    api.post(path, {"value": "2"})  # the token's last-used stamp is written once a minute

    with django_assert_num_queries(API_QUERIES):
        response = api.post(path, {"value": "3", "confidence": 6})

    assert response.status_code == 201, response.content
    assert_consistent(org)


def test_a_backdated_check_in_rebuilds_its_key_result_and_still_moves_the_chain(org, owner, cycle):
    kr, _chain = build_chain(org, owner, cycle, levels=3, width=2)
    latest = check_in(kr, owner, "6")
    check_in(kr, owner, "2", at=latest.created_at.replace(year=latest.created_at.year - 1))

    kr.refresh_from_db()
    assert kr.current == Decimal(6)  # the latest value stands
    assert kr.checkin_count == 3
    assert_consistent(org)
