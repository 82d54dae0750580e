"""Which alignments are allowed: no cycles, no self-links, no other organization's or
invisible parents, contributions only into roll-up key results, no duplicates."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from luodi.okrs.models import Alignment
from luodi.okrs.services import objective_update
from luodi.orgs.services import cycle_create
from tests.okrs.factories import (
    assert_consistent,
    check_in,
    contributes,
    key_result,
    objective,
    progress_of,
)

pytestmark = pytest.mark.django_db


def link_errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_two_step_cycle_is_refused(org, owner, cycle):
    a = objective(org, owner, cycle, "A")
    b = objective(org, owner, cycle, "B", alignments=[contributes(a)])

    with pytest.raises(ValidationError) as exc:
        objective_update(objective=a, actor=owner, alignments=[contributes(b)])

    assert "alignments" in link_errors(exc)
    assert not Alignment.objects.filter(child=a).exists()


def test_three_step_cycle_is_refused(org, owner, cycle):
    a = objective(org, owner, cycle, "A")
    b = objective(org, owner, cycle, "B", alignments=[contributes(a)])
    c = objective(org, owner, cycle, "C", alignments=[contributes(b)])

    with pytest.raises(ValidationError) as exc:
        objective_update(objective=a, actor=owner, alignments=[contributes(c)])

    assert "alignments" in link_errors(exc)


def test_cycle_through_a_key_result_is_refused(org, owner, cycle):
    a = objective(org, owner, cycle, "A")
    a_rollup = key_result(a, owner, "rollup")
    b = objective(org, owner, cycle, "B", alignments=[contributes(a_rollup)])
    b_rollup = key_result(b, owner, "rollup")

    with pytest.raises(ValidationError):
        objective_update(objective=a, actor=owner, alignments=[contributes(b_rollup)])
    with pytest.raises(ValidationError):
        objective_update(objective=a, actor=owner, alignments=[contributes(a_rollup)])


def test_cycle_through_a_supports_link_is_refused_too(org, owner, cycle):
    """The spec refuses alignment cycles; a loop on the map is refused whatever its type."""
    a = objective(org, owner, cycle, "A")
    b = objective(org, owner, cycle, "B", alignments=[contributes(a, type="supports")])

    with pytest.raises(ValidationError):
        objective_update(objective=a, actor=owner, alignments=[contributes(b)])


def test_self_alignment_is_refused(org, owner, cycle):
    a = objective(org, owner, cycle, "A")

    with pytest.raises(ValidationError) as exc:
        objective_update(objective=a, actor=owner, alignments=[contributes(a)])

    assert link_errors(exc) == {"alignments[0]": ["An objective cannot align to itself."]}


def test_parent_in_another_organization_is_a_field_error_that_leaks_nothing(
    org, owner, cycle, other_org, other_owner, other_cycle
):
    theirs = objective(other_org, other_owner, other_cycle, "Their secret plan")
    theirs_rollup = key_result(theirs, other_owner, "rollup")
    mine = objective(org, owner, cycle, "Mine")

    for spec in (contributes(theirs), contributes(theirs_rollup)):
        with pytest.raises(ValidationError) as exc:
            objective_update(objective=mine, actor=owner, alignments=[spec])
        errors = link_errors(exc)
        assert list(errors) == ["alignments[0]"]
        assert "secret" not in str(errors)
    missing = {"parent_objective_id": 987654}
    with pytest.raises(ValidationError) as exc:
        objective_update(objective=mine, actor=owner, alignments=[missing])
    # An unknown id and another organization's id read the same.
    assert link_errors(exc)["alignments[0]"] == ["No such parent in this organization."]


def test_contributing_to_a_non_rollup_key_result_is_refused(org, owner, cycle):
    parent = objective(org, owner, cycle, "Parent")
    metric = key_result(parent, owner)

    with pytest.raises(ValidationError) as exc:
        objective(org, owner, cycle, "Child", alignments=[contributes(metric)])
    assert "alignments[0]" in link_errors(exc)

    child = objective(org, owner, cycle, "Child", alignments=[contributes(metric, type="supports")])
    assert Alignment.objects.get(child=child).type == "supports"


def test_listing_a_parent_twice_is_refused(org, owner, cycle):
    parent = objective(org, owner, cycle, "Parent")
    child = objective(org, owner, cycle, "Child")

    with pytest.raises(ValidationError) as exc:
        objective_update(
            objective=child,
            actor=owner,
            alignments=[contributes(parent), contributes(parent, type="supports")],
        )

    assert link_errors(exc) == {"alignments[1]": ["This parent is listed twice."]}
    assert not Alignment.objects.exists()


def test_invisible_private_parent_is_refused(org, owner, member, cycle):
    secret = objective(org, owner, cycle, "Board only", visibility="private")
    mine = objective(org, member, cycle, "Mine", level="individual")

    with pytest.raises(ValidationError) as exc:
        objective_update(objective=mine, actor=member, alignments=[contributes(secret)])

    assert link_errors(exc) == {"alignments[0]": ["No such parent in this organization."]}
    # The owner of the private objective may link to it.
    objective_update(objective=mine, actor=owner, alignments=[contributes(secret, type="supports")])


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"weight": -1}, "alignments[0]"),
        ({"weight": "heavy"}, "alignments[0]"),
        ({"weight": "NaN"}, "alignments[0]"),
        ({"weight": float("nan")}, "alignments[0]"),
        ({"weight": "Infinity"}, "alignments[0]"),
        ({"type": "blocks"}, "alignments[0]"),
        ({"parent_objective_id": "abc"}, "alignments[0]"),
        ({"parent_objective_id": True}, "alignments[0]"),
        ({"parent_objective_id": [1]}, "alignments[0]"),
    ],
)
def test_bad_link_fields_are_field_errors(org, owner, cycle, spec, field):
    parent = objective(org, owner, cycle, "Parent")
    child = objective(org, owner, cycle, "Child")

    with pytest.raises(ValidationError) as exc:
        objective_update(objective=child, actor=owner, alignments=[{**contributes(parent), **spec}])

    assert list(link_errors(exc)) == [field]


def test_neither_or_both_parents_is_refused(org, owner, cycle):
    parent = objective(org, owner, cycle, "Parent")
    rollup = key_result(parent, owner, "rollup")
    child = objective(org, owner, cycle, "Child")

    both = {"parent_objective_id": parent.pk, "parent_key_result_id": rollup.pk}
    for spec in ({}, both, "not a dict", None):
        with pytest.raises(ValidationError):
            objective_update(objective=child, actor=owner, alignments=[spec])


def test_parent_in_an_earlier_longer_cycle_is_allowed(org, owner, cycle):
    year = cycle_create(
        organization=org,
        actor=owner,
        name="The year",
        start_date=cycle.start_date - timedelta(days=60),
        end_date=cycle.end_date + timedelta(days=200),
        state="active",
    )
    yearly = objective(org, owner, year, "Yearly company objective")
    quarterly = objective(org, owner, cycle, "Quarterly", alignments=[contributes(yearly)])
    check_in(key_result(quarterly, owner, target=Decimal(4)), owner, "1")

    assert progress_of(yearly) == 0.25
    assert_consistent(org)
