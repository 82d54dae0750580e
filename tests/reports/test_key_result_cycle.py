"""Key results carry their objective's cycle (the dashboard reads a cycle's key results by
it): set when they are made, moved with the objective, checked by `luodi recompute`."""

from __future__ import annotations

from datetime import timedelta

import pytest

from luodi.accounts.models import User
from luodi.okrs.models import KeyResult
from luodi.okrs.rebuild import rebuild
from luodi.okrs.services import objective_update
from luodi.orgs.choices import CycleState
from luodi.orgs.models import Cycle, Organization
from luodi.orgs.services import cycle_create
from luodi.reports.selectors import dashboard
from tests.conftest import make_metric, make_objective


def _next_cycle(org: Organization, owner: User, cycle: Cycle) -> Cycle:
    return cycle_create(
        organization=org,
        actor=owner,
        name="Next quarter",
        start_date=cycle.end_date + timedelta(days=1),
        end_date=cycle.end_date + timedelta(days=91),
        state=CycleState.PLANNING,
    )


def _key_results_in(org: Organization, owner: User, cycle: Cycle) -> int:
    counts = dashboard(organization=org, user=owner, cycle=cycle)["status_counts"]
    return sum(n for key, n in counts.items() if key != "stale")


@pytest.mark.django_db
def test_a_key_result_follows_its_objective_to_another_cycle(
    org: Organization, owner: User, cycle: Cycle
) -> None:
    objective = make_objective(org, owner, cycle)
    kr = make_metric(objective, owner)
    assert kr.cycle_id == cycle.pk
    assert (_key_results_in(org, owner, cycle), _key_results_in(org, owner, cycle)) == (1, 1)
    later = _next_cycle(org, owner, cycle)

    objective_update(objective=objective, actor=owner, cycle_id=later.pk)

    assert KeyResult.objects.get(pk=kr.pk).cycle_id == later.pk
    assert _key_results_in(org, owner, cycle) == 0
    assert _key_results_in(org, owner, later) == 1
    assert rebuild(organization=org, write=False).differences == []


@pytest.mark.django_db
def test_recompute_finds_and_repairs_a_wrong_cycle(
    org: Organization, owner: User, cycle: Cycle
) -> None:
    kr = make_metric(make_objective(org, owner, cycle), owner)
    later = _next_cycle(org, owner, cycle)
    KeyResult.objects.filter(pk=kr.pk).update(cycle_id=later.pk)  # as a bad import would

    found = rebuild(organization=org, write=False).differences
    assert [(d.pk, d.field, d.stored, d.rebuilt) for d in found] == [
        (kr.pk, "cycle_id", later.pk, cycle.pk)
    ]
    rebuild(organization=org, write=True)
    assert KeyResult.objects.get(pk=kr.pk).cycle_id == cycle.pk
    assert rebuild(organization=org, write=False).differences == []
