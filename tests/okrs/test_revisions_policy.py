"""Revision history of objectives and key results, reasons for moved targets, and the
organization's count policy (advise: warn and save; enforce: refuse and save nothing)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from luodi.okrs.models import KeyResult, Objective, Revision
from luodi.okrs.selectors import objective_revision_list, revision_list
from luodi.okrs.services import (
    key_result_create,
    key_result_update,
    objective_create,
    objective_update,
)
from luodi.orgs.services import cycle_create, organization_update
from tests.okrs.factories import check_in, contributes, key_result, objective

pytestmark = pytest.mark.django_db


def changes(rows) -> dict[str, tuple[str | None, str | None]]:
    return {r.field: (r.old, r.new) for r in rows if r.field != "created"}


# --- revisions -------------------------------------------------------------------------------


def test_creating_records_a_revision(org, owner, cycle):
    obj = objective(org, owner, cycle, "Delight customers")
    kr = key_result(obj, owner, title="NPS 30 → 50")

    assert [(r.field, r.new, r.author) for r in objective_revision_list(objective=obj)] == [
        ("created", "Delight customers", owner)
    ]
    assert [(r.field, r.new) for r in revision_list(key_result=kr)] == [("created", "NPS 30 → 50")]


def test_every_objective_change_is_recorded_with_author_old_and_new(org, owner, admin, cycle):
    parent = objective(org, owner, cycle, "Parent")
    obj = objective(org, owner, cycle, "Old title")

    objective_update(
        objective=obj,
        actor=admin,
        title="New title",
        description="Why it matters",
        weight=Decimal("2.5"),
        visibility="unit",
        alignments=[contributes(parent, weight=2)],
        reason="Re-planning",
    )

    rows = list(Revision.objects.filter(objective=obj).exclude(field="created"))
    assert {r.author for r in rows} == {admin}
    assert {r.reason for r in rows} == {"Re-planning"}
    recorded = changes(rows)
    assert recorded["title"] == ("Old title", "New title")
    assert recorded["description"] == ("", "Why it matters")
    assert recorded["weight"] == ("1", "2.5")
    assert recorded["visibility"] == ("organization", "unit")
    assert recorded["alignments"][0] == "[]"
    assert f'"parent_objective_id": {parent.pk}' in recorded["alignments"][1]
    assert set(recorded) == {"title", "description", "weight", "visibility", "alignments"}


def test_an_update_that_changes_nothing_records_nothing(org, owner, cycle):
    obj = objective(org, owner, cycle, "Same")
    before = Revision.objects.count()

    objective_update(objective=obj, actor=owner, title="Same", weight=Decimal("1.0"))

    assert Revision.objects.count() == before


def test_state_and_score_changes_are_recorded(org, owner, cycle):
    obj = objective(org, owner, cycle, "Scored")

    objective_update(objective=obj, actor=owner, state="closed", self_score=0.7)

    assert changes(Revision.objects.filter(objective=obj)) == {
        "state": ("active", "closed"),
        "self_score": (None, "0.7"),
    }


def test_every_key_result_change_is_recorded(org, owner, cycle):
    obj = objective(org, owner, cycle, "Objective")
    kr = key_result(obj, owner, title="Old", start=Decimal(0), target=Decimal(10))

    key_result_update(
        key_result=kr,
        actor=owner,
        title="New",
        target=Decimal("12.5"),
        weight=Decimal(2),
        unit="%",
        reason="Market grew",
    )

    rows = Revision.objects.filter(key_result=kr).exclude(field="created")
    assert changes(rows) == {
        "title": ("Old", "New"),
        "target": ("10", "12.5"),
        "weight": ("1", "2"),
        "measure_unit": ("", "%"),
    }
    assert {(r.author, r.reason) for r in rows} == {(owner, "Market grew")}


def test_milestone_list_changes_are_recorded(org, owner, cycle):
    obj = objective(org, owner, cycle, "Objective")
    kr = key_result(obj, owner, "milestone", milestones=[{"title": "Design"}])

    key_result_update(
        key_result=kr,
        actor=owner,
        milestones=[{"title": "Design"}, {"title": "Build", "weight": 3}],
    )

    old, new = changes(Revision.objects.filter(key_result=kr))["milestones"]
    assert old == '[["Design", "1"]]'
    assert new == '[["Design", "1"], ["Build", "3"]]'


# --- reasons for moved start or target -------------------------------------------------------


@pytest.mark.parametrize("field", ["start", "target"])
def test_moving_start_or_target_after_the_cycle_started_needs_a_reason(org, owner, cycle, field):
    obj = objective(org, owner, cycle, "Objective")
    kr = key_result(obj, owner, start=Decimal(0), target=Decimal(10))
    check_in(kr, owner, "5")
    revisions = Revision.objects.count()

    for reason in ("", "   "):
        with pytest.raises(ValidationError) as exc:
            key_result_update(
                key_result=kr, actor=owner, reason=reason, title="Moved", **{field: Decimal(-5)}
            )
        assert list(exc.value.message_dict) == ["reason"]

    kr.refresh_from_db()
    assert (kr.title, kr.start, kr.target, kr.progress) == (
        "metric result",
        Decimal(0),
        Decimal(10),
        0.5,
    )
    assert Revision.objects.count() == revisions

    key_result_update(
        key_result=kr, actor=owner, reason="Baseline was wrong", **{field: Decimal(-5)}
    )
    row = Revision.objects.get(key_result=kr, field=field)
    assert (row.old, row.new, row.reason, row.author) == (
        "0" if field == "start" else "10",
        "-5",
        "Baseline was wrong",
        owner,
    )


def test_other_fields_need_no_reason_after_the_start(org, owner, cycle):
    kr = key_result(objective(org, owner, cycle), owner)

    key_result_update(key_result=kr, actor=owner, title="Clearer", weight=Decimal(2))
    key_result_update(key_result=kr, actor=owner, target=Decimal("10.000"))  # same value

    kr.refresh_from_db()
    assert kr.title == "Clearer"


@pytest.mark.parametrize(
    ("state", "starts_in_days"),
    [("planning", 10), ("planning", -3), ("active", 5)],
)
def test_before_the_cycle_starts_no_reason_is_needed(org, owner, state, starts_in_days):
    """A cycle has started when it left planning and its start date has come."""
    today = timezone.localdate()
    upcoming = cycle_create(
        organization=org,
        actor=owner,
        name="Next quarter",
        start_date=today + timedelta(days=starts_in_days),
        end_date=today + timedelta(days=starts_in_days + 90),
        state=state,
    )
    kr = key_result(objective(org, owner, upcoming), owner)

    key_result_update(key_result=kr, actor=owner, target=Decimal(20), start=Decimal(5))

    kr.refresh_from_db()
    assert (kr.start, kr.target) == (Decimal(5), Decimal(20))
    assert Revision.objects.get(key_result=kr, field="target").reason == ""


# --- count policy ----------------------------------------------------------------------------


def owned(org, owner, cycle, count: int) -> list[Objective]:
    return [objective(org, owner, cycle, f"Objective {i}", owner_id=owner.pk) for i in range(count)]


def test_advise_warns_about_too_many_objectives_and_saves(org, owner, cycle):
    owned(org, owner, cycle, 5)

    sixth, warnings = objective_create(
        organization=org,
        actor=owner,
        cycle_id=cycle.pk,
        title="Sixth",
        level="company",
        owner_id=owner.pk,
    )

    assert [w.code for w in warnings] == ["too_many_objectives"]
    assert "6" in warnings[0].message
    assert Objective.objects.filter(pk=sixth.pk).exists()


def test_cancelled_objectives_do_not_count_against_the_policy(org, owner, cycle):
    first, *_rest = owned(org, owner, cycle, 5)
    objective_update(objective=first, actor=owner, state="cancelled")

    _obj, warnings = objective_create(
        organization=org,
        actor=owner,
        cycle_id=cycle.pk,
        title="Fifth live",
        level="company",
        owner_id=owner.pk,
    )
    assert warnings == []


def test_enforce_refuses_too_many_objectives_and_saves_nothing(org, owner, cycle):
    organization_update(organization=org, actor=owner, policy_mode="enforce")
    owned(org, owner, cycle, 5)
    revisions = Revision.objects.count()

    with pytest.raises(ValidationError) as exc:
        owned(org, owner, cycle, 1)

    assert list(exc.value.message_dict) == ["owner_id"]
    assert Objective.objects.count() == 5
    assert Revision.objects.count() == revisions


def test_enforce_refuses_handing_a_sixth_objective_to_an_owner(org, owner, admin, cycle):
    organization_update(organization=org, actor=owner, policy_mode="enforce")
    owned(org, owner, cycle, 5)
    theirs = objective(org, admin, cycle, "Admin's", owner_id=admin.pk)

    with pytest.raises(ValidationError):
        objective_update(objective=theirs, actor=admin, owner_id=owner.pk)

    theirs.refresh_from_db()
    assert theirs.owner_id == admin.pk


def test_advise_warns_about_too_many_key_results_and_saves(org, owner, cycle):
    obj = objective(org, owner, cycle)
    for index in range(3):
        _kr, warnings = key_result_create(
            objective=obj, actor=owner, kind="boolean", title=f"KR {index}"
        )
        assert warnings == []

    kr, warnings = key_result_create(objective=obj, actor=owner, kind="boolean", title="KR 4")

    assert [w.code for w in warnings] == ["too_many_key_results"]
    assert KeyResult.objects.filter(pk=kr.pk).exists()


def test_enforce_refuses_too_many_key_results_and_saves_nothing(org, owner, cycle):
    organization_update(organization=org, actor=owner, policy_mode="enforce")
    obj = objective(org, owner, cycle)
    for index in range(3):
        key_result(obj, owner, "boolean", title=f"KR {index}")
    revisions = Revision.objects.count()
    progress = Objective.objects.get(pk=obj.pk).progress

    with pytest.raises(ValidationError) as exc:
        key_result(obj, owner, "boolean", title="One too many")

    assert list(exc.value.message_dict) == ["key_results"]
    assert KeyResult.objects.filter(objective=obj).count() == 3
    assert Revision.objects.count() == revisions
    assert Objective.objects.get(pk=obj.pk).progress == progress


def test_limits_are_configurable(org, owner, cycle):
    organization_update(
        organization=org,
        actor=owner,
        policy_objectives_min=1,
        policy_objectives_max=2,
        policy_key_results_min=1,
        policy_key_results_max=1,
    )
    first, _second = owned(org, owner, cycle, 2)
    _third, warnings = objective_create(
        organization=org,
        actor=owner,
        cycle_id=cycle.pk,
        title="Third",
        level="company",
        owner_id=owner.pk,
    )
    assert [w.code for w in warnings] == ["too_many_objectives"]
    assert "1–2" in warnings[0].message
    key_result(first, owner, "boolean")
    _kr, warnings = key_result_create(objective=first, actor=owner, kind="boolean", title="2nd")
    assert [w.code for w in warnings] == ["too_many_key_results"]


def test_the_cycle_starts_on_the_organizations_calendar(org, owner, time_machine):
    """20:00 UTC on 1 October is already 2 October in Shanghai: a cycle that starts on
    2 October has started there, so a moved target needs a reason."""
    from datetime import UTC, date, datetime

    time_machine.move_to(datetime(2026, 10, 1, 20, tzinfo=UTC), tick=False)
    assert org.timezone == "Asia/Shanghai"
    quarter = cycle_create(
        organization=org,
        actor=owner,
        name="Q4",
        start_date=date(2026, 10, 2),
        end_date=date(2026, 12, 31),
        state="active",
    )
    kr = key_result(objective(org, owner, quarter), owner)

    with pytest.raises(ValidationError) as exc:
        key_result_update(key_result=kr, actor=owner, target=Decimal(20))

    assert list(exc.value.message_dict) == ["reason"]
