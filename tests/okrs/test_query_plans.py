"""Which index SQLite picks for one objective's key results.

SQLite keeps no statistics here (nobody runs ANALYZE), so it picks indexes by their shape.
A covering index that led with the organization once won for "the key results of objective
X in organization O" and read every key result of the organization (538,000 at 10,000
people: the objective page spent 3 × 80 ms in SQL). The dashboard's index leads with the
cycle so that only the objective index fits that question.
"""

from __future__ import annotations

import pytest
from django.db import connection

from luodi.okrs.models import KeyResult

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner only"),
]


def plan_of(queryset) -> str:  # type: ignore[no-untyped-def]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def test_one_objectives_key_results_are_read_by_the_objective_index(org):
    plan = plan_of(KeyResult.objects.filter(organization=org, objective_id=7).values("pk"))
    assert "key_result_cycle_status" not in plan, plan
    assert "objective" in plan, plan


def test_the_dashboards_pass_over_a_cycle_uses_the_covering_index(org, cycle):
    rows = (
        KeyResult.objects.filter(organization=org, cycle=cycle, state="active")
        .order_by()
        .values("pk", "owner_id", "progress", "last_confidence", "last_checkin_at")
    )
    assert "COVERING INDEX key_result_cycle_status (cycle_id=? AND state=?)" in plan_of(rows)
