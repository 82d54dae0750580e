"""Comments, likes, follows and feedback through the services: who may, what is stored,
and who hears of it (dispatch spied)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from luodi.checkins.services import checkin_submit
from luodi.collab import selectors, services
from luodi.collab.models import Comment, CommentLike, CommentMention, Feedback, Follow
from luodi.okrs.models import KeyResultContributor
from tests.collab.conftest import Spy, Team
from tests.conftest import make_metric

pytestmark = pytest.mark.django_db


def comment(team: Team, author, body: str = "Looks good", **kw) -> Comment:  # type: ignore[no-untyped-def]
    return services.comment_create(
        actor=author, objective=kw.pop("objective", team.objective), body=body, **kw
    )


# --- comments ------------------------------------------------------------------------


def test_comment_on_objective_kr_and_checkin(team: Team) -> None:
    checkin, _ = checkin_submit(key_result=team.kr, actor=team.member, value=Decimal(3))
    a = comment(team, team.owner)
    b = comment(team, team.owner, key_result=team.kr)
    c = comment(team, team.colleague, checkin=checkin)
    assert (a.key_result_id, a.checkin_id) == (None, None)
    assert b.key_result_id == team.kr.pk
    assert (c.key_result_id, c.checkin_id) == (team.kr.pk, checkin.pk)  # its key result too
    d = selectors.discussion(objective=team.objective, user=team.owner)
    assert [x.pk for x in d.on_objective] == [a.pk]
    assert [x.pk for x in d.by_key_result[team.kr.pk]] == [b.pk]
    assert [x.pk for x in d.by_checkin[checkin.pk]] == [c.pk]


def test_key_result_of_another_objective_is_refused(team: Team) -> None:
    other_kr = make_metric(team.private, team.member, title="Hidden")
    with pytest.raises(ValidationError):
        comment(team, team.owner, key_result=other_kr)
    assert not Comment.objects.exists()


@pytest.mark.parametrize("body", ["", "   ", None, 5, "x" * 10001, "a\x00b"])
def test_bad_bodies_are_refused(team: Team, body: object) -> None:
    with pytest.raises(ValidationError):
        comment(team, team.owner, body=body)  # type: ignore[arg-type]
    assert not Comment.objects.exists()


def test_viewers_and_outsiders_cannot_comment(team: Team) -> None:
    with pytest.raises(PermissionDenied):
        comment(team, team.viewer)
    with pytest.raises(PermissionDenied):
        comment(team, team.outsider)
    with pytest.raises(PermissionDenied):
        comment(team, team.colleague, objective=team.private)
    assert not Comment.objects.exists()


def test_edit_own_only(team: Team) -> None:
    c = comment(team, team.colleague, "first")
    with pytest.raises(PermissionDenied):
        services.comment_edit(actor=team.owner, comment=c, body="hijack")
    edited = services.comment_edit(actor=team.colleague, comment=c, body="*second*")
    c.refresh_from_db()
    assert c.body == "*second*" and "<em>second</em>" in c.body_html
    assert c.edited_at is not None and edited.pk == c.pk


def test_delete_own_or_admin(team: Team) -> None:
    c1 = comment(team, team.colleague)
    c2 = comment(team, team.colleague)
    with pytest.raises(PermissionDenied):
        services.comment_delete(actor=team.member, comment=c1)  # the objective's owner, not admin
    services.comment_delete(actor=team.colleague, comment=c1)
    services.comment_delete(actor=team.owner, comment=c2)  # organization owner: an admin
    assert not Comment.objects.exists()


# --- mentions ------------------------------------------------------------------------


def test_mentions_resolve_to_people_who_may_see(team: Team) -> None:
    c = comment(team, team.owner, "@Mia Member and @carl@acme.example, not @Otto Outsider")
    assert set(c.mention_links.values_list("user_id", flat=True)) == {
        team.member.pk,
        team.colleague.pk,
    }
    assert "@Otto Outsider" in c.body_html
    assert c.body_html.count('class="mention"') == 2


def test_mentions_on_a_private_objective_refuse_who_cannot_see_it(team: Team) -> None:
    c = comment(team, team.member, "@Carl Colleague please look", objective=team.private)
    assert not CommentMention.objects.filter(comment=c).exists()
    assert "mention" not in c.body_html
    c2 = comment(team, team.member, "@Olivia Owner please look", objective=team.private)
    assert list(c2.mention_links.values_list("user_id", flat=True)) == [team.owner.pk]


def test_two_people_with_one_name_are_not_mentioned_by_it(team: Team) -> None:
    from luodi.orgs.services import member_add

    member_add(
        organization=team.org, actor=team.owner, email="c2@acme.example", name="Carl Colleague"
    )
    c = comment(team, team.owner, "@Carl Colleague hi, @carl@acme.example")
    assert list(c.mention_links.values_list("user_id", flat=True)) == [team.colleague.pk]


def test_autocomplete_never_lists_outsiders_or_people_who_cannot_see(team: Team) -> None:
    names = lambda objective, prefix: {  # noqa: E731
        u.email for u in selectors.mentionable(objective=objective, prefix=prefix)
    }
    assert names(team.objective, "") == {
        "owner@acme.example",
        "member@acme.example",
        "carl@acme.example",
        "viewer@acme.example",
    }
    assert names(team.objective, "ca") == {"carl@acme.example"}
    assert names(team.objective, "otto") == set()
    assert names(team.objective, "outsider") == set()
    # Private: its owner and the organization's admins only.
    assert names(team.private, "") == {"owner@acme.example", "member@acme.example"}
    assert names(team.private, "carl") == set()


def test_autocomplete_lists_at_most_eight(team: Team) -> None:
    from luodi.orgs.services import member_add

    for i in range(12):
        member_add(
            organization=team.org, actor=team.owner, email=f"p{i}@acme.example", name=f"Pat {i}"
        )
    assert len(selectors.mentionable(objective=team.objective, prefix="pat")) == 8


# --- notifications -----------------------------------------------------------------


def test_comment_notifies_followers_and_mentioned(team: Team, spy: Spy) -> None:
    KeyResultContributor.objects.create(organization=team.org, key_result=team.kr, user=team.viewer)
    comment(team, team.colleague, "Nice work @Olivia Owner")
    assert spy.recipients("mention") == {team.owner.pk}
    # The objective's owner and the key result's contributor; the mentioned hear once.
    assert spy.recipients("comment.created") == {team.member.pk, team.viewer.pk}
    event = spy.of("comment.created")[0]
    assert event["url"].startswith(f"/o/acme/objectives/{team.objective.pk}/#comment-")
    assert event["objective_id"] == team.objective.pk


def test_followers_default_explicit_and_opt_out(team: Team, spy: Spy) -> None:
    assert selectors.follower_ids(team.objective) == {team.member.pk}
    services.follow(actor=team.colleague, objective=team.objective)
    services.follow(actor=team.viewer, objective=team.objective)  # viewers may follow
    services.unfollow(actor=team.member, objective=team.objective)  # the owner opts out
    assert selectors.follower_ids(team.objective) == {team.colleague.pk, team.viewer.pk}
    comment(team, team.owner)
    assert spy.recipients("comment.created") == {team.colleague.pk, team.viewer.pk}
    services.follow(actor=team.member, objective=team.objective)
    assert team.member.pk in selectors.follower_ids(team.objective)
    assert Follow.objects.filter(objective=team.objective).count() == 3


def test_nobody_follows_what_they_cannot_see(team: Team) -> None:
    with pytest.raises(PermissionDenied):
        services.follow(actor=team.colleague, objective=team.private)
    with pytest.raises(PermissionDenied):
        services.follow(actor=team.outsider, objective=team.objective)
    assert not Follow.objects.exists()


def test_likes_are_unique_and_tell_the_author(team: Team, spy: Spy) -> None:
    c = comment(team, team.colleague)
    assert services.comment_like(actor=team.owner, comment=c) is True
    assert services.comment_like(actor=team.owner, comment=c) is False
    assert CommentLike.objects.filter(comment=c).count() == 1
    assert spy.recipients("comment.liked") == {team.colleague.pk}
    assert len(spy.of("comment.liked")) == 1
    services.comment_unlike(actor=team.owner, comment=c)
    assert not CommentLike.objects.exists()
    with pytest.raises(PermissionDenied):
        services.comment_like(actor=team.viewer, comment=c)


def test_checkin_tells_followers_and_status_change(team: Team, spy: Spy) -> None:
    services.follow(actor=team.colleague, objective=team.objective)
    checkin_submit(key_result=team.kr, actor=team.member, value=Decimal(100), confidence=9)
    assert spy.recipients("checkin.created") == {team.colleague.pk}
    changed = spy.of("key_result.status_changed")
    assert len(changed) == 1
    assert changed[0]["data"]["old_status"] == "not_started"
    assert changed[0]["data"]["new_status"] == "done"
    spy.clear()
    checkin_submit(key_result=team.kr, actor=team.member, value=Decimal(100), confidence=9)
    assert len(spy.of("checkin.created")) == 1
    assert spy.of("key_result.status_changed") == []  # still done


def test_private_objective_events_reach_nobody_who_cannot_see(team: Team, spy: Spy) -> None:
    kr = make_metric(team.private, team.member, title="Hidden KR")
    KeyResultContributor.objects.create(organization=team.org, key_result=kr, user=team.colleague)
    comment(team, team.owner, "@Carl Colleague psst", objective=team.private)
    assert team.colleague.pk not in spy.recipients("comment.created")
    assert spy.recipients("mention") == set()


# --- feedback ------------------------------------------------------------------------


def test_feedback_goes_to_owner_or_checkin_author(team: Team, spy: Spy) -> None:
    fb = services.feedback_give(
        actor=team.owner, objective=team.objective, kind="praise", body="Great **job**"
    )
    assert fb.receiver_id == team.member.pk and "<strong>job</strong>" in fb.body_html
    assert spy.recipients("feedback.given") == {team.member.pk}
    kr = make_metric(team.objective, team.member, title="Other")
    KeyResultContributor.objects.create(organization=team.org, key_result=kr, user=team.colleague)
    checkin, _ = checkin_submit(key_result=kr, actor=team.colleague, value=Decimal(1))
    fb2 = services.feedback_give(
        actor=team.owner, objective=team.objective, kind="concern", body="Hmm", checkin=checkin
    )
    assert fb2.receiver_id == team.colleague.pk
    assert [f.pk for f in selectors.feedback_for(organization=team.org, user=team.colleague)] == [
        fb2.pk
    ]


@pytest.mark.parametrize(
    "kwargs",
    [{"kind": "shout"}, {"body": ""}, {"receiver_id": "self"}, {"receiver_id": "outsider"}],
)
def test_bad_feedback_changes_nothing(team: Team, kwargs: dict) -> None:
    params = {"kind": "praise", "body": "ok", **kwargs}
    if params.get("receiver_id") == "self":
        params["receiver_id"] = team.owner.pk
    elif params.get("receiver_id") == "outsider":
        params["receiver_id"] = team.outsider.pk
    with pytest.raises(ValidationError):
        services.feedback_give(actor=team.owner, objective=team.objective, **params)
    assert not Feedback.objects.exists()


def test_feedback_to_someone_who_cannot_see_the_objective_is_refused(team: Team) -> None:
    with pytest.raises(ValidationError):
        services.feedback_give(
            actor=team.member,
            objective=team.private,
            kind="praise",
            body="x",
            receiver_id=team.colleague.pk,
        )
    with pytest.raises(PermissionDenied):
        services.feedback_give(actor=team.viewer, objective=team.objective, kind="praise", body="x")
