"""A review meeting as an iCalendar invitation (RFC 5545), via the icalendar library."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from icalendar import Calendar, Event, vCalAddress, vText

from luodi.orgs.models import Membership
from luodi.rhythm.access import subtree_ids
from luodi.rhythm.agenda import public_items
from luodi.rhythm.models import Meeting
from luodi.web.templatetags.luodi import pct

REASON_LABELS = {
    "off_track": gettext_noop("Off track"),
    "at_risk": gettext_noop("At risk"),
    "stale": gettext_noop("Not updated for two weeks"),
    "big_change": gettext_noop("Moved a lot"),
}


def agenda_text(items: list[dict]) -> str:
    """The agenda as plain lines (organization-wide objectives only: the file is shared)."""
    if not items:
        return _("Nothing needs attention: no key result is off track, at risk or stale.")
    lines = []
    for item in items:
        reasons = ", ".join(_(REASON_LABELS[r]) for r in item["reasons"])
        lines.append(f"- {item['title']} ({item['objective']}): {reasons}; {pct(item['progress'])}")
    return "\n".join(lines)


def meeting_ics(meeting: Meeting, url: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Luodi//OKR review meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", meeting.uid)
    event.add("dtstamp", datetime.now(UTC))
    start = meeting.starts_at.astimezone(UTC)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=meeting.duration_minutes))
    event.add("summary", meeting.title)
    event.add("description", f"{agenda_text(public_items(meeting))}\n\n{url}")
    event.add("url", url)
    if meeting.organizer is not None:
        organizer = vCalAddress(f"mailto:{meeting.organizer.email}")
        organizer.params["cn"] = vText(meeting.organizer.display_name)
        event["organizer"] = organizer
    members = (
        Membership.objects.filter(
            organization_id=meeting.organization_id,
            unit_id__in=subtree_ids(meeting.organization, meeting.unit_id),
        )
        .select_related("user")
        .order_by("user__email")
    )
    for membership in members:
        attendee = vCalAddress(f"mailto:{membership.user.email}")
        attendee.params["cn"] = vText(membership.user.display_name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    return calendar.to_ical()
