"""With the real delivery (no spy): the inbox rows each collaboration event writes, and
none for people who may not see the objective or who belong to another organization."""

from __future__ import annotations

from decimal import Decimal

import pytest

from luodi.checkins.services import checkin_submit
from luodi.collab import services
from luodi.notify.models import Notification
from luodi.okrs.models import KeyResultContributor
from tests.collab.conftest import Team
from tests.conftest import make_metric

pytestmark = pytest.mark.django_db


def inbox() -> set[tuple[int, str]]:
    return set(Notification.objects.values_list("recipient_id", "kind"))


def test_events_on_a_visible_objective(team: Team) -> None:
    services.follow(actor=team.colleague, objective=team.objective)
    c = services.comment_create(actor=team.owner, objective=team.objective, body="@Mia Member hi")
    services.comment_like(actor=team.colleague, comment=c)
    services.feedback_give(actor=team.owner, objective=team.objective, kind="praise", body="yay")
    assert inbox() == {
        (team.member.pk, "mention"),
        (team.colleague.pk, "comment.created"),
        (team.owner.pk, "comment.liked"),
        (team.member.pk, "feedback.given"),
    }
    Notification.objects.all().delete()
    checkin_submit(key_result=team.kr, actor=team.member, value=Decimal(50), confidence=8)
    assert (team.colleague.pk, "checkin.created") in inbox()
    assert (team.colleague.pk, "key_result.status_changed") in inbox()
    assert team.member.pk not in {user for user, _ in inbox()}  # never the actor


def test_private_objective_events_reach_only_who_may_see(team: Team) -> None:
    kr = make_metric(team.private, team.member, title="Hidden KR")
    # A contributor who cannot see the objective (private) still hears nothing of it.
    KeyResultContributor.objects.create(organization=team.org, key_result=kr, user=team.colleague)
    services.comment_create(
        actor=team.owner, objective=team.private, body="@Carl Colleague @Mia Member psst"
    )
    checkin_submit(key_result=kr, actor=team.member, value=Decimal(5))
    recipients = {user for user, _ in inbox()}
    assert team.colleague.pk not in recipients
    assert team.outsider.pk not in recipients
    assert (team.member.pk, "mention") in inbox()
    assert not Notification.objects.exclude(organization=team.org).exists()
