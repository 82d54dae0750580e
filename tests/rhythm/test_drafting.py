"""A weekly report drafted from the person's own check-ins of the week (local time)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from luodi.notify.events import EventKind
from luodi.rhythm.models import ReportState, WeeklyReport
from luodi.rhythm.periods import parse_week
from luodi.rhythm.services import report_draft, report_save
from tests.rhythm.conftest import check_in, of_kind

WEDNESDAY = datetime(2026, 11, 25, 2, tzinfo=UTC)


def _draft(team: Any, user: Any, week: str = "2026-W48") -> WeeklyReport:
    return report_draft(organization=team.unit.organization, actor=user, period_key=week)


def test_progress_problems_and_plans_from_my_check_ins(team: Any, frozen: Any):
    check_in(team.deals, team.mia, "2", datetime(2026, 11, 18, 2, tzinfo=UTC))  # last week
    check_in(
        team.deals,
        team.mia,
        "6",
        WEDNESDAY,
        confidence=3,
        note="Two new customers signed.\nBlocked by legal review.\nNext: follow up with ACME",
    )
    frozen.move_to(datetime(2026, 11, 27, 2, tzinfo=UTC), tick=False)
    report = _draft(team, team.mia)
    assert "**Deals closed** (Close more deals): 2 → 6" in report.progress
    assert "progress 10% → 30%" in report.progress
    assert "confidence 3/10" in report.progress
    assert "> Two new customers signed." in report.progress
    assert "low confidence (3/10)" in report.problems
    assert "Blocked by legal review." in report.problems
    assert "Off track (progress 30%, expected" in report.problems  # 30% vs 63% by 27 Nov
    assert "- follow up with ACME" in report.plans
    assert report.state == ReportState.DRAFT


def test_notes_that_report_no_problem_are_not_problems(team: Any, frozen: Any):
    note = (
        "Blockers: none.\n阻塞：无\nLast week's issue is solved.\n风险已解决\n"
        "Risk: the supplier may be late."
    )
    check_in(team.deals, team.mia, "6", WEDNESDAY, confidence=7, note=note)
    frozen.move_to(datetime(2026, 11, 27, 2, tzinfo=UTC), tick=False)
    problems = _draft(team, team.mia).problems
    assert "Risk: the supplier may be late." in problems
    for quiet in ("Blockers: none.", "阻塞：无", "issue is solved", "风险已解决"):
        assert quiet not in problems


def test_only_this_weeks_check_ins_in_the_organizations_timezone(team: Any, frozen: Any):
    # Sunday 23:30 in Shanghai belongs to week 47; Monday 00:30 to week 48.
    check_in(team.deals, team.mia, "3", datetime(2026, 11, 22, 15, 30, tzinfo=UTC))
    check_in(team.deals, team.mia, "4", datetime(2026, 11, 22, 16, 30, tzinfo=UTC))
    report = _draft(team, team.mia)
    assert "3 → 4" in report.progress
    last_week = _draft(team, team.mia, "2026-W47")
    assert "0 → 3" in last_week.progress


def test_only_my_own_check_ins(team: Any, frozen: Any):
    check_in(team.endpoints, team.carl, "4", WEDNESDAY)
    frozen.move_to(datetime(2026, 11, 27, 2, tzinfo=UTC), tick=False)
    report = _draft(team, team.mia)
    assert "Endpoints" not in report.progress + report.problems + report.plans
    assert "**Deals closed** (Close more deals): not updated in this period" in report.plans


def test_private_objectives_stay_out_of_a_report_the_leader_reads(team: Any, frozen: Any):
    check_in(team.secret, team.mia, "4", WEDNESDAY, note="Blocked on secret stuff")
    frozen.move_to(datetime(2026, 11, 27, 2, tzinfo=UTC), tick=False)
    report = _draft(team, team.mia)
    assert "Secret" not in report.progress + report.problems + report.plans
    assert "secret stuff" not in report.problems


def test_submit_tells_the_unit_leader_once(team: Any, sent: list, frozen: Any):
    org = team.unit.organization
    report_save(
        organization=org, actor=team.mia, period_key="2026-W48", texts={"progress": "Did X"}
    )
    assert of_kind(sent, EventKind.WEEKLY_REPORT_SUBMITTED) == []
    report = report_save(
        organization=org, actor=team.mia, period_key="2026-W48", texts={}, submit=True
    )
    assert report.state == ReportState.SUBMITTED and report.submitted_at is not None
    (event,) = of_kind(sent, EventKind.WEEKLY_REPORT_SUBMITTED)
    assert event["recipients"] == [team.tom.pk]
    assert event["url"] == "/o/acme/weekly-reports/team/?week=2026-W48"
    report_save(organization=org, actor=team.mia, period_key="2026-W48", texts={}, submit=True)
    assert len(of_kind(sent, EventKind.WEEKLY_REPORT_SUBMITTED)) == 1
    # Tom's own report goes to the leader above him.
    report_save(organization=org, actor=team.tom, period_key="2026-W48", texts={}, submit=True)
    assert of_kind(sent, EventKind.WEEKLY_REPORT_SUBMITTED)[-1]["recipients"] == [team.lena.pk]


def test_a_submitted_report_is_not_redrafted(team: Any):
    org = team.unit.organization
    report_save(organization=org, actor=team.mia, period_key="2026-W48", texts={}, submit=True)
    with pytest.raises(ValidationError):
        _draft(team, team.mia)


@pytest.mark.parametrize(
    ("week", "texts", "field"),
    [
        ("2026-48", {}, "week"),
        ("2026-W54", {}, "week"),
        ("2027-W10", {}, "week"),  # the future
        ("2026-W48", {"progress": "x" * 20_001}, "progress"),
        ("2026-W48", {"plans": "a\x00b"}, "plans"),
        ("2026-W48", {"plans": 5}, "plans"),
        ("2026-W48", {"mood": "ok"}, "mood"),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(team: Any, week: str, texts: dict, field: str):
    with pytest.raises(ValidationError) as caught:
        report_save(
            organization=team.unit.organization, actor=team.mia, period_key=week, texts=texts
        )
    assert field in caught.value.message_dict
    assert not WeeklyReport.objects.exists()


def test_weeks_parse_iso():
    period = parse_week("2026-W01")
    assert period.first.isoformat() == "2025-12-29"
    assert period.end.isoformat() == "2026-01-05"


def test_monthly_summary_drafted_from_the_months_check_ins(team: Any, frozen: Any):
    check_in(team.deals, team.mia, "1", datetime(2026, 10, 30, 2, tzinfo=UTC))  # October
    check_in(team.deals, team.mia, "3", datetime(2026, 11, 5, 2, tzinfo=UTC))
    check_in(team.deals, team.mia, "7", datetime(2026, 11, 20, 2, tzinfo=UTC), note="Next: more")
    summary = report_draft(
        organization=team.unit.organization, actor=team.mia, kind="month", period_key="2026-11"
    )
    assert summary.month == "2026-11"
    assert "1 → 7" in summary.progress  # from before the month to its last check-in
    assert "- more" in summary.plans
