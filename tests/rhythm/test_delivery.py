"""With the real notification door (no spy): reminders and meeting events land in the
recipients' inboxes, once, and never in the inbox of someone who may not see the objective."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from luodi.notify.events import EventKind
from luodi.notify.models import Notification
from luodi.rhythm.reminders import run_reminders
from luodi.rhythm.services import action_item_create, meeting_schedule


@pytest.fixture(autouse=True)
def _english(org: Any) -> None:
    """Inbox titles are rendered in the organization's language: read them in English."""
    org.locale = "en"
    org.save()


def _inbox(kind: str) -> list[tuple[int, str]]:
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient_id", "title"))


def test_reminders_reach_the_inbox_once(team: Any, frozen: Any):
    frozen.move_to(datetime(2026, 11, 27, 2, 0, tzinfo=UTC), tick=False)
    run_reminders()
    run_reminders()
    inbox = _inbox(EventKind.REMINDER_CHECKIN_DUE)
    assert [user for user, _title in inbox] == sorted([team.tom.pk, team.mia.pk, team.carl.pk])
    mia = dict(inbox)[team.mia.pk]
    assert mia == "Time for your weekly check-in (2 to update)"
    stale = Notification.objects.filter(kind=EventKind.REMINDER_STALE)
    secret = [n for n in stale if "Secret" in n.title]
    assert [n.recipient_id for n in secret] == [team.mia.pk]


def test_meeting_and_action_item_notifications(team: Any):
    meeting = meeting_schedule(
        organization=team.unit.organization,
        actor=team.tom,
        unit_id=team.unit.pk,
        kind="weekly",
        starts_at=datetime(2026, 12, 1, 2, tzinfo=UTC),
    )
    scheduled = _inbox(EventKind.MEETING_SCHEDULED)
    # Tom scheduled it: the actor hears nothing of his own action.
    assert [user for user, _title in scheduled] == sorted([team.mia.pk, team.carl.pk])
    assert scheduled[0][1] == "Platform weekly review on 2026-12-01 10:00"
    action_item_create(meeting=meeting, actor=team.tom, title="Call legal", owner_id=team.mia.pk)
    assert _inbox(EventKind.ACTION_ITEM_ASSIGNED) == [
        (team.mia.pk, "Action item from Platform weekly review: Call legal")
    ]
