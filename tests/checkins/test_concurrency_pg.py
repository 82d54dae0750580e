"""Concurrent check-ins on PostgreSQL: nothing lost, nothing double-counted, no deadlock.

Each thread has its own database connection (Django's connections are per thread) and
closes it when done. A threshold key result is the sharpest detector of lost updates:
`threshold_met_count` and `checkin_count` are increments, so any lost one shows.

Run: LUODI_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/luodi_engine_test \
     .venv/bin/pytest tests/checkins -q --create-db
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection

from luodi.accounts.models import User
from luodi.checkins.models import CheckIn, IdempotencyRecord
from luodi.checkins.services import checkin_submit
from luodi.okrs.models import KeyResult, Objective
from luodi.okrs.rebuild import rebuild
from tests.okrs.factories import contributes, key_result, objective

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]

THREADS = 8
PER_THREAD = 5


def run_threads(work: Callable[[int], None], threads: int = THREADS) -> list[BaseException]:
    """Start all threads at once; return what they raised."""
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def body(index: int) -> None:
        try:
            barrier.wait()
            work(index)
        except BaseException as exc:  # collected and asserted on by the test
            errors.append(exc)
        finally:
            connection.close()

    pool = [threading.Thread(target=body, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in pool), "a thread hung (deadlock?)"
    return errors


def submit(kr_id: int, user_id: int, value: str, **extra: object) -> CheckIn:
    # Fresh rows per call: nothing shared between threads but the ids.
    kr = KeyResult.objects.select_related("organization").get(pk=kr_id)
    user = User.objects.get(pk=user_id)
    checkin, _created = checkin_submit(key_result=kr, actor=user, value=value, **extra)
    return checkin


def assert_rebuild_clean(org) -> None:
    differences = rebuild(organization=org, write=False).differences
    assert [str(d) for d in differences] == []


def test_concurrent_check_ins_on_one_threshold_key_result(org, owner, cycle):
    parent = objective(org, owner, cycle, "Parent")
    child = objective(org, owner, cycle, "Child", alignments=[contributes(parent)])
    kr = key_result(child, owner, "threshold", target=Decimal(95))

    def work(index: int) -> None:
        for step in range(PER_THREAD):
            submit(kr.pk, owner.pk, "96" if (index + step) % 3 == 0 else "90", confidence=6)

    errors = run_threads(work)

    assert errors == []
    total = THREADS * PER_THREAD
    met = sum(1 for i in range(THREADS) for s in range(PER_THREAD) if (i + s) % 3 == 0)
    kr.refresh_from_db()
    assert CheckIn.objects.filter(key_result=kr).count() == total
    assert (kr.checkin_count, kr.threshold_met_count) == (total, met)
    assert kr.progress == pytest.approx(met / total)
    child.refresh_from_db()
    parent.refresh_from_db()
    assert child.progress == pytest.approx(met / total)
    assert parent.progress == pytest.approx(met / total)
    assert_rebuild_clean(org)


def test_concurrent_check_ins_on_key_results_under_one_parent(org, owner, cycle):
    """Two KRs of one objective and a KR of a sibling objective, all under one parent:
    every thread's write to the shared ancestors must see the others'."""
    parent = objective(org, owner, cycle, "Parent")
    rollup = key_result(parent, owner, "rollup")
    left = objective(org, owner, cycle, "Left", alignments=[contributes(parent)])
    right = objective(org, owner, cycle, "Right", alignments=[contributes(rollup, weight=2)])
    krs = [
        key_result(left, owner, "threshold", title="Left A", target=Decimal(95)),
        key_result(left, owner, "threshold", title="Left B", target=Decimal(95)),
        key_result(right, owner, "threshold", title="Right", target=Decimal(95)),
    ]

    def work(index: int) -> None:
        for step in range(PER_THREAD):
            kr = krs[(index + step) % len(krs)]
            submit(kr.pk, owner.pk, "99" if step % 2 == 0 else "1")

    errors = run_threads(work)

    assert errors == []
    expected_counts = {kr.pk: [0, 0] for kr in krs}
    for index in range(THREADS):
        for step in range(PER_THREAD):
            counts = expected_counts[krs[(index + step) % len(krs)].pk]
            counts[0] += 1
            counts[1] += step % 2 == 0
    for kr in krs:
        kr.refresh_from_db()
        assert [kr.checkin_count, kr.threshold_met_count] == expected_counts[kr.pk]
    shares = [kr.threshold_met_count / kr.checkin_count for kr in krs]
    left_progress = (shares[0] + shares[1]) / 2
    assert Objective.objects.get(pk=left.pk).progress == pytest.approx(left_progress)
    assert Objective.objects.get(pk=right.pk).progress == pytest.approx(shares[2])
    rollup.refresh_from_db()
    assert rollup.progress == pytest.approx(shares[2])
    # The parent: its roll-up KR (weight 1) and the left child (alignment weight 1).
    assert Objective.objects.get(pk=parent.pk).progress == pytest.approx(
        (shares[2] + left_progress) / 2
    )
    assert_rebuild_clean(org)


def test_concurrent_retries_with_one_idempotency_key_make_one_check_in(org, owner, cycle):
    kr = key_result(objective(org, owner, cycle), owner, "threshold", target=Decimal(1))
    results: list[int] = []

    def work(_index: int) -> None:
        results.append(submit(kr.pk, owner.pk, "5", idempotency_key="retry-42").pk)

    errors = run_threads(work)

    assert errors == []
    assert len(set(results)) == 1
    assert CheckIn.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1
    kr.refresh_from_db()
    assert (kr.checkin_count, kr.threshold_met_count) == (1, 1)
    assert_rebuild_clean(org)


def test_check_ins_in_two_organizations_do_not_wait_for_each_other(
    org, owner, cycle, other_org, other_owner, other_cycle
):
    """Smoke test that check-ins in different tenants run side by side correctly."""
    mine = key_result(objective(org, owner, cycle), owner, "threshold", target=Decimal(1))
    theirs = key_result(
        objective(other_org, other_owner, other_cycle), other_owner, "threshold", target=Decimal(1)
    )

    def work(index: int) -> None:
        kr, user = (mine, owner) if index % 2 else (theirs, other_owner)
        for _ in range(PER_THREAD):
            submit(kr.pk, user.pk, "2")

    errors = run_threads(work)

    assert errors == []
    for kr in (mine, theirs):
        kr.refresh_from_db()
        assert kr.checkin_count == kr.threshold_met_count == THREADS // 2 * PER_THREAD
    assert_rebuild_clean(org)
    assert_rebuild_clean(other_org)


class PausedPropagation:
    """Makes engine.propagate wait in one named thread, holding that thread's row locks."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, thread_name: str) -> None:
        from luodi.okrs import engine

        self.entered = threading.Event()
        self.release = threading.Event()
        real = engine.propagate

        def propagate(**kwargs: object) -> None:
            if threading.current_thread().name == thread_name:
                self.entered.set()
                assert self.release.wait(timeout=30)
            real(**kwargs)

        monkeypatch.setattr(engine, "propagate", propagate)


def in_thread(name: str, errors: list[BaseException], work: Callable[[], object]):
    def body() -> None:
        try:
            work()
        except BaseException as exc:  # asserted on by the test
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=body, name=name)
    thread.start()
    return thread


def test_a_check_in_does_not_lock_the_organization(org, owner, cycle, monkeypatch):
    """Two check-ins on unrelated chains of one organization run side by side: the first
    holds only its key result and its chain, not the organization or cycle rows."""
    first = key_result(objective(org, owner, cycle, "First"), owner, "threshold", target=1)
    second = key_result(objective(org, owner, cycle, "Second"), owner, "threshold", target=1)
    paused = PausedPropagation(monkeypatch, "slow")
    errors: list[BaseException] = []

    slow = in_thread("slow", errors, lambda: submit(first.pk, owner.pk, "2"))
    assert paused.entered.wait(timeout=10)
    fast = in_thread("fast", errors, lambda: submit(second.pk, owner.pk, "2"))
    fast.join(timeout=10)
    finished_while_first_held_its_locks = not fast.is_alive()
    paused.release.set()
    slow.join(timeout=30)
    fast.join(timeout=30)

    assert errors == []
    assert finished_while_first_held_its_locks
    assert_rebuild_clean(org)


def test_editing_a_rollup_key_result_while_a_child_checks_in(org, owner, cycle, monkeypatch):
    """The edit locks the chain in the same global order as check-ins: no deadlock."""
    top = objective(org, owner, cycle, "Top")
    rollup = key_result(top, owner, "rollup")
    child = objective(org, owner, cycle, "Child", alignments=[contributes(rollup)])
    kr = key_result(child, owner, "threshold", target=Decimal(1))
    paused = PausedPropagation(monkeypatch, "edit")
    errors: list[BaseException] = []

    def edit() -> None:
        from luodi.okrs.services import key_result_update

        key_result_update(
            key_result=KeyResult.objects.get(pk=rollup.pk),
            actor=User.objects.get(pk=owner.pk),
            weight=Decimal(2),
        )

    editing = in_thread("edit", errors, edit)
    assert paused.entered.wait(timeout=10)
    checking_in = in_thread("check-in", errors, lambda: submit(kr.pk, owner.pk, "2"))
    checking_in.join(timeout=1)  # let it queue behind the edit's locks
    paused.release.set()
    editing.join(timeout=30)
    checking_in.join(timeout=30)

    assert errors == []
    rollup.refresh_from_db()
    assert (rollup.weight, rollup.progress) == (Decimal(2), 1.0)
    assert_rebuild_clean(org)


def test_editing_an_objective_while_a_child_checks_in(org, owner, cycle, monkeypatch):
    """The parent is created first (lower id), so the check-in locks it before the edited
    objective; the edit must not hold the objective while waiting for its parent."""
    top = objective(org, owner, cycle, "Top")
    middle = objective(org, owner, cycle, "Middle", alignments=[contributes(top)])
    child = objective(org, owner, cycle, "Child", alignments=[contributes(middle)])
    kr = key_result(child, owner, "threshold", target=Decimal(1))
    paused = PausedPropagation(monkeypatch, "edit")
    errors: list[BaseException] = []

    def edit() -> None:
        from luodi.okrs.services import objective_update

        objective_update(
            objective=Objective.objects.get(pk=middle.pk),
            actor=User.objects.get(pk=owner.pk),
            title="Middle, renamed",
            state="closed",
        )

    editing = in_thread("edit", errors, edit)
    assert paused.entered.wait(timeout=10)
    checking_in = in_thread("check-in", errors, lambda: submit(kr.pk, owner.pk, "2"))
    checking_in.join(timeout=1)
    paused.release.set()
    editing.join(timeout=30)
    checking_in.join(timeout=30)

    assert errors == []
    assert Objective.objects.get(pk=top.pk).progress == 1.0
    assert_rebuild_clean(org)


@pytest.mark.parametrize("deleted", ["objective", "rollup key result"])
def test_deleting_while_a_child_checks_in(org, owner, cycle, monkeypatch, deleted):
    top = objective(org, owner, cycle, "Top")
    middle = objective(org, owner, cycle, "Middle", alignments=[contributes(top)])
    rollup = key_result(middle, owner, "rollup")
    key_result(middle, owner, "threshold", title="Middle's own", target=Decimal(1))
    child = objective(
        org, owner, cycle, "Child", alignments=[contributes(middle), contributes(rollup)]
    )
    kr = key_result(child, owner, "threshold", target=Decimal(1))
    paused = PausedPropagation(monkeypatch, "edit")
    errors: list[BaseException] = []

    def delete() -> None:
        from luodi.okrs.services import key_result_delete, objective_delete

        actor = User.objects.get(pk=owner.pk)
        if deleted == "objective":
            objective_delete(objective=Objective.objects.get(pk=middle.pk), actor=actor)
        else:
            key_result_delete(key_result=KeyResult.objects.get(pk=rollup.pk), actor=actor)

    editing = in_thread("edit", errors, delete)
    assert paused.entered.wait(timeout=10)
    checking_in = in_thread("check-in", errors, lambda: submit(kr.pk, owner.pk, "2"))
    checking_in.join(timeout=1)
    paused.release.set()
    editing.join(timeout=30)
    checking_in.join(timeout=30)

    assert errors == []
    assert Objective.objects.get(pk=child.pk).progress == 1.0
    assert_rebuild_clean(org)


def test_the_engines_unit_lock_lets_new_rows_point_at_the_unit(org, owner):
    """The progress counters' unit lock is FOR NO KEY UPDATE: a transaction that meanwhile
    adds a row pointing at the unit (its deferred foreign-key check takes KEY SHARE at
    COMMIT) commits at once. With FOR UPDATE it waited, and two check-ins deadlocked under
    `make load` (each at COMMIT waiting for a unit the other had locked)."""
    from django.db import transaction

    from luodi.okrs import engine
    from luodi.orgs.models import Unit

    unit = Unit.objects.create(organization=org, name="Locked", kind="team")
    locked, release = threading.Event(), threading.Event()

    def work(index: int) -> None:
        if index == 0:
            with transaction.atomic():
                engine._mark_progress_written(engine._Locked({}, unit_ids={unit.pk}))
                locked.set()
                release.wait(60)
            return
        locked.wait(60)
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:  # fail fast instead of waiting
                    cursor.execute("SET LOCAL lock_timeout = '5s'")
                Unit.objects.create(organization=org, name="Child", kind="team", parent=unit)
        finally:
            release.set()

    assert run_threads(work, threads=2) == []
    assert Unit.objects.filter(parent=unit).count() == 1
