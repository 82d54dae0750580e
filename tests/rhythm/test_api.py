"""The rhythm API: weekly reports, drafts, meetings and action items, with the permission
matrix (owner, leader, member, viewer, outsider, anonymous) and the API's error shape."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from luodi.rhythm.models import ActionItem, Meeting, WeeklyReport
from tests.api.conftest import Api
from tests.rhythm.conftest import check_in

MEETING = {"unit_id": None, "kind": "weekly", "starts_at": "2026-12-01T10:00:00"}


@pytest.fixture
def apis(team: Any, viewer: Any, other_owner: Any, other_org: Any) -> dict[str, Api]:
    return {
        "owner": Api(team.owner),
        "leader": Api(team.tom),
        "member": Api(team.mia),
        "colleague": Api(team.carl),
        "viewer": Api(viewer),
        "outsider": Api(other_owner),
        "anonymous": Api(None),
    }


def test_write_submit_and_read_a_weekly_report(team: Any, apis: dict[str, Api]):
    body = {"week": "2026-W48", "progress": "Closed two deals", "plans": "More"}
    created = apis["member"].post("/orgs/acme/weekly-reports", body)
    assert created.status_code == 201, created.content
    report = created.json()
    assert report["week"] == "2026-W48" and report["state"] == "draft"
    assert report["submitted_at"] is None
    changed = apis["member"].post(
        "/orgs/acme/weekly-reports", {"week": "2026-W48", "problems": "Legal", "submit": True}
    )
    assert changed.status_code == 200
    assert changed.json()["progress"] == "Closed two deals"  # left alone
    assert changed.json()["submitted_at"] is not None
    # The leader and the owner read it; a colleague, a viewer and outsiders do not.
    for persona, sees in (
        ("leader", True),
        ("owner", True),
        ("colleague", False),
        ("viewer", False),
    ):
        items = apis[persona].get(f"/orgs/acme/weekly-reports?user_id={team.mia.pk}").json()
        assert bool(items["items"]) == sees, persona
        detail = apis[persona].get(f"/orgs/acme/weekly-reports/{report['id']}")
        assert detail.status_code == (200 if sees else 404), persona
    assert apis["outsider"].get("/orgs/acme/weekly-reports").status_code == 404
    assert apis["anonymous"].get("/orgs/acme/weekly-reports").status_code == 401


def test_a_draft_is_not_shown_to_the_leader(team: Any, apis: dict[str, Api]):
    apis["member"].post("/orgs/acme/weekly-reports", {"week": "2026-W48", "progress": "wip"})
    assert apis["leader"].get("/orgs/acme/weekly-reports?week=2026-W48").json()["items"] == []
    assert len(apis["member"].get("/orgs/acme/weekly-reports").json()["items"]) == 1


def test_draft_from_check_ins(team: Any, apis: dict[str, Api], frozen: Any):
    check_in(team.deals, team.mia, "4", datetime(2026, 11, 23, 0, 30, tzinfo=UTC))
    response = apis["member"].post("/orgs/acme/weekly-reports/draft", {"week": "2026-W48"})
    assert response.status_code == 200, response.content
    assert "**Deals closed** (Close more deals): 0 → 4" in response.json()["progress"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"week": "W48"}, "week"),
        ({"week": "2026-W48", "progress": 3}, "progress"),
        ({"week": "2026-W48", "submit": "yes"}, "submit"),
        ({"week": "2026-W48", "mood": "fine"}, "mood"),
        ({}, "week"),
    ],
)
def test_bad_report_input(team: Any, apis: dict[str, Api], body: dict, field: str):
    response = apis["member"].post("/orgs/acme/weekly-reports", body)
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
    assert not WeeklyReport.objects.exists()


def test_monthly_summary(team: Any, apis: dict[str, Api]):
    response = apis["member"].post("/orgs/acme/monthly-summaries/draft", {"month": "2026-11"})
    assert response.status_code == 200, response.content
    assert response.json()["month"] == "2026-11"
    bad = apis["member"].post("/orgs/acme/monthly-summaries", {"month": "2026-13"})
    assert bad.status_code == 422 and "month" in bad.json()["error"]["fields"]


def test_schedule_a_meeting(team: Any, apis: dict[str, Api]):
    body = {**MEETING, "unit_id": team.unit.pk}
    response = apis["leader"].post("/orgs/acme/meetings", body)
    assert response.status_code == 201, response.content
    meeting = response.json()
    assert meeting["title"] == "Platform weekly review"
    assert meeting["starts_at"].startswith("2026-12-01T10:00:00+08:00") or meeting[
        "starts_at"
    ].startswith("2026-12-01T02:00:00")
    assert meeting["ics_url"] == f"/o/acme/meetings/{meeting['id']}/invite.ics"
    titles = {item["objective"] for item in meeting["agenda"]}
    assert "Ship the API" in titles and "Secret side project" not in titles
    # Mia sees her private objective on the agenda; Carl does not.
    mine = apis["member"].get(f"/orgs/acme/meetings/{meeting['id']}").json()
    assert "Secret side project" in {i["objective"] for i in mine["agenda"]}
    carls = apis["colleague"].get(f"/orgs/acme/meetings/{meeting['id']}").json()
    assert "Secret side project" not in {i["objective"] for i in carls["agenda"]}
    assert carls["can_edit"] is False


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("owner", 201),
        ("leader", 201),
        ("member", 403),
        ("viewer", 403),
        ("outsider", 404),
        ("anonymous", 401),
    ],
)
def test_who_schedules(team: Any, apis: dict[str, Api], persona: str, status: int):
    response = apis[persona].post("/orgs/acme/meetings", {**MEETING, "unit_id": team.unit.pk})
    assert response.status_code == status, response.content
    assert "error" in response.json() or status == 201
    assert Meeting.objects.count() == (1 if status == 201 else 0)


def test_meetings_are_404_across_organizations_and_for_outsiders_of_the_unit(
    team: Any, apis: dict[str, Api], viewer: Any
):
    meeting = apis["leader"].post("/orgs/acme/meetings", {**MEETING, "unit_id": team.unit.pk})
    pk = meeting.json()["id"]
    assert apis["outsider"].get(f"/orgs/other/meetings/{pk}").status_code == 404
    assert apis["viewer"].get(f"/orgs/acme/meetings/{pk}").status_code == 404  # not in unit
    assert apis["viewer"].get("/orgs/acme/meetings").json()["items"] == []
    assert apis["owner"].get(f"/orgs/acme/meetings/{pk}").status_code == 200
    assert apis["member"].get("/orgs/acme/meetings").json()["items"][0]["id"] == pk


def test_bad_meeting_input(team: Any, apis: dict[str, Api], other_org: Any):
    for body, field in (
        ({**MEETING, "unit_id": 999999}, "unit_id"),
        ({**MEETING, "unit_id": team.unit.pk, "kind": "daily"}, "kind"),
        ({**MEETING, "unit_id": team.unit.pk, "starts_at": "soon"}, "starts_at"),
        ({**MEETING, "unit_id": team.unit.pk, "duration_minutes": 1}, "duration_minutes"),
        ({**MEETING, "unit_id": team.unit.pk, "duration_minutes": True}, "duration_minutes"),
    ):
        response = apis["owner"].post("/orgs/acme/meetings", body)
        assert response.status_code == 422, (body, response.content)
        assert field in response.json()["error"]["fields"], response.json()
    assert not Meeting.objects.exists()


def test_notes_and_action_items(team: Any, apis: dict[str, Api]):
    pk = (
        apis["leader"]
        .post("/orgs/acme/meetings", {**MEETING, "unit_id": team.unit.pk})
        .json()["id"]
    )
    patched = apis["leader"].patch(f"/orgs/acme/meetings/{pk}", {"notes": "N", "decisions": "D"})
    assert patched.status_code == 200 and patched.json()["decisions"] == "D"
    assert apis["colleague"].patch(f"/orgs/acme/meetings/{pk}", {"notes": "x"}).status_code == 403
    item = apis["leader"].post(
        f"/orgs/acme/meetings/{pk}/action-items",
        {
            "title": "Call legal",
            "owner_id": team.mia.pk,
            "due_date": "2026-12-04",
            "key_result_id": team.deals.pk,
        },
    )
    assert item.status_code == 201, item.content
    item_id = item.json()["id"]
    mine = apis["member"].get("/orgs/acme/action-items").json()["items"]
    assert [i["id"] for i in mine] == [item_id]
    assert (
        apis["colleague"].patch(f"/orgs/acme/action-items/{item_id}", {"done": True}).status_code
        == 403
    )
    done = apis["member"].patch(f"/orgs/acme/action-items/{item_id}", {"done": True})
    assert done.status_code == 200 and done.json()["done_at"] is not None
    assert apis["member"].get("/orgs/acme/action-items").json()["items"] == []
    assert (
        apis["outsider"].patch(f"/orgs/other/action-items/{item_id}", {"done": True}).status_code
        == 404
    )
    bad = apis["leader"].post(
        f"/orgs/acme/meetings/{pk}/action-items", {"title": "x", "owner_id": 999999}
    )
    assert bad.status_code == 422 and "owner_id" in bad.json()["error"]["fields"]
    assert ActionItem.objects.count() == 1


def test_list_query_counts_are_constant(team: Any, apis: dict[str, Api], org: Any):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from luodi.rhythm.services import meeting_schedule, report_save

    def schedule() -> None:
        meeting_schedule(
            organization=org,
            actor=team.tom,
            unit_id=team.unit.pk,
            kind="weekly",
            starts_at=datetime(2026, 12, 1, 2, tzinfo=UTC),
        )

    schedule()
    report_save(organization=org, actor=team.mia, period_key="2026-W48", texts={}, submit=True)
    tom = apis["leader"]
    counts = []
    for _round in range(2):
        tom.get("/orgs/acme/meetings")
        with CaptureQueriesContext(connection) as meetings:
            assert tom.get("/orgs/acme/meetings").status_code == 200
        with CaptureQueriesContext(connection) as reports:
            assert tom.get("/orgs/acme/weekly-reports").status_code == 200
        counts.append((len(meetings.captured_queries), len(reports.captured_queries)))
        for _index in range(5):
            schedule()
        for week in ("2026-W45", "2026-W46", "2026-W47"):
            report_save(organization=org, actor=team.carl, period_key=week, texts={}, submit=True)
    assert counts[0] == counts[1]
    assert len(tom.get("/orgs/acme/meetings").json()["items"]) == 11
