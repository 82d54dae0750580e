"""The English demo, loaded once for this module early in a quarter (a rolling cycle)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from luodi.collab.models import Comment, CommentMention
from luodi.demo.content import DEMO_COMPANY
from luodi.notify.models import Notification
from luodi.okrs.models import KeyResult, Objective
from luodi.okrs.rebuild import rebuild
from luodi.okrs.selectors import Clock
from luodi.orgs.models import Cycle
from luodi.rhythm.models import Meeting, WeeklyReport
from tests.demo.helpers import CJK, all_texts, loaded_demo, noon, status_counts

DAY = date(2027, 1, 14)  # two weeks into the year and the quarter

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with loaded_demo(django_db_blocker, lang="en", today=DAY) as result:
        yield result


def test_english_demo_has_no_chinese_text(demo):
    org = demo.organization
    assert (org.name, org.locale) == ("Starlight Mall", "en")
    texts = all_texts(org)
    assert len(texts) > 300
    assert [t for t in texts if CJK.search(t)] == []
    assert all(a.name and not CJK.search(a.name + a.unit + a.job) for a in demo.accounts)
    assert {m.user.language for m in org.memberships.select_related("user")} == {"en"}


def test_same_company_as_the_chinese_demo(demo):
    specs = {kr.key: kr for o in DEMO_COMPANY.objectives for kr in o.key_results}
    assert set(demo.key_results) == set(specs)
    assert set(demo.objectives) == {o.key for o in DEMO_COMPANY.objectives}
    complaints = KeyResult.objects.get(pk=demo.key_results["complaint_rate"])
    assert (complaints.start, complaints.target, complaints.direction) == (5, 2, "decrease")
    assert "5%" in complaints.title and "2%" in complaints.title
    company = Objective.objects.get(pk=demo.objectives["company"])
    assert company.title == "Lift user activity and retention on the platform"
    mau = KeyResult.objects.get(pk=demo.key_results["mau_rate"])
    assert "10%" in mau.title and (mau.start, mau.target) == (40, 44)


def test_early_in_a_quarter_the_cycle_rolls_back_eight_weeks(demo):
    quarter = Cycle.objects.get(pk=demo.cycles["quarter"])
    assert quarter.start_date == DAY - timedelta(weeks=8)
    assert (quarter.end_date - quarter.start_date).days == 90
    assert "13-week" in quarter.name
    previous = Cycle.objects.get(pk=demo.cycles["previous"])
    assert previous.end_date == quarter.start_date - timedelta(days=1)
    assert previous.state == "closed"
    year = Cycle.objects.get(pk=demo.cycles["year"])
    assert (year.name, year.start_date) == ("FY 2027", date(2027, 1, 1))


def test_statuses_mix_and_rebuild_is_clean(demo):
    org = demo.organization
    statuses, stale = status_counts(org, Clock.for_org(org, now=noon(DAY)))
    for status in ("on_track", "at_risk", "off_track", "done"):
        assert statuses[status] >= 1, statuses
    assert stale >= 1
    assert rebuild(organization=org, write=False).differences == []
    quarter_krs = KeyResult.objects.filter(
        objective__cycle_id=demo.cycles["quarter"], kind="metric"
    )
    assert max(k.checkin_count for k in quarter_krs) >= 6


def test_the_conversation_is_in_english_too(demo):
    org = demo.organization
    reports = list(WeeklyReport.objects.filter(organization=org))
    assert len(reports) == 3
    for report in reports:
        assert "> Progress:" in report.progress and "confidence" in report.progress
        assert not [line for line in report.problems.splitlines() if line.endswith("None.")]
    assert Comment.objects.filter(organization=org, body__contains="@Wang Lei").exists()
    assert CommentMention.objects.filter(organization=org).count() >= 5
    meeting = Meeting.objects.get(pk=demo.conversation["next_meeting"])
    assert meeting.title == "Company OKR weekly review" and meeting.agenda
    assert Notification.objects.filter(organization=org, read_at__isnull=True).exists()
