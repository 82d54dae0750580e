"""propagate() runs the same statements whatever the chain: every write path pays a fixed
number of queries for the roll-up, however tall and wide the alignment graph above it."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from luodi.okrs import engine
from luodi.okrs.models import Alignment, KeyResult, Objective
from tests.okrs.factories import assert_consistent, check_in, contributes, key_result, objective

pytestmark = pytest.mark.django_db

# Chain, objectives (locked on PostgreSQL), key results, children, one UPDATE per table,
# then the dashboard parts' progress counters (units, organization for objectives without
# a unit); PostgreSQL also locks the chain's key results and the units.
PROPAGATE_QUERIES = 8 + (2 if connection.vendor == "postgresql" else 0)


@pytest.fixture
def graph(org, owner, cycle):
    """top ← (two middles, one through top's roll-up KR) ← leaf, plus a lone objective."""
    top = objective(org, owner, cycle, "Top")
    rollup = key_result(top, owner, "rollup")
    left = objective(org, owner, cycle, "Left", alignments=[contributes(top)])
    right = objective(
        org, owner, cycle, "Right", alignments=[contributes(rollup), contributes(top)]
    )
    leaf = objective(org, owner, cycle, "Leaf", alignments=[contributes(left), contributes(right)])
    metric = key_result(leaf, owner)
    lone = objective(org, owner, cycle, "Lone")
    check_in(metric, owner, "5")
    return {"top": top, "rollup": rollup, "leaf": leaf, "metric": metric, "lone": lone}


START_NODES = {
    "a lone objective": lambda g: {"objective_ids": {g["lone"].pk}},
    "the top": lambda g: {"objective_ids": {g["top"].pk}},
    "a leaf under a diamond": lambda g: {"objective_ids": {g["leaf"].pk}},
    "a roll-up key result": lambda g: {"key_result_ids": {g["rollup"].pk}},
    "several start nodes": lambda g: {
        "objective_ids": {g["leaf"].pk, g["lone"].pk},
        "key_result_ids": {g["metric"].pk, g["rollup"].pk},
    },
}


@pytest.mark.parametrize("start", START_NODES.values(), ids=START_NODES.keys())
def test_propagate_runs_a_fixed_number_of_queries(graph, start, django_assert_num_queries):
    with django_assert_num_queries(PROPAGATE_QUERIES):
        engine.propagate(**start(graph))


def test_nothing_to_propagate_costs_nothing(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        engine.propagate(objective_ids=set(), key_result_ids=set())


def _update_targets(queries: list[dict]) -> list[str]:
    return [
        re.search(r'WHERE ("\w+"\."id" .*)$', q["sql"]).group(1)  # type: ignore[union-attr]
        for q in queries
        if q["sql"].startswith(('UPDATE "okrs_objective"', 'UPDATE "okrs_keyresult"'))
    ]


def test_an_unchanged_chain_writes_no_row(graph):
    with CaptureQueriesContext(connection) as captured:
        engine.propagate(objective_ids={graph["leaf"].pk})

    assert _update_targets(captured.captured_queries) == [
        '"okrs_objective"."id" IS NULL',
        '"okrs_keyresult"."id" IS NULL',
    ]
    # The leaf's unit is still marked: the write that led here (a check-in) changed it.
    assert any(q["sql"].startswith('UPDATE "orgs_unit"') for q in captured.captured_queries)


def test_the_chain_is_walked_through_objectives_and_rollup_key_results(graph):
    chain = engine.collect_chain([graph["leaf"].pk], [graph["metric"].pk])

    ids = {name: graph[name].pk for name in ("top", "rollup", "leaf", "metric")}
    assert ("k", ids["metric"]) in chain.nodes
    assert chain.parents[("k", ids["rollup"])] == {("o", ids["top"])}
    assert len(chain.ids("o")) == 4  # leaf, left, right, top; not the lone objective
    order = chain.bottom_up()
    assert order.index(("o", ids["leaf"])) < order.index(("k", ids["rollup"]))
    assert order[-1] == ("o", ids["top"])


def test_links_to_key_results_that_are_not_roll_ups_are_not_followed(org, owner, cycle):
    parent = objective(org, owner, cycle, "Parent")
    metric = key_result(parent, owner)
    child = objective(org, owner, cycle, "Child")
    # Written directly: the services refuse contributing links to a metric.
    Alignment.objects.create(organization=org, child=child, parent_key_result=metric)

    chain = engine.collect_chain([child.pk], [])

    assert chain.nodes == {("o", child.pk)}


def test_a_cycle_in_stored_links_ends_the_walk(org, owner, cycle):
    """The services refuse cycles; the walk must still end if one was stored."""
    first = objective(org, owner, cycle, "First")
    second = objective(org, owner, cycle, "Second", alignments=[contributes(first)])
    Alignment.objects.create(organization=org, child=first, parent_objective=second)

    chain = engine.collect_chain([second.pk], [])
    engine.propagate(objective_ids={second.pk})

    assert chain.nodes == {("o", first.pk), ("o", second.pk)}


def test_a_deleted_start_key_result_is_ignored(graph, owner):
    missing = KeyResult.objects.order_by("-pk").first().pk + 1  # type: ignore[union-attr]
    engine.propagate(key_result_ids={missing}, objective_ids={graph["leaf"].pk})
    assert_consistent(graph["leaf"].organization)


def test_a_changed_node_is_written_and_its_parents_read_the_new_value(graph, owner):
    Objective.objects.filter(pk=graph["top"].pk).update(progress=0.99)
    KeyResult.objects.filter(pk=graph["rollup"].pk).update(raw_progress=0.5, progress=0.5)

    engine.propagate(objective_ids={graph["leaf"].pk})

    assert_consistent(graph["top"].organization)
