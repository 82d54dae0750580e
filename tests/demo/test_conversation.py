"""The conversation around the demo's OKRs: comments, feedback, reports, review meetings and
alignment requests, loaded on a Monday (the review meeting's own weekday)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from luodi.accounts.models import User
from luodi.checkins.models import CheckIn
from luodi.collab.models import Comment, CommentLike, CommentMention, Feedback
from luodi.collab.selectors import feedback_for
from luodi.demo.content import DEMO_COMPANY
from luodi.demo.conversation import awake_moment
from luodi.notify.models import Notification
from luodi.okrs.approvals import pending_for
from luodi.okrs.models import Alignment, AlignmentRequest, KeyResult, Objective
from luodi.okrs.permissions import can_see_objective, viewer_for
from luodi.okrs.rebuild import rebuild
from luodi.orgs.models import Membership, Unit
from luodi.rhythm.models import ActionItem, Meeting, MonthlySummary, WeeklyReport
from luodi.rhythm.periods import month_of, week_of
from luodi.rhythm.selectors import home_action_items, team_reports
from tests.demo.helpers import SHANGHAI, loaded_demo, noon

DAY = date(2026, 11, 30)  # a Monday
NOON = noon(DAY)
OBJECTIVE_URL = re.compile(r"^/o/demo/objectives/(\d+)/")

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with loaded_demo(django_db_blocker, lang="zh-hans", today=DAY) as result:
        yield result


@pytest.fixture
def org(demo):
    return demo.organization


def person(key: str) -> User:
    spec = next(p for p in DEMO_COMPANY.people if p.key == key)
    return User.objects.get(email=spec.email)


def test_discussions_with_mentions_likes_and_an_answered_question(demo, org):
    comments = list(Comment.objects.filter(organization=org).order_by("created_at", "id"))
    assert len(comments) >= 6
    assert all(c.body_html and c.created_at < NOON for c in comments)
    assert CommentMention.objects.filter(organization=org).count() >= 5
    assert CommentLike.objects.filter(organization=org).count() >= 2
    assert any("<strong>" in c.body_html and "<li>" in c.body_html for c in comments)
    # Comments on a check-in come after it.
    for comment in comments:
        if comment.checkin_id:
            assert comment.created_at > CheckIn.objects.get(pk=comment.checkin_id).created_at

    # The CEO asks about Marketing's off-track key result; its owner answers and mentions him.
    first_order = KeyResult.objects.get(pk=demo.key_results["first_order"])
    thread = [c for c in comments if c.key_result_id == first_order.pk]
    question, answer = thread[0], thread[1]
    assert question.author == person("ceo") and "？" in question.body
    assert answer.author_id == first_order.owner_id == person("wang_lei").pk
    assert answer.created_at > question.created_at
    assert person("ceo").pk in answer.mention_links.values_list("user_id", flat=True)
    assert Notification.objects.filter(
        recipient=person("ceo"), kind="mention", url__endswith=f"#comment-{answer.pk}"
    ).exists()


def test_notifications_never_reach_people_who_may_not_see_the_objective(demo, org):
    private = Objective.objects.get(pk=demo.objectives["he_fang_growth"])
    comment = Comment.objects.get(objective=private)
    ma_chao = person("ma_chao")
    assert "@马超" in comment.body  # written, but Ma Chao may not see the objective …
    assert not can_see_objective(viewer_for(org, ma_chao), private)
    assert not comment.mention_links.exists()  # … so nobody is mentioned
    assert (
        not Notification.objects.filter(url__contains=f"/objectives/{private.pk}/")
        .exclude(recipient=private.owner)
        .exists()
    )
    # And in general: every notification about an objective goes to someone who may see it.
    checked = 0
    for notification in Notification.objects.filter(organization=org).select_related("recipient"):
        match = OBJECTIVE_URL.match(notification.url)
        if match:
            objective = Objective.objects.get(pk=int(match[1]))
            assert can_see_objective(viewer_for(org, notification.recipient), objective)
            checked += 1
    assert checked >= 20


def test_managers_give_praise_on_a_check_in_and_a_suggestion_on_an_objective(org):
    feedback = list(Feedback.objects.filter(organization=org))
    assert len(feedback) >= 3
    managers = dict(
        Membership.objects.filter(organization=org).values_list("user_id", "manager_id")
    )
    praise = [f for f in feedback if f.kind == "praise" and f.checkin_id]
    suggestion = [f for f in feedback if f.kind == "suggestion" and not f.checkin_id]
    assert any(managers[f.receiver_id] == f.giver_id for f in praise)
    assert any(managers[f.receiver_id] == f.giver_id for f in suggestion)
    for item in feedback:
        assert item.giver_id != item.receiver_id
        assert Notification.objects.filter(
            recipient_id=item.receiver_id, kind="feedback.given", url__endswith=f"-{item.pk}"
        ).exists()


def test_the_demo_users_home_has_feedback_an_action_item_and_unread_news(org):
    ceo = User.objects.get(email="admin@demo.example")
    assert feedback_for(organization=org, user=ceo)
    items = home_action_items(organization=org, user=ceo)
    assert items and all(item.done_at is None for item in items)
    unread = Notification.objects.filter(organization=org, recipient=ceo, read_at__isnull=True)
    kinds = set(unread.values_list("kind", flat=True))
    assert {"mention", "feedback.given", "comment.created"} <= kinds
    assert unread.count() >= 5
    # Old news is read: only what came after the last check-in day is new.
    assert Notification.objects.filter(organization=org, read_at__isnull=False).exists()


def test_technology_reported_last_week_but_one_person(org):
    week = week_of(DAY - timedelta(days=7))
    technology = Unit.objects.get(organization=org, name="技术部")
    rows = team_reports(organization=org, unit_id=technology.pk, kind="week", period_key=week.key)
    missing = [row.membership.user for row in rows if row.report is None]
    assert missing == [person("zheng_kai")]
    assert len(rows) == 4
    for row in rows:
        report = row.report
        if report is None:
            continue
        assert report.state == "submitted"
        # Drafted from the week's check-ins (key results in bold, the notes quoted) …
        assert "**" in report.progress and "> 进展：" in report.progress
        # … and edited: a line of the person's own before the draft, a plan after it.
        assert not report.progress.startswith("- ")
        assert not [line for line in report.problems.splitlines() if line.endswith("暂无。")]
        assert report.plans.strip().endswith("。")
        local = report.submitted_at.astimezone(SHANGHAI).date()
        assert week.first <= local < week.end
    leader_told = Notification.objects.filter(
        organization=org, kind="weekly_report.submitted", url__endswith=week.key
    )
    assert leader_told.count() == 3
    assert WeeklyReport.objects.filter(organization=org).count() == 3


def test_one_monthly_summary(org):
    month = month_of(DAY.replace(day=1) - timedelta(days=1))
    summary = MonthlySummary.objects.get(organization=org)
    assert (summary.user, summary.month, summary.state) == (
        person("huang_jing"),
        month.key,
        "submitted",
    )
    assert "**" in summary.progress and summary.submitted_at < NOON


def test_last_weeks_review_and_the_next_one(demo, org):
    past = Meeting.objects.get(pk=demo.conversation["past_meeting"])
    upcoming = Meeting.objects.get(pk=demo.conversation["next_meeting"])
    assert past.starts_at < NOON < upcoming.starts_at
    assert past.starts_at.astimezone(SHANGHAI).weekday() == 0
    assert upcoming.starts_at - past.starts_at == timedelta(weeks=2)  # today's began already
    assert past.notes and past.decisions and past.unit.kind == "company"
    items = list(ActionItem.objects.filter(meeting=past))
    assert 2 <= len(items) <= 3
    assert any(item.key_result_id for item in items)
    done = [item for item in items if item.done_at]
    assert len(done) == 1 and past.starts_at < done[0].done_at < NOON
    assert not ActionItem.objects.filter(meeting=upcoming).exists()
    key_results = set(KeyResult.objects.filter(organization=org).values_list("pk", flat=True))
    assert upcoming.agenda
    assert {item["key_result_id"] for item in upcoming.agenda} <= key_results
    reasons = {reason for item in upcoming.agenda for reason in item["reasons"]}
    assert {"off_track", "at_risk"} <= reasons
    assert (
        Notification.objects.filter(
            kind="meeting.scheduled", url__endswith=f"/meetings/{upcoming.pk}/"
        ).count()
        == Membership.objects.filter(organization=org).count() - 1
    )  # not the organizer


def test_alignment_requests_between_departments(demo, org):
    requests = {r.state: r for r in AlignmentRequest.objects.filter(organization=org)}
    assert set(requests) == {"accepted", "pending"}
    accepted = requests["accepted"]
    assert (accepted.from_unit.kind, accepted.to_unit.kind) == ("department", "department")
    child = accepted.child_objective
    assert child.unit == accepted.to_unit and child.state == "active"
    assert Alignment.objects.filter(child=child, parent_objective=accepted.objective).exists()
    assert KeyResult.objects.filter(objective=child).count() == 1
    assert accepted.created_at < accepted.answered_at < NOON
    assert Notification.objects.filter(
        recipient=accepted.requested_by, kind="alignment.answered"
    ).exists()
    pending = requests["pending"]
    assert pending.to_unit.name == "技术部"
    assert Notification.objects.filter(
        recipient=pending.to_unit.leader, kind="alignment.requested"
    ).exists()


def test_everything_happened_in_the_past_and_in_waking_hours(org):
    assert not Notification.objects.filter(organization=org, created_at__gte=NOON).exists()
    for comment in Comment.objects.filter(organization=org):
        assert 8 <= comment.created_at.astimezone(SHANGHAI).hour < 22


def test_stored_progress_still_matches_a_rebuild(org):
    assert rebuild(organization=org, write=False).differences == []


def test_awake_moment_skips_the_night():
    start = noon(DAY).replace(hour=21)
    end = start + timedelta(hours=14)  # 11:00 the next day
    middle = awake_moment(start, end, 0.5, SHANGHAI)
    assert middle.astimezone(SHANGHAI).hour in (8, 9)
    assert awake_moment(start, end, 1.0, SHANGHAI) == end
    night = start.replace(hour=23)
    assert awake_moment(night, night + timedelta(hours=2), 0.5, SHANGHAI) == night + timedelta(
        hours=1
    )


def test_the_demo_users_pages_show_the_conversation(demo, org, client):
    ceo = User.objects.get(email="admin@demo.example")
    client.force_login(ceo)
    home = client.get(f"/o/{org.slug}/").content.decode()
    received = Feedback.objects.filter(receiver=ceo).first()
    item = ActionItem.objects.filter(owner=ceo, done_at__isnull=True).first()
    assert received.body[:20] in home
    assert item.title in home
    week = week_of(DAY - timedelta(days=7))
    technology = Unit.objects.get(organization=org, name="技术部")
    team = client.get(
        f"/o/{org.slug}/weekly-reports/team/", {"week": week.key, "unit": technology.pk}
    )
    assert team.status_code == 200
    assert "郑凯" in team.content.decode()
    meeting = client.get(f"/o/{org.slug}/meetings/{demo.conversation['next_meeting']}/")
    assert meeting.status_code == 200
    first_item = Meeting.objects.get(pk=demo.conversation["next_meeting"]).agenda[0]
    assert first_item["title"] in meeting.content.decode()


def test_members_new_objectives_wait_for_approval(demo, org):
    assert org.requires_approval
    approved = Objective.objects.get(pk=demo.conversation["ma_chao_self_service"])
    waiting = Objective.objects.get(pk=demo.conversation["sun_hao_first_order_path"])
    assert (approved.state, approved.approval_status) == ("active", "approved")
    assert approved.approval_decided_by == person("he_fang")  # the owner's team lead
    assert approved.approval_submitted_at < approved.approval_decided_at < NOON
    assert (waiting.state, waiting.approval_status) == ("draft", "submitted")
    for objective in (approved, waiting):
        assert KeyResult.objects.filter(objective=objective).count() == 1
        assert Alignment.objects.filter(child=objective).count() == 1
    assert waiting in pending_for(viewer_for(org, person("zhao_ting")))
    assert waiting in pending_for(viewer_for(org, person("ceo")))
    assert not pending_for(viewer_for(org, person("he_fang"))).exists()
    assert Notification.objects.filter(
        recipient=person("zhao_ting"), kind="approval.requested"
    ).exists()
    assert Notification.objects.filter(
        recipient=person("ma_chao"), kind="approval.decided"
    ).exists()
    # The draft is not news for people who may not see it.
    for notification in Notification.objects.filter(url__contains=f"/objectives/{waiting.pk}/"):
        assert notification.recipient in (person("zhao_ting"), waiting.owner)
