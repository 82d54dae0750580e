# ruff: noqa: F811 (the `small` and `deep` fixtures are imported, then named by the test)
"""Property: after any short sequence of real edits (check-ins, new objectives, weight
changes, cancellations), the dashboard composed from stored parts equals the dashboard
computed at once, for every viewer and scope.

Isolation between examples: hypothesis runs every example against the one `deep`
organization the function-scoped fixture built, so each example runs inside a savepoint
(`transaction.atomic` + `set_rollback(True)`) that is rolled back at its end: every
example starts from the same `deep` state with its parts filled. Each step runs in its
own savepoint too, so a step the services refuse leaves nothing behind. Model instances
are read afresh from the database for every step (services edit them in place, and a
user caches its viewer).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from luodi.accounts.models import User
from luodi.checkins.services import checkin_submit
from luodi.okrs.models import KeyResult, Objective
from luodi.okrs.services import key_result_update, objective_update
from luodi.orgs.models import Membership
from luodi.reports import parts
from tests.conftest import make_metric, make_objective
from tests.reports.test_dashboard import small  # noqa: F401 (fixture)
from tests.reports.test_parts import (  # noqa: F401 (fixtures)
    T1,
    Deep,
    _board,
    _direct,
    _fill,
    _inline_limit,
    assert_same,
    deep,
)

SCOPES = (None, "Sales", "Ops", "Team A", "Squad")
MEMBERS = ("alice", "bob", "carol", "dave")

index = st.integers(min_value=0, max_value=1000)
checkin = st.tuples(
    st.just("checkin"),
    index,
    st.integers(min_value=0, max_value=12),
    st.none() | st.integers(min_value=1, max_value=10),
)
new_objective = st.tuples(
    st.just("objective"),
    st.sampled_from(MEMBERS),
    st.sampled_from(["organization", "unit", "private"]),
    st.sampled_from(["individual", "unit"]),
    st.none() | index,
)
weight = st.tuples(st.just("weight"), index, st.integers(min_value=0, max_value=5))
cancel = st.tuples(st.just("cancel"), index)
steps = st.lists(st.one_of(checkin, new_objective, weight, cancel), min_size=2, max_size=6)


def _user(deep: Deep, name: str) -> User:
    return User.objects.get(memberships__organization=deep.org, name=name)


def _objectives(deep: Deep) -> list[Objective]:
    return list(Objective.objects.filter(organization=deep.org, cycle=deep.cycle).order_by("pk"))


def _key_results(deep: Deep) -> list[KeyResult]:
    return list(
        KeyResult.objects.filter(objective__organization=deep.org, objective__cycle=deep.cycle)
        .select_related("objective")
        .order_by("pk")
    )


def _apply(deep: Deep, step: tuple) -> str:
    """Carry out one step; returns what was done (or why it was refused)."""
    kind = step[0]
    admin = User.objects.get(pk=deep.owner.pk)
    if kind == "checkin":
        _, i, value, confidence = step
        krs = _key_results(deep)
        kr = krs[i % len(krs)]
        actor = User.objects.get(pk=kr.owner_id or deep.owner.pk)
        checkin_submit(key_result=kr, actor=actor, value=str(value), confidence=confidence, at=T1)
        return f"check-in {kr.title}={value} c={confidence} by {actor.name}"
    if kind == "objective":
        _, name, visibility, level, parent = step
        member = _user(deep, name)
        unit_id = Membership.objects.get(organization=deep.org, user=member).unit_id
        fields: dict[str, Any] = {"visibility": visibility, "owner_id": member.pk}
        if level == "unit":
            actor, fields["unit_id"] = admin, unit_id
        else:
            actor = member
        if parent is not None:
            objectives = _objectives(deep)
            fields["alignments"] = [
                {"parent_objective_id": objectives[parent % len(objectives)].pk}
            ]
        objective = make_objective(deep.org, actor, deep.cycle, title="new", level=level, **fields)
        make_metric(
            objective, actor, target="10", title=f"kr of {objective.pk}", owner_id=member.pk
        )
        return f"objective {level}/{visibility} of {name} aligned={fields.get('alignments')}"
    if kind == "weight":
        _, i, new = step
        krs = _key_results(deep)
        kr = krs[i % len(krs)]
        key_result_update(key_result=kr, actor=admin, weight=Decimal(new))
        return f"weight {kr.title}={new}"
    _, i = step
    objectives = _objectives(deep)
    objective = objectives[i % len(objectives)]
    objective_update(objective=objective, actor=admin, state="cancelled")
    return f"cancel {objective.title}"


def _check(deep: Deep, capture: Any, done: list[str]) -> None:
    """Every viewer and scope: the dashboard as a request computes it (from parts when
    `parts.compose` can) equals the one computed at once."""
    for name in ("admin", "carol", "alice", "dave"):
        viewer = deep.owner if name == "admin" else _user(deep, name)
        for scope in SCOPES:
            context = f"after {done}, viewer {name}, scope {scope or 'org'}"
            # a background fill runs as it would after the request: the next views compose
            with capture(execute=True):
                first = _board(deep, viewer, scope)
            direct = _direct(deep, viewer, scope)
            try:
                assert_same(first, direct)
            except AssertionError as error:
                raise AssertionError(f"{context}: {error}") from error


@pytest.mark.django_db
@settings(
    max_examples=8,  # each step views 20 viewer/scope pairs twice: ~60 s on SQLite
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
def test_composed_equals_direct_after_any_edits(
    deep: Deep, django_capture_on_commit_callbacks: Any, steps: list[tuple]
) -> None:
    composed: list[bool] = []  # per view: did `parts.compose` serve it?
    compose = parts.compose

    def recording(**kwargs: Any) -> Any:
        result = compose(**kwargs)
        composed.append(result is not None)
        return result

    with transaction.atomic(), pytest.MonkeyPatch.context() as mp:
        mp.setattr(parts, "compose", recording)
        _fill(deep)
        done: list[str] = []
        for step in steps:
            try:
                with transaction.atomic():
                    done.append(_apply(deep, step))
            except (ValidationError, PermissionDenied) as error:
                done.append(f"refused {step[0]}: {error}")
                continue
            _check(deep, django_capture_on_commit_callbacks, done)
        transaction.set_rollback(True)
    if any(not d.startswith("refused") for d in done):
        assert any(composed), "no view was composed from parts: the property tested nothing"
