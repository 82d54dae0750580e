"""Bugs found in services the API team may not change (okrs/services.py,
okrs/key_result_rules.py, checkins/services.py). Each test states the behaviour we expect
and is xfail(strict=True): it starts failing — as a reminder to drop the mark — once the
bug is fixed. The API guards against each one meanwhile (see the comments)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from luodi.checkins.services import IdempotencyConflict, checkin_submit
from luodi.okrs.models import Alignment, Milestone
from luodi.okrs.services import key_result_create, objective_create
from tests.api.conftest import World


@pytest.mark.django_db
@pytest.mark.xfail(
    strict=True,
    reason="okrs.services._initial_state silently turns an unknown or disallowed requested "
    "state ('exploded', 'closed') into 'active' instead of a field error on `state`. "
    "The API accepts only draft|active in its schema.",
)
def test_objective_create_refuses_an_unknown_state(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        objective_create(
            organization=world.org,
            actor=world.member,
            cycle_id=world.cycle.pk,
            title="Odd",
            level="individual",
            state="exploded",
        )
    assert "state" in caught.value.message_dict


@pytest.mark.django_db
@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="okrs.key_result_rules._clean_milestones accepts any weight below 10^17, but "
    "Milestone.weight holds 8 integer digits and 4 decimals: a weight of 10^15 fails at "
    "save with decimal.InvalidOperation (a 500 without the API's guard, which answers 422).",
)
def test_milestone_weight_too_large_is_a_field_error(world: World) -> None:
    try:
        key_result_create(
            objective=world.member_objective,
            actor=world.member,
            title="Steps",
            kind="milestone",
            milestones=[{"title": "a", "weight": Decimal("1e15")}],
        )
    except ValidationError as exc:
        assert "milestones[0].weight" in exc.message_dict
    except Exception as exc:  # decimal.InvalidOperation today
        raise AssertionError(f"not a ValidationError: {exc!r}") from exc
    else:
        raise AssertionError("accepted")
    assert not Milestone.objects.exists()


@pytest.mark.django_db
@pytest.mark.xfail(
    strict=True,
    reason="checkins.services.checkin_submit replays an Idempotency-Key even when the retry "
    "targets another key result, returning that other key result's check-in as if it were "
    "this one's. It should refuse (IdempotencyConflict or a field error). The API answers 409.",
)
def test_an_idempotency_key_is_not_replayed_on_another_key_result(world: World) -> None:
    checkin_submit(key_result=world.member_kr, actor=world.owner, value=1, idempotency_key="same")
    with pytest.raises((IdempotencyConflict, ValidationError)):
        checkin_submit(
            key_result=world.company_kr, actor=world.owner, value=1, idempotency_key="same"
        )


@pytest.mark.django_db
@pytest.mark.xfail(
    strict=True,
    reason="okrs.alignments.validate_alignments does not check decimal places: a weight of "
    "0.00001 is stored as 0.0000 (the column keeps 4 places), silently turning a "
    "contributing link into one that does not count.",
)
def test_alignment_weight_with_too_many_decimals_is_refused(world: World) -> None:
    try:
        objective_create(
            organization=world.org,
            actor=world.member,
            cycle_id=world.cycle.pk,
            title="Tiny",
            level="individual",
            alignments=[
                {"parent_objective_id": world.company_objective.pk, "weight": Decimal("0.00001")}
            ],
        )
    except ValidationError:
        return
    assert Alignment.objects.get(child__title="Tiny").weight == Decimal("0.00001")
