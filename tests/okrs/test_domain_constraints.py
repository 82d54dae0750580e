"""Domain constraints: what the services refuse, with a field error and nothing written."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from luodi.checkins.models import CheckIn, IdempotencyRecord
from luodi.checkins.services import checkin_submit
from luodi.okrs.models import KeyResult, Milestone, Objective, Revision
from luodi.okrs.services import key_result_update, objective_update
from luodi.orgs.services import cycle_create, cycle_update, organization_update
from tests.okrs.factories import assert_consistent, check_in, key_result, objective, progress_of

pytestmark = pytest.mark.django_db


def fields_of(exc: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return sorted(exc.value.message_dict)


# --- cycles and weights ----------------------------------------------------------------------


@pytest.mark.parametrize("days", [0, -1])
def test_a_cycle_ends_after_it_starts(org, owner, cycle, days):
    with pytest.raises(ValidationError) as exc:
        cycle_create(
            organization=org,
            actor=owner,
            name="Backwards",
            start_date=cycle.start_date,
            end_date=cycle.start_date + timedelta(days=days),
        )
    assert fields_of(exc) == ["end_date"]
    with pytest.raises(ValidationError):
        cycle_update(cycle=cycle, actor=owner, end_date=cycle.start_date)


def test_the_database_refuses_a_backwards_cycle_too(org, cycle):
    cycle.end_date = cycle.start_date
    with pytest.raises(IntegrityError), transaction.atomic():
        cycle.save()


def test_weights_are_not_negative(org, owner, cycle):
    obj = objective(org, owner, cycle)
    with pytest.raises(ValidationError) as exc:
        objective_update(objective=obj, actor=owner, weight=Decimal(-1))
    assert fields_of(exc) == ["weight"]
    with pytest.raises(ValidationError) as exc:
        key_result(obj, owner, weight=Decimal("-0.5"))
    assert fields_of(exc) == ["weight"]
    with pytest.raises(ValidationError) as exc:
        key_result(obj, owner, "milestone", milestones=[{"title": "a", "weight": -1}])
    assert fields_of(exc) == ["milestones[0].weight"]
    with pytest.raises(ValidationError) as exc:
        key_result(obj, owner, "milestone", milestones=[{"title": "a", "weight": 0}])
    assert fields_of(exc) == ["milestones"]
    key_result(obj, owner, weight=Decimal(0))  # zero is allowed: shown, not counted
    assert not KeyResult.objects.filter(weight__lt=0).exists()


# --- kind-specific fields --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "fields", "field"),
    [
        ("metric", {"start": None}, "start"),
        ("metric", {"target": None}, "target"),
        ("metric", {"start": "ten"}, "start"),
        ("metric", {"target": "NaN"}, "target"),
        ("metric", {"target": "Infinity"}, "target"),
        ("metric", {"target": "1e17"}, "target"),
        ("metric", {"target": "0.1234567"}, "target"),
        ("threshold", {"target": None}, "target"),
        ("threshold", {"direction": "increase"}, "direction"),
        ("milestone", {"milestones": []}, "milestones"),
        ("milestone", {"milestones": [{"title": ""}]}, "milestones[0].title"),
        ("percentage", {"start": Decimal(-1)}, "start"),
        ("percentage", {"target": Decimal(101)}, "target"),
        ("boolean", {"direction": "increase"}, "direction"),
        ("boolean", {"milestones": [{"title": "x"}]}, "milestones"),
        ("guess", {}, "kind"),
    ],
)
def test_kind_specific_fields_are_required(org, owner, cycle, kind, fields, field):
    obj = objective(org, owner, cycle)
    with pytest.raises(ValidationError) as exc:
        key_result(obj, owner, kind, **fields)
    assert fields_of(exc) == [field]
    assert not KeyResult.objects.exists()


@pytest.mark.parametrize(
    ("start", "target", "direction"),
    [(0, 10, "decrease"), (10, 0, "increase"), (0, 10, "at_least")],
)
def test_direction_contradicting_start_and_target_is_refused(
    org, owner, cycle, start, target, direction
):
    obj = objective(org, owner, cycle)
    with pytest.raises(ValidationError) as exc:
        key_result(obj, owner, start=Decimal(start), target=Decimal(target), direction=direction)
    assert fields_of(exc) == ["direction"]


def test_direction_follows_start_and_target(org, owner, cycle):
    obj = objective(org, owner, cycle)
    assert key_result(obj, owner, start=Decimal(5), target=Decimal(2)).direction == "decrease"
    assert key_result(obj, owner, start=Decimal(2), target=Decimal(5)).direction == "increase"
    held = key_result(obj, owner, start=Decimal(3), target=Decimal(3), direction="decrease")
    assert held.direction == "decrease"


def test_moving_the_target_below_the_start_re_derives_the_direction(org, owner, cycle):
    """Decided: a direction that was only implied follows new start/target values; a
    direction given in the same change must still agree with them."""
    kr = key_result(objective(org, owner, cycle), owner, start=Decimal(0), target=Decimal(10))
    check_in(kr, owner, "-2")

    kr = key_result_update(key_result=kr, actor=owner, target=Decimal(-4), reason="Cost metric")

    assert kr.direction == "decrease"
    assert kr.progress == 0.5
    with pytest.raises(ValidationError) as exc:
        key_result_update(
            key_result=kr, actor=owner, target=Decimal(4), direction="decrease", reason="x"
        )
    assert fields_of(exc) == ["direction"]
    assert_consistent(org)


def test_changing_the_kind_before_any_check_in(org, owner, cycle):
    kr = key_result(objective(org, owner, cycle), owner, start=Decimal(0), target=Decimal(10))

    kr = key_result_update(key_result=kr, actor=owner, kind="boolean")
    assert (kr.kind, kr.direction) == ("boolean", "")
    kr = key_result_update(
        key_result=kr, actor=owner, kind="threshold", target=Decimal(3), reason="A floor"
    )
    assert (kr.kind, kr.direction) == ("threshold", "at_least")
    check_in(kr, owner, "4")
    with pytest.raises(ValidationError) as exc:
        key_result_update(key_result=kr, actor=owner, kind="metric", start=Decimal(0))
    assert fields_of(exc) == ["kind"]
    assert_consistent(org)


def test_phases_must_fall_inside_the_period(org, owner, cycle):
    obj = objective(org, owner, cycle)
    for day in (cycle.start_date - timedelta(days=1), cycle.end_date + timedelta(days=1)):
        with pytest.raises(ValidationError) as exc:
            key_result(obj, owner, phases=[{"date": day, "target": 5}])
        assert fields_of(exc) == ["phases[0].date"]
    with pytest.raises(ValidationError) as exc:
        key_result(obj, owner, phases=[{"date": "next week", "target": 5}])
    assert fields_of(exc) == ["phases[0].date"]
    middle = cycle.start_date + timedelta(days=20)
    with pytest.raises(ValidationError) as exc:
        key_result(obj, owner, phases=[{"date": middle, "target": 5}] * 2)
    assert fields_of(exc) == ["phases"]
    with pytest.raises(ValidationError) as exc:
        key_result(obj, owner, "boolean", phases=[{"date": middle, "target": 1}])
    assert fields_of(exc) == ["phases"]
    own_dates = {"start_date": middle, "due_date": middle + timedelta(days=10)}
    with pytest.raises(ValidationError) as exc:
        key_result(
            obj, owner, phases=[{"date": cycle.start_date + timedelta(1), "target": 5}], **own_dates
        )
    assert fields_of(exc) == ["phases[0].date"]
    kr = key_result(obj, owner, phases=[{"date": middle.isoformat(), "target": "4"}])
    assert [(p.date, p.target) for p in kr.phases.all()] == [(middle, Decimal(4))]


def test_due_date_after_start_date(org, owner, cycle):
    obj = objective(org, owner, cycle)
    with pytest.raises(ValidationError) as exc:
        key_result(obj, owner, start_date=cycle.end_date, due_date=cycle.start_date)
    assert fields_of(exc) == ["due_date"]


# --- where check-ins are refused -------------------------------------------------------------


def assert_nothing_written(kr: KeyResult) -> None:
    before = (kr.checkin_count, kr.current, kr.progress, kr.last_checkin_at)
    kr.refresh_from_db()
    assert (kr.checkin_count, kr.current, kr.progress, kr.last_checkin_at) == before
    assert not CheckIn.objects.filter(key_result=kr).exists()
    assert not IdempotencyRecord.objects.exists()


def test_no_check_ins_on_a_closed_cycle(org, owner, cycle):
    kr = key_result(objective(org, owner, cycle), owner)
    cycle_update(cycle=cycle, actor=owner, state="closed")
    with pytest.raises(ValidationError) as exc:
        checkin_submit(key_result=kr, actor=owner, value="5", idempotency_key="k1")
    assert fields_of(exc) == ["key_result"]
    assert_nothing_written(kr)


def test_no_check_ins_on_a_cancelled_key_result(org, owner, cycle):
    kr = key_result(objective(org, owner, cycle), owner)
    kr = key_result_update(key_result=kr, actor=owner, state="cancelled")
    with pytest.raises(ValidationError) as exc:
        checkin_submit(key_result=kr, actor=owner, value="5")
    assert fields_of(exc) == ["key_result"]
    assert_nothing_written(kr)


@pytest.mark.parametrize("state", ["draft", "cancelled"])
def test_no_check_ins_on_draft_or_cancelled_objectives(org, owner, cycle, state):
    obj = objective(org, owner, cycle)
    kr = key_result(obj, owner)
    objective_update(objective=obj, actor=owner, state=state)
    with pytest.raises(ValidationError) as exc:
        checkin_submit(key_result=kr, actor=owner, value="5")
    assert fields_of(exc) == ["key_result"]
    assert_nothing_written(kr)


def test_a_members_draft_takes_no_check_ins(org, owner, member, cycle):
    organization_update(organization=org, actor=owner, requires_approval=True)
    draft = objective(org, member, cycle, "Mine", level="individual")
    kr = key_result(draft, member)
    with pytest.raises(ValidationError):
        checkin_submit(key_result=kr, actor=member, value="5")
    assert_nothing_written(kr)


def test_no_check_ins_on_a_rollup_key_result(org, owner, cycle):
    kr = key_result(objective(org, owner, cycle), owner, "rollup")
    with pytest.raises(ValidationError) as exc:
        checkin_submit(key_result=kr, actor=owner, value="5", done=True)
    assert fields_of(exc) == ["key_result"]
    assert_nothing_written(kr)


# --- bad payloads ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "value"),
        ({"value": ""}, "value"),
        ({"value": "abc"}, "value"),
        ({"value": "NaN"}, "value"),
        ({"value": float("nan")}, "value"),
        ({"value": "-Infinity"}, "value"),
        ({"value": float("inf")}, "value"),
        ({"value": "1e30"}, "value"),
        ({"value": True}, "value"),
        ({"value": [5]}, "value"),
        ({"value": "5", "confidence": 11}, "confidence"),
        ({"value": "5", "confidence": -1}, "confidence"),
        ({"value": "5", "confidence": 7.5}, "confidence"),
        ({"value": "5", "confidence": "7"}, "confidence"),
        ({"value": "5", "confidence": True}, "confidence"),
        ({"value": "5", "note": "x" * 10001}, "note"),
    ],
)
def test_bad_metric_payloads_write_nothing(org, owner, cycle, payload, field):
    kr = key_result(objective(org, owner, cycle), owner)
    with pytest.raises(ValidationError) as exc:
        checkin_submit(key_result=kr, actor=owner, **payload)
    assert fields_of(exc) == [field]
    assert_nothing_written(kr)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "done"),
        ({"done": "yes"}, "done"),
        ({"value": "abc"}, "value"),
    ],
)
def test_bad_boolean_payloads_write_nothing(org, owner, cycle, payload, field):
    kr = key_result(objective(org, owner, cycle), owner, "boolean")
    with pytest.raises(ValidationError) as exc:
        checkin_submit(key_result=kr, actor=owner, **payload)
    assert fields_of(exc) == [field]
    assert_nothing_written(kr)


def test_bad_milestone_payloads_write_nothing(org, owner, cycle):
    obj = objective(org, owner, cycle)
    kr = key_result(obj, owner, "milestone")
    other = key_result(obj, owner, "milestone")
    foreign = Milestone.objects.filter(key_result=other).first().pk
    own = Milestone.objects.filter(key_result=kr).first().pk
    for ids in (None, "1,2", [own, 987654], [foreign], [own, True], [str(own)]):
        with pytest.raises(ValidationError) as exc:
            checkin_submit(key_result=kr, actor=owner, milestone_ids_done=ids)
        assert fields_of(exc) == ["milestone_ids_done"]
    assert_nothing_written(kr)
    assert not Milestone.objects.filter(done=True).exists()


# --- exact values ----------------------------------------------------------------------------


def test_money_amounts_are_exact_decimals(org, owner, cycle):
    """0.1 + 0.2 is 0.3: values are decimals end to end, so the target is reached exactly."""
    kr = key_result(
        objective(org, owner, cycle), owner, start=Decimal(0), target=Decimal("0.3"), unit="¥M"
    )

    checkin = check_in(kr, owner, Decimal("0.1") + Decimal("0.2"))

    kr.refresh_from_db()
    checkin.refresh_from_db()
    assert kr.current == Decimal("0.3")
    assert checkin.value == Decimal("0.3")
    assert kr.raw_progress == 1.0
    assert kr.progress == 1.0
    assert_consistent(org)


def test_a_float_sum_from_a_client_reaches_the_target(org, owner, cycle):
    """Decided: values keep 6 decimal places. A float such as 0.1 + 0.2 =
    0.30000000000000004 is rounded to 0.300000 before anything is computed, so the key
    result is done and what is stored is what the progress was computed from."""
    kr = key_result(objective(org, owner, cycle), owner, start=Decimal(0), target=Decimal("0.3"))

    check_in(kr, owner, 0.1 + 0.2)

    kr.refresh_from_db()
    assert kr.current == Decimal("0.3")
    assert kr.raw_progress == 1.0
    assert_consistent(org)


def test_more_than_six_decimals_are_rounded_before_progress_is_computed(org, owner, cycle):
    kr = key_result(
        objective(org, owner, cycle), owner, start=Decimal(1), target=Decimal("1.000002")
    )

    checkin = check_in(kr, owner, "1.0000014")

    kr.refresh_from_db()
    checkin.refresh_from_db()
    assert kr.current == Decimal("1.000001")
    assert kr.raw_progress == 0.5
    assert checkin.progress == 0.5
    assert_consistent(org)


def test_large_values_keep_their_digits(org, owner, cycle):
    """On PostgreSQL every one of the 24 digits is kept. SQLite keeps numeric columns to 15
    significant digits (its REAL storage), which covers money up to a trillion in cents;
    beyond that SQLite rounds — left open in the report, not the engine's to fix."""
    from django.db import connection

    if connection.vendor == "postgresql":
        target, value = "99999999999999999.999999", "12345678901234567.123456"
    else:
        target, value = "999999999999.99", "123456789012.34"
    kr = key_result(objective(org, owner, cycle), owner, start=Decimal(0), target=Decimal(target))

    check_in(kr, owner, value)

    kr.refresh_from_db()
    assert kr.current == Decimal(value)
    assert CheckIn.objects.get(key_result=kr).value == Decimal(value)
    assert progress_of(kr) == pytest.approx(float(Decimal(value) / Decimal(target)))
    assert_consistent(org)


def test_nothing_is_half_written_when_a_later_step_fails(org, owner, cycle, monkeypatch):
    obj = objective(org, owner, cycle)
    kr = key_result(obj, owner)
    revisions = Revision.objects.count()
    progress = progress_of(obj)

    def boom(**_kwargs):
        raise RuntimeError("propagation failed")

    monkeypatch.setattr("luodi.okrs.engine.propagate", boom)
    with pytest.raises(RuntimeError):
        checkin_submit(key_result=kr, actor=owner, value="5")
    with pytest.raises(RuntimeError):
        key_result_update(key_result=kr, actor=owner, title="Renamed")

    assert_nothing_written(kr)
    assert kr.title == "metric result"
    assert Revision.objects.count() == revisions
    assert Objective.objects.get(pk=obj.pk).progress == progress
