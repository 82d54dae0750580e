"""The rhythm pages: my weekly report, the team page, meetings, the invitation download and
action items on the home page; who sees what, and constant query counts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from luodi.orgs.services import member_add
from luodi.rhythm.models import ActionItem, Meeting, ReportState, WeeklyReport
from luodi.rhythm.services import action_item_create, meeting_schedule, report_save
from tests.rhythm.conftest import check_in


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _meeting(team: Any) -> Meeting:
    return meeting_schedule(
        organization=team.unit.organization,
        actor=team.tom,
        unit_id=team.unit.pk,
        kind="weekly",
        starts_at=datetime(2026, 12, 1, 2, tzinfo=UTC),
    )


def test_my_weekly_report_draft_edit_submit(team: Any, frozen: Any):
    check_in(team.deals, team.mia, "4", datetime(2026, 11, 23, 0, 30, tzinfo=UTC))
    client = client_for(team.mia)
    url = "/o/acme/weekly-reports/?week=2026-W48"
    page = client.get(url)
    assert page.status_code == 200
    assert "Draft from my check-ins" in page.content.decode()
    drafted = client.post(url, {"week": "2026-W48", "action": "draft"}, follow=True)
    assert "Deals closed" in drafted.content.decode()
    report = WeeklyReport.objects.get(user=team.mia, week="2026-W48")
    assert "0 → 4" in report.progress
    client.post(
        url,
        {
            "week": "2026-W48",
            "action": "submit",
            "progress": "Done *well*",
            "problems": "",
            "plans": "<script>x</script>",
        },
    )
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED and report.progress == "Done *well*"
    body = client.get(url).content.decode()
    assert "<em>well</em>" in body and "<script>x</script>" not in body


def test_too_long_text_is_refused_with_a_message(team: Any):
    response = client_for(team.mia).post(
        "/o/acme/weekly-reports/?week=2026-W48",
        {"week": "2026-W48", "action": "save", "progress": "x" * 20_001},
    )
    assert response.status_code == 200
    assert "Nothing was saved yet." in response.content.decode()
    assert not WeeklyReport.objects.exists()


def test_leader_sees_who_has_not_submitted(team: Any):
    org = team.unit.organization
    report_save(
        organization=org,
        actor=team.mia,
        period_key="2026-W48",
        texts={"progress": "Mia's progress"},
        submit=True,
    )
    report_save(
        organization=org, actor=team.carl, period_key="2026-W48", texts={"progress": "Carl's draft"}
    )
    body = client_for(team.tom).get("/o/acme/weekly-reports/team/?week=2026-W48").content.decode()
    submitted, missing = body.split('id="not-submitted"')
    assert "Mia&#x27;s progress" in submitted or "Mia's progress" in submitted
    assert "Carl&#x27;s draft" not in body and "Carl's draft" not in body
    assert "Carl Colleague" in missing and "Tom Team" in missing
    assert "Mia Member" not in missing
    # Lena leads Engineering: Platform is below, so she reads it too.
    assert (
        "Mia"
        in client_for(team.lena).get("/o/acme/weekly-reports/team/?week=2026-W48").content.decode()
    )


@pytest.mark.parametrize("persona", ["carl", "viewer"])
def test_non_leaders_read_no_team_reports(team: Any, viewer: Any, persona: str):
    report_save(
        organization=team.unit.organization,
        actor=team.mia,
        period_key="2026-W48",
        texts={"progress": "Mia's progress"},
        submit=True,
    )
    user = viewer if persona == "viewer" else team.carl
    body = client_for(user).get("/o/acme/weekly-reports/team/?week=2026-W48").content.decode()
    assert "You lead no unit" in body and "Mia" not in body


def test_outsiders_and_anonymous(team: Any, other_owner: Any):
    for path in (
        "/o/acme/weekly-reports/",
        "/o/acme/weekly-reports/team/",
        "/o/acme/meetings/",
        "/o/acme/monthly-summaries/",
    ):
        assert client_for(other_owner).get(path).status_code == 404
        assert Client().get(path).status_code == 302


def test_team_page_query_count_is_constant(team: Any, org: Any, owner: Any):
    url = "/o/acme/weekly-reports/team/?week=2026-W48"
    client = client_for(team.tom)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for index in range(8):
        user = member_add(
            organization=org, actor=owner, email=f"p{index}@acme.example", unit_id=team.unit.pk
        ).user
        report_save(
            organization=org,
            actor=user,
            period_key="2026-W48",
            texts={"progress": f"P{index}"},
            submit=index % 2 == 0,
        )
    with CaptureQueriesContext(connection) as large:
        body = client.get(url).content.decode()
    assert "P6" in body
    assert len(large.captured_queries) == len(small.captured_queries)


def test_schedule_from_the_page_and_see_the_agenda(team: Any):
    client = client_for(team.tom)
    assert client.get("/o/acme/meetings/new/").status_code == 200
    response = client.post(
        "/o/acme/meetings/new/",
        {
            "unit": team.unit.pk,
            "kind": "weekly",
            "starts_at": "2026-12-01T10:00",
            "duration_minutes": 60,
            "title": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    meeting = Meeting.objects.get()
    assert meeting.starts_at == datetime(2026, 12, 1, 2, tzinfo=UTC)  # 10:00 in Shanghai
    body = client.get(response["Location"]).content.decode()
    assert "Ship the API" in body and "Secret side project" not in body
    assert "Secret side project" in client_for(team.mia).get(response["Location"]).content.decode()
    # A plain member may not schedule.
    assert client_for(team.carl).get("/o/acme/meetings/new/").status_code == 403


def test_bad_schedule_input_shows_errors(team: Any):
    response = client_for(team.tom).post(
        "/o/acme/meetings/new/",
        {"unit": team.dept.pk, "kind": "weekly", "starts_at": "nope", "duration_minutes": 5},
    )
    assert response.status_code == 200
    assert "Nothing was saved yet." in response.content.decode()
    assert not Meeting.objects.exists()


def test_ics_download(team: Any, viewer: Any):
    meeting = _meeting(team)
    response = client_for(team.carl).get(f"/o/acme/meetings/{meeting.pk}/invite.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["UID"]) == meeting.uid
    assert f"/o/acme/meetings/{meeting.pk}/" in str(event["DESCRIPTION"])
    assert "Secret" not in response.content.decode()
    assert client_for(viewer).get(f"/o/acme/meetings/{meeting.pk}/invite.ics").status_code == 404


def test_notes_and_action_items_from_the_page(team: Any, sent: list):
    meeting = _meeting(team)
    base = f"/o/acme/meetings/{meeting.pk}/"
    tom = client_for(team.tom)
    assert tom.post(base + "notes/", {"notes": "We met", "decisions": "Go"}).status_code == 302
    assert client_for(team.carl).post(base + "notes/", {"notes": "x"}).status_code == 403
    response = tom.post(
        base + "action-items/",
        {
            "title": "Call legal",
            "owner": team.mia.pk,
            "due_date": "2026-12-04",
            "key_result": team.deals.pk,
        },
    )
    assert response.status_code == 302
    item = ActionItem.objects.get()
    assert item.key_result == team.deals
    # On Mia's home page, and she marks it done there.
    home = client_for(team.mia).get("/o/acme/").content.decode()
    assert "Call legal" in home and "Deals closed" in home
    done = client_for(team.mia).post(
        f"/o/acme/action-items/{item.pk}/done/", {"done": "1", "next": "/o/acme/"}
    )
    assert done.status_code == 302 and done["Location"] == "/o/acme/"
    item.refresh_from_db()
    assert item.done_at is not None
    assert "Call legal" not in client_for(team.mia).get("/o/acme/").content.decode()


def test_home_page_query_count_constant_with_action_items(team: Any):
    meeting = _meeting(team)
    client = client_for(team.mia)
    client.get("/o/acme/")
    action_item_create(
        meeting=meeting,
        actor=team.tom,
        title="A0",
        owner_id=team.mia.pk,
        key_result_id=team.deals.pk,
    )
    with CaptureQueriesContext(connection) as small:
        client.get("/o/acme/")
    for index in range(1, 8):
        action_item_create(
            meeting=meeting,
            actor=team.tom,
            title=f"A{index}",
            owner_id=team.mia.pk,
            due_date=date(2026, 12, index),
            key_result_id=team.uptime.pk,
        )
    with CaptureQueriesContext(connection) as large:
        body = client.get("/o/acme/").content.decode()
    assert "A7" in body
    assert len(large.captured_queries) == len(small.captured_queries)


def test_meeting_list_query_count_is_constant(team: Any):
    client = client_for(team.tom)
    _meeting(team)
    client.get("/o/acme/meetings/")
    with CaptureQueriesContext(connection) as small:
        client.get("/o/acme/meetings/")
    for _index in range(6):
        _meeting(team)
    with CaptureQueriesContext(connection) as large:
        body = client.get("/o/acme/meetings/").content.decode()
    assert body.count("Platform weekly review") == 7
    assert len(large.captured_queries) == len(small.captured_queries)


def test_meeting_detail_query_count_is_constant(team: Any):
    meeting = _meeting(team)
    client = client_for(team.tom)
    url = f"/o/acme/meetings/{meeting.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for index in range(6):
        action_item_create(
            meeting=meeting,
            actor=team.tom,
            title=f"A{index}",
            owner_id=team.carl.pk,
            key_result_id=team.deals.pk,
        )
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_an_action_item_owner_outside_the_unit_sees_the_meeting(team: Any, viewer: Any):
    meeting = _meeting(team)
    url = f"/o/acme/meetings/{meeting.pk}/"
    assert client_for(viewer).get(url).status_code == 404
    action_item_create(meeting=meeting, actor=team.owner, title="Review it", owner_id=viewer.pk)
    viewer.__dict__.pop("_luodi_viewers", None)
    body = client_for(viewer).get(url).content.decode()
    assert "Review it" in body and "Secret" not in body
    assert "Save notes" not in body  # reads, does not edit


def test_monthly_team_page(team: Any):
    report_save(
        organization=team.unit.organization,
        actor=team.carl,
        kind="month",
        period_key="2026-11",
        texts={"progress": "Carl's month"},
        submit=True,
    )
    body = (
        client_for(team.tom).get("/o/acme/monthly-summaries/team/?month=2026-11").content.decode()
    )
    submitted, missing = body.split('id="not-submitted"')
    assert "Carl" in submitted and "Mia Member" in missing
    assert client_for(team.mia).get("/o/acme/monthly-summaries/?month=2026-11").status_code == 200


def test_viewers_are_not_expected_to_write_reports(team: Any, viewer: Any):
    """Read-only members (a board observer, say) write no OKRs and no weekly report."""
    from luodi.orgs.models import Membership

    Membership.objects.filter(organization=team.unit.organization, user=viewer).update(
        unit=team.unit
    )
    body = client_for(team.tom).get("/o/acme/weekly-reports/team/?week=2026-W48").content.decode()
    _submitted, missing = body.split('id="not-submitted"')
    assert "Tom Team" in missing
    assert viewer.name not in missing
