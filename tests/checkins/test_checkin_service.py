"""checkin_submit: who may check in, idempotent retries, out-of-order check-ins, and the
kind-specific payloads (values, thresholds, done flags, milestones)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from luodi.checkins.models import CheckIn, IdempotencyRecord
from luodi.checkins.services import checkin_submit
from luodi.okrs.models import Milestone
from luodi.okrs.services import key_result_update
from luodi.orgs.choices import Role
from luodi.orgs.services import member_add
from tests.okrs.factories import (
    assert_consistent,
    check_in,
    contributes,
    key_result,
    objective,
    progress_of,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture
def people(org, owner, member, admin, viewer):
    contributor = member_add(
        organization=org, actor=owner, email="contrib@acme.example", role=Role.MEMBER
    ).user
    bystander = member_add(
        organization=org, actor=owner, email="bystander@acme.example", role=Role.MEMBER
    ).user
    return {
        "kr_owner": member,
        "contributor": contributor,
        "admin": admin,
        "org_owner": owner,
        "other_member": bystander,
        "viewer": viewer,
    }


@pytest.fixture
def shared_kr(org, owner, member, cycle, people):
    """A key result owned by the member, on the member's objective, with one contributor."""
    obj = objective(org, member, cycle, "Member's objective", level="individual")
    return key_result(obj, member, contributor_ids=[people["contributor"].pk])


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("kr_owner", True),
        ("contributor", True),
        ("admin", True),
        ("org_owner", True),
        ("other_member", False),
        ("viewer", False),
    ],
)
def test_who_may_check_in(shared_kr, people, persona, allowed):
    actor = people[persona]
    if allowed:
        checkin, created = checkin_submit(key_result=shared_kr, actor=actor, value="3")
        assert created
        assert checkin.author == actor
        assert progress_of(shared_kr) == 0.3
    else:
        with pytest.raises(PermissionDenied):
            checkin_submit(key_result=shared_kr, actor=actor, value="3")
        assert not CheckIn.objects.exists()


def test_an_outsider_may_not_check_in(shared_kr, other_owner):
    with pytest.raises(PermissionDenied):
        checkin_submit(key_result=shared_kr, actor=other_owner, value="3", idempotency_key="x")
    assert not CheckIn.objects.exists()
    assert not IdempotencyRecord.objects.exists()


def test_the_objective_owner_may_check_in_on_a_key_result_someone_else_owns(
    org, owner, member, cycle
):
    obj = objective(org, member, cycle, "Mine", level="individual")
    kr = key_result(obj, member, owner_id=owner.pk)
    assert kr.owner_id == owner.pk
    _checkin, created = checkin_submit(key_result=kr, actor=member, value="1")
    assert created


# --- idempotency -----------------------------------------------------------------------------


def test_a_repeated_idempotency_key_returns_the_first_check_in(org, owner, cycle):
    kr = key_result(objective(org, owner, cycle), owner)

    first, created = checkin_submit(key_result=kr, actor=owner, value="4", idempotency_key="abc")
    again, created_again = checkin_submit(
        key_result=kr, actor=owner, value="4", idempotency_key="abc"
    )
    # A retry carries the same key; its body is not looked at again.
    third, created_third = checkin_submit(
        key_result=kr, actor=owner, value="9", idempotency_key="abc"
    )

    assert (created, created_again, created_third) == (True, False, False)
    assert again.pk == first.pk == third.pk
    assert CheckIn.objects.count() == 1
    kr.refresh_from_db()
    assert (kr.checkin_count, kr.current) == (1, Decimal(4))
    assert_consistent(org)


def test_idempotency_keys_belong_to_one_user(org, owner, admin, cycle):
    kr = key_result(objective(org, owner, cycle), owner)

    mine, _ = checkin_submit(key_result=kr, actor=owner, value="4", idempotency_key="same")
    theirs, created = checkin_submit(key_result=kr, actor=admin, value="5", idempotency_key="same")
    other_key, created_other = checkin_submit(
        key_result=kr, actor=owner, value="6", idempotency_key="other"
    )

    assert created and created_other
    assert len({mine.pk, theirs.pk, other_key.pk}) == 3
    assert IdempotencyRecord.objects.count() == 3


@pytest.mark.parametrize("key", ["", "k" * 201])
def test_bad_idempotency_keys_are_refused(org, owner, cycle, key):
    kr = key_result(objective(org, owner, cycle), owner)
    with pytest.raises(ValidationError) as exc:
        checkin_submit(key_result=kr, actor=owner, value="4", idempotency_key=key)
    assert list(exc.value.message_dict) == ["Idempotency-Key"]
    assert not CheckIn.objects.exists()


def test_a_refused_check_in_does_not_burn_its_idempotency_key(org, owner, cycle):
    kr = key_result(objective(org, owner, cycle), owner)
    with pytest.raises(ValidationError):
        checkin_submit(key_result=kr, actor=owner, value="x", idempotency_key="retry-me")

    checkin, created = checkin_submit(
        key_result=kr, actor=owner, value="4", idempotency_key="retry-me"
    )

    assert created
    assert checkin.value == Decimal(4)


# --- order -----------------------------------------------------------------------------------


def test_a_backdated_check_in_rebuilds_from_all_check_ins(org, owner, cycle):
    parent = objective(org, owner, cycle, "Parent")
    child = objective(org, owner, cycle, "Child", alignments=[contributes(parent)])
    kr = key_result(child, owner)
    check_in(kr, owner, "2", confidence=4, at=NOW - timedelta(days=10))
    check_in(kr, owner, "6", confidence=None, at=NOW - timedelta(days=2))

    late, created = checkin_submit(
        key_result=kr, actor=owner, value="9", confidence=8, at=NOW - timedelta(days=5)
    )

    assert created
    kr.refresh_from_db()
    assert kr.current == Decimal(6)  # the latest by time, not by arrival
    assert kr.checkin_count == 3
    assert kr.last_checkin_at == NOW - timedelta(days=2)
    assert kr.last_confidence == 8  # the latest check-in that gave a confidence
    assert late.progress == 0.6  # the key result's progress once it was recorded
    assert progress_of(parent) == 0.6
    assert_consistent(org)


def test_a_check_in_without_confidence_keeps_the_last_one(org, owner, cycle):
    kr = key_result(objective(org, owner, cycle), owner)
    check_in(kr, owner, "2", confidence=3)
    check_in(kr, owner, "3", confidence=None)
    kr.refresh_from_db()
    assert kr.last_confidence == 3
    assert_consistent(org)


def test_threshold_counts_survive_backdating(org, owner, cycle):
    kr = key_result(objective(org, owner, cycle), owner, "threshold", target=Decimal(95))
    check_in(kr, owner, "96", at=NOW - timedelta(days=3))
    check_in(kr, owner, "90", at=NOW - timedelta(days=1))
    check_in(kr, owner, "95", at=NOW - timedelta(days=2))

    kr.refresh_from_db()
    assert (kr.checkin_count, kr.threshold_met_count) == (3, 2)
    assert kr.progress == pytest.approx(2 / 3)
    assert kr.current == Decimal(90)
    assert_consistent(org)


def test_at_most_threshold(org, owner, cycle):
    kr = key_result(
        objective(org, owner, cycle), owner, "threshold", target=Decimal(2), direction="at_most"
    )
    for value in ("1.5", "2", "2.1", "3"):
        check_in(kr, owner, value)
    kr.refresh_from_db()
    assert (kr.threshold_met_count, kr.checkin_count, kr.progress) == (2, 4, 0.5)


def test_changing_the_threshold_level_recounts(org, owner, cycle):
    kr = key_result(objective(org, owner, cycle), owner, "threshold", target=Decimal(95))
    for value in ("94", "96", "97"):
        check_in(kr, owner, value)
    kr = key_result_update(key_result=kr, actor=owner, target=Decimal(90), reason="Realistic")
    assert (kr.threshold_met_count, kr.progress) == (3, 1.0)
    assert_consistent(org)


# --- kinds -----------------------------------------------------------------------------------


def test_milestone_check_ins(org, owner, cycle):
    kr = key_result(
        objective(org, owner, cycle),
        owner,
        "milestone",
        milestones=[{"title": "Design", "weight": 1}, {"title": "Build", "weight": 3}],
    )
    design, build = Milestone.objects.filter(key_result=kr).order_by("position")

    check_in(kr, owner, milestone_ids_done=[design.pk])
    assert progress_of(kr) == 0.25
    check_in(kr, owner, milestone_ids_done=[design.pk, build.pk, design.pk])
    assert progress_of(kr) == 1.0
    assert set(Milestone.objects.filter(done=True)) == {design, build}
    check_in(kr, owner, milestone_ids_done=[build.pk])  # un-ticking is allowed
    assert progress_of(kr) == 0.75
    check_in(kr, owner, milestone_ids_done=[], at=NOW - timedelta(days=1))  # older: ignored
    assert progress_of(kr) == 0.75
    assert list(Milestone.objects.filter(done=True)) == [build]
    assert CheckIn.objects.filter(key_result=kr).last().milestone_ids_done == [build.pk]
    assert_consistent(org)


def test_editing_milestones_keeps_done_flags_of_the_kept_ones(org, owner, cycle):
    kr = key_result(objective(org, owner, cycle), owner, "milestone")
    first, second = Milestone.objects.filter(key_result=kr).order_by("position")
    check_in(kr, owner, milestone_ids_done=[first.pk])

    kr = key_result_update(
        key_result=kr,
        actor=owner,
        milestones=[{"id": first.pk, "title": "one"}, {"title": "three"}],
    )

    assert kr.progress == 0.5
    assert Milestone.objects.get(pk=first.pk).done
    assert not Milestone.objects.filter(pk=second.pk).exists()
    assert_consistent(org)


@pytest.mark.parametrize(("payload", "progress"), [({"done": True}, 1.0), ({"value": "1"}, 1.0)])
def test_boolean_check_ins(org, owner, cycle, payload, progress):
    kr = key_result(objective(org, owner, cycle), owner, "boolean")
    checkin, _ = checkin_submit(key_result=kr, actor=owner, **payload)
    assert checkin.done is True
    assert progress_of(kr) == progress
    check_in(kr, owner, done=False)
    assert progress_of(kr) == 0.0
    assert_consistent(org)


def test_percentage_check_ins(org, owner, cycle):
    kr = key_result(objective(org, owner, cycle), owner, "percentage")
    assert (kr.start, kr.target) == (Decimal(0), Decimal(100))
    check_in(kr, owner, "37.5")
    assert progress_of(kr) == 0.375


def test_over_achievement_stays_visible_as_raw_progress(org, owner, cycle):
    obj = objective(org, owner, cycle)
    kr = key_result(obj, owner, start=Decimal(5), target=Decimal(2))
    checkin = check_in(kr, owner, "0.5")
    kr.refresh_from_db()
    assert (kr.raw_progress, kr.progress, checkin.progress) == (1.5, 1.0, 1.5)
    assert progress_of(obj) == 1.0


def test_check_in_records_source_note_and_author(org, owner, cycle):
    kr = key_result(objective(org, owner, cycle), owner)
    checkin, _ = checkin_submit(
        key_result=kr, actor=owner, value="1", note="Blocked by legal", source="api"
    )
    checkin.refresh_from_db()
    assert (checkin.note, checkin.source, checkin.author, checkin.organization) == (
        "Blocked by legal",
        "api",
        owner,
        org,
    )


def test_a_naive_time_is_read_in_the_organizations_timezone(org, owner, cycle):
    """Decided: imports and scripts may pass naive times; they mean the organization's
    wall clock (Asia/Shanghai here), never the server's."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    kr = key_result(objective(org, owner, cycle), owner)
    check_in(kr, owner, "3")
    naive = datetime(2026, 1, 5, 9, 30)

    checkin = check_in(kr, owner, "1", at=naive)

    assert checkin.created_at == naive.replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    assert progress_of(kr) == 0.3  # older than the first one: it does not win
    assert_consistent(org)
