"""Review meetings: who schedules them, the agenda they get, the invitation and action items."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from icalendar import Calendar

from luodi.notify.events import EventKind
from luodi.okrs.permissions import viewer_for
from luodi.rhythm.agenda import public_items, visible_items
from luodi.rhythm.ical import meeting_ics
from luodi.rhythm.models import Meeting
from luodi.rhythm.services import (
    action_item_create,
    action_item_set_done,
    meeting_refresh_agenda,
    meeting_schedule,
    meeting_update,
)
from tests.rhythm.conftest import check_in, of_kind

NEXT_TUESDAY = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def schedule(team: Any, actor: Any, **extra: Any) -> Meeting:
    extra.setdefault("unit_id", team.unit.pk)
    extra.setdefault("kind", "weekly")
    extra.setdefault("starts_at", NEXT_TUESDAY)
    return meeting_schedule(organization=team.unit.organization, actor=actor, **extra)


def _fresh(user: Any) -> Any:
    user.__dict__.pop("_luodi_viewers", None)
    user.__dict__.pop("_luodi_memberships", None)
    return user


def test_leaders_and_admins_schedule_members_do_not(team: Any):
    assert schedule(team, team.tom).title == "Platform weekly review"
    assert schedule(team, team.lena, kind="monthly").kind == "monthly"  # leads above
    assert schedule(team, team.owner, kind="quarterly").organizer == team.owner
    with pytest.raises(PermissionDenied):
        schedule(team, team.carl)
    with pytest.raises(PermissionDenied):
        schedule(team, team.tom, unit_id=team.dept.pk)  # Tom leads only Platform
    assert Meeting.objects.count() == 3


def test_bad_input_is_refused(team: Any, other_org: Any, other_owner: Any):
    from luodi.orgs.services import unit_create

    theirs = unit_create(organization=other_org, actor=other_owner, name="X", kind="team")
    for extra, field in (
        ({"unit_id": theirs.pk}, "unit_id"),
        ({"unit_id": "1"}, "unit_id"),
        ({"kind": "daily"}, "kind"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"duration_minutes": 5}, "duration_minutes"),
        ({"title": "x" * 301}, "title"),
    ):
        with pytest.raises(ValidationError) as caught:
            schedule(team, team.owner, **extra)
        assert field in caught.value.message_dict
    assert not Meeting.objects.exists()


def test_agenda_lists_off_track_stale_and_big_changes(team: Any, frozen: Any):
    check_in(team.uptime, team.tom, "99", datetime(2026, 11, 20, 2, tzinfo=UTC))  # 90% moved
    check_in(team.deals, team.mia, "2", datetime(2026, 11, 20, 2, tzinfo=UTC), confidence=2)
    meeting = schedule(team, team.tom)
    by_kr = {item["key_result_id"]: item for item in meeting.agenda}
    assert by_kr[team.deals.pk]["reasons"][0] == "off_track"
    assert "stale" in by_kr[team.endpoints.pk]["reasons"]  # never checked in since 1 Oct
    assert by_kr[team.uptime.pk]["reasons"] == ["big_change"]
    assert by_kr[team.uptime.pk]["change"] == {"from": 0.0, "to": 0.9}
    assert team.secret.pk in by_kr  # stored, but shown only to those who may see it
    # Off track first.
    assert meeting.agenda[0]["key_result_id"] == team.deals.pk


def test_big_change_counts_since_the_units_last_meeting(team: Any, frozen: Any):
    check_in(team.uptime, team.tom, "99", datetime(2026, 11, 20, 2, tzinfo=UTC))
    schedule(team, team.tom, starts_at=datetime(2026, 11, 21, 2, tzinfo=UTC))
    check_in(team.uptime, team.tom, "99.5", datetime(2026, 11, 22, 2, tzinfo=UTC))
    later = schedule(team, team.tom)
    assert team.uptime.pk not in {item["key_result_id"] for item in later.agenda}


def test_private_objectives_only_for_those_who_may_see_them(team: Any):
    meeting = schedule(team, team.tom)

    def titles(user):
        return {
            i["objective"]
            for i in visible_items(meeting, viewer_for(meeting.organization, _fresh(user)))
        }

    assert "Secret side project" in titles(team.mia)  # her own
    assert "Secret side project" in titles(team.owner)  # admin
    assert "Secret side project" not in titles(team.tom)
    assert "Secret side project" not in titles(team.carl)
    assert "Ship the API" in titles(team.carl)
    assert "Secret side project" not in {i["objective"] for i in public_items(meeting)}


def test_meeting_scheduled_tells_the_attendees_without_the_agenda(team: Any, sent: list):
    meeting = schedule(team, team.tom)
    (event,) = of_kind(sent, EventKind.MEETING_SCHEDULED)
    assert sorted(event["recipients"]) == sorted([team.tom.pk, team.mia.pk, team.carl.pk])
    assert event["actor_id"] == team.tom.pk
    assert event["url"] == f"/o/acme/meetings/{meeting.pk}/"
    assert event["data"]["ics_url"].endswith("/invite.ics")
    assert "agenda" not in event["data"]
    assert "Secret" not in str(event)


def test_ics_invitation_parses_with_the_right_fields(team: Any):
    meeting = schedule(team, team.tom, duration_minutes=45)
    calendar = Calendar.from_ical(meeting_ics(meeting, "https://luodi.example/o/acme/meetings/1/"))
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == meeting.uid
    assert event.decoded("DTSTART") == NEXT_TUESDAY
    assert event.decoded("DTEND") == NEXT_TUESDAY + timedelta(minutes=45)
    assert str(event["SUMMARY"]) == "Platform weekly review"
    assert str(event["ORGANIZER"]) == "mailto:tom@acme.example"
    attendees = event["ATTENDEE"]
    assert sorted(str(a) for a in attendees) == [
        "mailto:carl@acme.example",
        "mailto:member@acme.example",
        "mailto:tom@acme.example",
    ]
    description = str(event["DESCRIPTION"])
    assert "Endpoints shipped (Ship the API)" in description
    assert "Secret" not in description


def test_notes_decisions_and_refresh_by_editors_only(team: Any, frozen: Any):
    meeting = schedule(team, team.tom)
    meeting_update(meeting=meeting, actor=team.tom, notes="We talked", decisions="Ship it")
    meeting.refresh_from_db()
    assert (meeting.notes, meeting.decisions) == ("We talked", "Ship it")
    with pytest.raises(PermissionDenied):
        meeting_update(meeting=meeting, actor=team.carl, notes="mine now")
    check_in(team.endpoints, team.carl, "9", datetime(2026, 11, 22, 2, tzinfo=UTC))
    meeting_refresh_agenda(meeting=meeting, actor=team.tom)
    by_kr = {item["key_result_id"]: item for item in meeting.agenda}
    assert by_kr[team.endpoints.pk]["reasons"] == ["big_change"]


def test_action_items(team: Any, sent: list):
    meeting = schedule(team, team.tom)
    item = action_item_create(
        meeting=meeting,
        actor=team.tom,
        title="Call legal",
        owner_id=team.mia.pk,
        due_date=date(2026, 12, 4),
        key_result_id=team.deals.pk,
    )
    (event,) = of_kind(sent, EventKind.ACTION_ITEM_ASSIGNED)
    assert event["recipients"] == [team.mia.pk]
    assert event["url"].endswith(f"#action-{item.pk}")
    action_item_set_done(item=item, actor=_fresh(team.mia), done=True)
    assert item.done_at is not None
    with pytest.raises(PermissionDenied):
        action_item_set_done(item=item, actor=team.carl, done=False)
    with pytest.raises(ValidationError) as caught:  # Tom may not see Mia's private objective
        action_item_create(
            meeting=meeting,
            actor=team.tom,
            title="x",
            owner_id=team.mia.pk,
            key_result_id=team.secret.pk,
        )
    assert "key_result_id" in caught.value.message_dict
    with pytest.raises(ValidationError):
        action_item_create(meeting=meeting, actor=team.tom, title="x", owner_id=999999)
    with pytest.raises(PermissionDenied):
        action_item_create(meeting=meeting, actor=team.carl, title="x", owner_id=team.carl.pk)
