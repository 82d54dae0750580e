"""Copying an objective into another cycle: same key results, fresh progress, dates moved,
alignments only to parents that still fit, closed cycles refused, permission like creating."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from luodi.okrs.copying import COPIED_FROM, covers, next_cycle, objective_copy_to_cycle
from luodi.okrs.models import Alignment, KeyResult, Objective, Revision
from luodi.okrs.services import key_result_update
from luodi.orgs.choices import CycleState
from luodi.orgs.models import Cycle
from luodi.orgs.services import cycle_create
from tests.okrs.factories import check_in, contributes, key_result, objective

pytestmark = pytest.mark.django_db


def make_cycle(org, owner, name, start, end, state=CycleState.PLANNING) -> Cycle:
    return cycle_create(
        organization=org, actor=owner, name=name, start_date=start, end_date=end, state=state
    )


@pytest.fixture
def q4(org, owner):
    return make_cycle(org, owner, "2026 Q4", date(2026, 10, 1), date(2026, 12, 31), "active")


@pytest.fixture
def q1(org, owner):
    return make_cycle(org, owner, "2027 Q1", date(2027, 1, 1), date(2027, 3, 31))


@pytest.fixture
def year_2027(org, owner):
    return make_cycle(org, owner, "2027", date(2027, 1, 1), date(2027, 12, 31))


def test_copy_keeps_key_results_and_starts_fresh(org, owner, member, q4, q1):
    source = objective(org, owner, q4, "Delight customers", weight=Decimal(2))
    metric = key_result(
        source,
        owner,
        "metric",
        title="NPS",
        start=Decimal(20),
        target=Decimal(40),
        measure_unit="pts",
        weight=Decimal(3),
        owner_id=member.pk,
        contributor_ids=[owner.pk],
    )
    milestones = key_result(
        source,
        owner,
        "milestone",
        title="Launch",
        milestones=[{"title": "Design", "weight": 1}, {"title": "Ship", "weight": 2}],
    )
    threshold = key_result(
        source, owner, "threshold", title="Uptime", target=Decimal("99.9"), direction="at_least"
    )
    key_result(source, owner, "boolean", title="Hire a lead")
    dropped = key_result(source, owner, "metric", title="Old idea")
    key_result_update(key_result=dropped, actor=owner, state="cancelled")
    check_in(metric, owner, "30")
    check_in(threshold, owner, "99.95")
    design = milestones.milestones.get(title="Design")
    check_in(milestones, owner, milestone_ids_done=[design.pk])

    copy, warnings = objective_copy_to_cycle(objective=source, actor=owner, cycle_id=q1.pk)

    # four live key results: the advised maximum of three is exceeded, once
    assert [w.code for w in warnings] == ["too_many_key_results"]
    assert copy.cycle_id == q1.pk and copy.pk != source.pk
    assert (copy.title, copy.level, copy.weight) == ("Delight customers", "company", Decimal(2))
    assert copy.progress == 0.0 and copy.last_checkin_at is None  # no check-ins yet
    krs = list(copy.key_results.order_by("position"))
    assert [kr.title for kr in krs] == ["NPS", "Launch", "Uptime", "Hire a lead"]
    nps, launch, uptime, hire = krs
    assert (nps.kind, nps.start, nps.target, nps.measure_unit) == (
        "metric",
        Decimal(20),
        Decimal(40),
        "pts",
    )
    assert nps.weight == Decimal(3) and nps.owner_id == member.pk
    assert list(nps.contributors.values_list("pk", flat=True)) == [owner.pk]
    assert nps.current is None and nps.progress is None and nps.checkin_count == 0
    assert [(m.title, m.weight, m.done) for m in launch.milestones.all()] == [
        ("Design", Decimal(1), False),
        ("Ship", Decimal(2), False),
    ]
    assert (uptime.kind, uptime.target, uptime.direction) == (
        "threshold",
        Decimal("99.9"),
        "at_least",
    )
    assert uptime.threshold_met_count == 0
    assert hire.kind == "boolean"
    revision = Revision.objects.get(objective=copy, field=COPIED_FROM)
    assert revision.new == str(source.pk) and "Delight customers" in revision.reason
    assert Revision.objects.filter(key_result__objective=copy, field=COPIED_FROM).count() == 4
    source.refresh_from_db()
    assert source.progress is not None  # the original is untouched


def test_dates_and_phases_move_with_the_cycle(org, owner, q4, q1):
    source = objective(org, owner, q4, "Grow")
    key_result(
        source,
        owner,
        "metric",
        title="Revenue",
        start=Decimal(0),
        target=Decimal(90),
        start_date=date(2026, 10, 15),
        phases=[
            {"date": "2026-10-31", "target": "30"},
            {"date": "2026-11-30", "target": "60"},
            {"date": "2026-12-31", "target": "90"},
        ],
    )
    key_result(
        source,
        owner,
        "percentage",
        title="Coverage",
        due_date=date(2026, 12, 31),
        phases=[{"date": "2026-12-30", "target": "80"}],
    )

    copy, _w = objective_copy_to_cycle(objective=source, actor=owner, cycle_id=q1.pk)

    revenue, coverage = copy.key_results.order_by("position")
    # Oct 1 → Jan 1 is 92 days: Oct 15 → Jan 15, Oct 31 → Jan 31, Nov 30 → Mar 2;
    # the quarter's last day stays the quarter's last day.
    assert revenue.start_date == date(2027, 1, 15)
    assert [(p.date, p.target) for p in revenue.phases.all()] == [
        (date(2027, 1, 31), Decimal(30)),
        (date(2027, 3, 2), Decimal(60)),
        (date(2027, 3, 31), Decimal(90)),
    ]
    # Dec 31 + 92 days is past the new quarter: the due date is dropped, and so is the
    # phase on Dec 30 (Apr 1), which was not on the last day.
    assert coverage.due_date is None
    assert list(coverage.phases.all()) == []


def test_alignments_follow_only_parents_that_still_fit(org, owner, q4, q1, year_2026, year_2027):
    yearly_2027 = objective(org, owner, year_2027, "Yearly goal 2027")
    rollup_2026 = key_result(objective(org, owner, year_2026, "Yearly goal 2026"), owner, "rollup")
    quarter_parent = objective(org, owner, q4, "Quarter parent")
    moving_parent = objective(org, owner, q4, "Parent that moves on")
    source = objective(
        org,
        owner,
        q4,
        "Child",
        alignments=[
            contributes(quarter_parent),  # stays in Q4: dropped
            contributes(moving_parent, weight=2),  # copied to Q1 first: re-pointed to the copy
            contributes(rollup_2026),  # 2026 does not cover Q1 2027: dropped
            contributes(yearly_2027, weight=3, type="supports"),  # covers Q1 2027: kept
        ],
    )
    parent_copy, _w = objective_copy_to_cycle(objective=moving_parent, actor=owner, cycle_id=q1.pk)

    copy, _w = objective_copy_to_cycle(objective=source, actor=owner, cycle_id=q1.pk)

    links = Alignment.objects.filter(child=copy).order_by("id")
    assert [(a.parent_objective_id, a.type, a.weight) for a in links] == [
        (parent_copy.pk, "contributes", Decimal(2)),
        (yearly_2027.pk, "supports", Decimal(3)),
    ]
    assert Alignment.objects.filter(child=source).count() == 4  # the original keeps its links


@pytest.fixture
def year_2026(org, owner):
    return make_cycle(org, owner, "2026", date(2026, 1, 1), date(2026, 12, 31), "active")


def test_covers():
    year = Cycle(pk=1, start_date=date(2027, 1, 1), end_date=date(2027, 12, 31))
    quarter = Cycle(pk=2, start_date=date(2027, 1, 1), end_date=date(2027, 3, 31))
    assert covers(year, quarter) and covers(quarter, quarter) and not covers(quarter, year)


def test_refuses_closed_and_own_cycle(org, owner, q4):
    closed = make_cycle(org, owner, "2026 Q3", date(2026, 7, 1), date(2026, 9, 30), "closed")
    source = objective(org, owner, q4, "Grow")
    key_result(source, owner, "boolean")
    for cycle_id in (closed.pk, q4.pk, 999999):
        with pytest.raises(ValidationError) as exc:
            objective_copy_to_cycle(objective=source, actor=owner, cycle_id=cycle_id)
        assert "cycle_id" in exc.value.message_dict
    assert Objective.objects.count() == 1 and KeyResult.objects.count() == 1


def test_permission_is_like_creating(org, owner, member, other_org, other_owner, q4, q1):
    company = objective(org, owner, q4, "Company goal")
    with pytest.raises(PermissionDenied):
        objective_copy_to_cycle(objective=company, actor=member, cycle_id=q1.pk)
    private = objective(
        org, owner, q4, "Secret", level="individual", owner_id=owner.pk, visibility="private"
    )
    with pytest.raises(PermissionDenied):
        objective_copy_to_cycle(objective=private, actor=member, cycle_id=q1.pk)
    with pytest.raises(PermissionDenied):
        objective_copy_to_cycle(objective=company, actor=other_owner, cycle_id=q1.pk)
    mine = objective(org, member, q4, "Mine", level="individual")
    copy, _w = objective_copy_to_cycle(objective=mine, actor=member, cycle_id=q1.pk)
    assert copy.owner_id == member.pk and copy.cycle_id == q1.pk
    assert Objective.objects.filter(cycle=q1).count() == 1


def test_enforced_policy_refuses_the_copy(org, owner, q4, q1):
    source = objective(org, owner, q4, "Grow")
    for title in ("one", "two", "three", "four"):  # advise mode: four are let through
        key_result(source, owner, "boolean", title=title)
    org.policy_mode = "enforce"
    org.save()
    source.organization = org
    with pytest.raises(ValidationError):
        objective_copy_to_cycle(objective=source, actor=owner, cycle_id=q1.pk)
    assert not Objective.objects.filter(cycle=q1).exists()


def test_next_cycle_prefers_the_next_quarter_and_skips_closed(org, owner, q4, q1, year_2027):
    cycles = list(Cycle.objects.filter(organization=org))
    assert next_cycle(q4, cycles) == q1
    q1.state = CycleState.CLOSED
    assert next_cycle(q4, [q4, q1, year_2027]) == year_2027
    assert next_cycle(year_2027, cycles) is None
