"""Reminders fire on each organization's local day and hour, skip those who checked in,
and never twice for the same period however often the hourly job runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from luodi.notify.events import EventKind
from luodi.orgs.models import Organization
from luodi.rhythm.models import ReminderLog
from luodi.rhythm.reminders import run_reminders
from luodi.rhythm.tasks import send_reminders
from tests.conftest import make_metric, make_objective
from tests.rhythm.conftest import check_in, of_kind, recipients

# Friday 27 Nov 2026 (Acme's check-in day, 4) in UTC; Shanghai is UTC+8.
FRIDAY_0959_SHANGHAI = datetime(2026, 11, 27, 1, 59, tzinfo=UTC)
FRIDAY_1000_SHANGHAI = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
CHECKIN = EventKind.REMINDER_CHECKIN_DUE


def test_checkin_reminder_on_the_local_day_and_hour_only(team: Any, sent: list, frozen: Any):
    frozen.move_to(FRIDAY_0959_SHANGHAI, tick=False)
    run_reminders()
    assert of_kind(sent, CHECKIN) == []
    frozen.move_to(FRIDAY_1000_SHANGHAI, tick=False)
    run_reminders()
    assert recipients(sent, CHECKIN) == sorted([team.tom.pk, team.mia.pk, team.carl.pk])
    event = of_kind(sent, CHECKIN)[0]
    assert event["url"] == "/o/acme/checkin/"
    assert event["data"]["week"] == "2026-W48"


def test_not_on_other_days(team: Any, sent: list, frozen: Any):
    for day in range(7):
        moment = datetime(2026, 11, 23, 3, 0, tzinfo=UTC) + timedelta(days=day)  # 11:00 local
        frozen.move_to(moment, tick=False)
        run_reminders()
        fired = bool(of_kind(sent, CHECKIN))
        assert fired == (moment.astimezone(UTC).date().weekday() == 4), moment
        sent.clear()


def test_people_who_checked_in_this_week_are_not_reminded(team: Any, sent: list, frozen: Any):
    # Mia checks in on both her key results on Monday 00:30 local (this week) …
    monday_local_0030 = datetime(2026, 11, 22, 16, 30, tzinfo=UTC)
    check_in(team.deals, team.mia, "5", monday_local_0030)
    check_in(team.secret, team.mia, "1", monday_local_0030)
    # … Carl checked in on Sunday 23:30 local: last week, so he is still due.
    check_in(team.endpoints, team.carl, "3", datetime(2026, 11, 22, 15, 30, tzinfo=UTC))
    frozen.move_to(FRIDAY_1000_SHANGHAI, tick=False)
    run_reminders()
    assert recipients(sent, CHECKIN) == sorted([team.tom.pk, team.carl.pk])


def test_done_and_viewer_key_results_are_not_due(team: Any, sent: list, frozen: Any):
    check_in(team.deals, team.mia, "20", datetime(2026, 11, 20, 2, tzinfo=UTC))  # done
    check_in(team.secret, team.mia, "20", datetime(2026, 11, 20, 2, tzinfo=UTC))
    frozen.move_to(FRIDAY_1000_SHANGHAI, tick=False)
    run_reminders()
    assert team.mia.pk not in recipients(sent, CHECKIN)


def test_hourly_reruns_send_nothing_twice(team: Any, sent: list, frozen: Any):
    frozen.move_to(FRIDAY_1000_SHANGHAI, tick=False)
    first = run_reminders()
    assert first[CHECKIN] == 3
    count = len(sent)
    for hour in range(1, 14):
        frozen.move_to(FRIDAY_1000_SHANGHAI + timedelta(hours=hour), tick=False)
        again = run_reminders()
        assert again[CHECKIN] == 0
    assert len(of_kind(sent, CHECKIN)) == 3
    assert ReminderLog.objects.filter(kind=CHECKIN).count() == 3
    assert len(sent) >= count  # other kinds (digest on Saturday) may follow, never repeats
    # The next week it is due again.
    frozen.move_to(FRIDAY_1000_SHANGHAI + timedelta(days=7), tick=False)
    assert run_reminders()[CHECKIN] == 3


def test_the_huey_task_runs_the_reminders(team: Any, sent: list, frozen: Any):
    frozen.move_to(FRIDAY_1000_SHANGHAI, tick=False)
    send_reminders.call_local()
    assert recipients(sent, CHECKIN) == sorted([team.tom.pk, team.mia.pk, team.carl.pk])


def test_each_organization_in_its_own_timezone_and_day(
    team: Any, other_org: Organization, other_owner: Any, other_cycle: Any, sent: list, frozen: Any
):
    other_org.timezone = "America/New_York"
    other_org.checkin_weekday = 4
    other_org.save()
    objective = make_objective(other_org, other_owner, other_cycle, title="Theirs")
    make_metric(objective, other_owner, title="Their KR", owner_id=other_owner.pk)
    # 02:00 UTC Friday: 10:00 Friday in Shanghai, 21:00 Thursday in New York.
    frozen.move_to(FRIDAY_1000_SHANGHAI, tick=False)
    run_reminders()
    assert other_owner.pk not in recipients(sent, CHECKIN)
    assert all(e["organization"].slug == "acme" for e in of_kind(sent, CHECKIN))
    sent.clear()
    # 15:00 UTC Friday: 10:00 in New York (EST, UTC−5).
    frozen.move_to(datetime(2026, 11, 27, 15, 0, tzinfo=UTC), tick=False)
    run_reminders()
    assert recipients(sent, CHECKIN) == [other_owner.pk]
    assert of_kind(sent, CHECKIN)[0]["organization"] == other_org
    # 14:59 UTC would have been too early there.
    assert ReminderLog.objects.filter(organization=other_org, kind=CHECKIN).count() == 1


def test_check_in_day_setting_is_honoured(team: Any, org: Organization, sent: list, frozen: Any):
    org.checkin_weekday = 0  # Monday
    org.save()
    frozen.move_to(FRIDAY_1000_SHANGHAI, tick=False)
    run_reminders()
    assert of_kind(sent, CHECKIN) == []
    frozen.move_to(datetime(2026, 11, 30, 2, 0, tzinfo=UTC), tick=False)  # Monday 10:00
    run_reminders()
    assert recipients(sent, CHECKIN) == sorted([team.tom.pk, team.mia.pk, team.carl.pk])


def test_stale_nudges_once_a_week_per_key_result(team: Any, sent: list, frozen: Any):
    recent = datetime(2026, 11, 20, 2, tzinfo=UTC)  # 3 days before Monday
    check_in(team.deals, team.mia, "5", recent)
    check_in(team.uptime, team.tom, "95", recent)
    check_in(team.endpoints, team.carl, "1", datetime(2026, 11, 8, 2, tzinfo=UTC))  # 15 days
    frozen.move_to(datetime(2026, 11, 23, 2, 0, tzinfo=UTC), tick=False)  # Monday 10:00
    run_reminders()
    stale = of_kind(sent, EventKind.REMINDER_STALE)
    # Carl's 15-day-old one and Mia's never-checked-in secret (cycle began 1 Oct).
    assert sorted(e["data"]["key_result_id"] for e in stale) == sorted(
        [team.endpoints.pk, team.secret.pk]
    )
    secret = next(e for e in stale if e["data"]["key_result_id"] == team.secret.pk)
    assert secret["recipients"] == [team.mia.pk]
    assert secret["objective_id"] == team.secret_objective.pk  # emit filters visibility
    sent.clear()
    for day in range(1, 7):  # the rest of the week: nothing again
        frozen.move_to(datetime(2026, 11, 23, 3, 0, tzinfo=UTC) + timedelta(days=day), tick=False)
        run_reminders()
    assert of_kind(sent, EventKind.REMINDER_STALE) == []
    frozen.move_to(datetime(2026, 11, 30, 2, 0, tzinfo=UTC), tick=False)
    run_reminders()
    assert len(of_kind(sent, EventKind.REMINDER_STALE)) >= 2


def test_cycle_start_and_end_reminders(
    team: Any, org: Organization, owner: Any, sent: list, frozen: Any
):
    from datetime import date

    from luodi.orgs.services import cycle_create

    nxt = cycle_create(
        organization=org,
        actor=owner,
        name="Q1 2027",
        start_date=date(2027, 1, 1),
        end_date=date(2027, 3, 31),
    )
    make_objective(org, team.mia, nxt, title="Next quarter", level="individual")
    # 24 Dec 09:00 local: Q4 ends on 31 Dec, seven days later.
    frozen.move_to(datetime(2026, 12, 24, 0, 59, tzinfo=UTC), tick=False)
    run_reminders()
    assert of_kind(sent, EventKind.REMINDER_CYCLE_ENDS) == []
    frozen.move_to(datetime(2026, 12, 24, 1, 0, tzinfo=UTC), tick=False)
    run_reminders()
    assert recipients(sent, EventKind.REMINDER_CYCLE_ENDS) == sorted(
        [team.tom.pk, team.mia.pk, team.carl.pk]
    )
    frozen.move_to(datetime(2026, 12, 25, 1, 0, tzinfo=UTC), tick=False)
    run_reminders()
    assert len(of_kind(sent, EventKind.REMINDER_CYCLE_ENDS)) == 3  # not again
    frozen.move_to(datetime(2027, 1, 1, 1, 0, tzinfo=UTC), tick=False)  # 09:00 on 1 Jan
    run_reminders()
    assert recipients(sent, EventKind.REMINDER_CYCLE_STARTS) == [team.mia.pk]


def test_viewers_get_no_checkin_reminder(team: Any, viewer: Any, sent: list, frozen: Any):
    from luodi.okrs.models import KeyResult

    KeyResult.objects.filter(pk=team.uptime.pk).update(owner=viewer)
    frozen.move_to(FRIDAY_1000_SHANGHAI, tick=False)
    run_reminders()
    assert viewer.pk not in recipients(sent, CHECKIN)


def test_one_organizations_failure_does_not_stop_the_others(
    team: Any,
    other_org: Organization,
    other_owner: Any,
    other_cycle: Any,
    sent: list,
    frozen: Any,
    monkeypatch: Any,
):
    from luodi.rhythm import reminders

    real = reminders.run_for_organization

    def broken_for_acme(organization: Organization, now: datetime) -> Any:
        if organization.slug == "acme":
            raise RuntimeError("boom")
        return real(organization, now)

    monkeypatch.setattr(reminders, "run_for_organization", broken_for_acme)
    objective = make_objective(other_org, other_owner, other_cycle, title="Theirs")
    make_metric(objective, other_owner, title="Their KR", owner_id=other_owner.pk)
    other_org.timezone = "Asia/Shanghai"
    other_org.save()
    frozen.move_to(FRIDAY_1000_SHANGHAI, tick=False)
    run_reminders()
    assert recipients(sent, CHECKIN) == [other_owner.pk]
