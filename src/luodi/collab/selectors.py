"""Reads of luodi.collab: discussions, who may be mentioned, followers, feedback."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.lookups import IStartsWith

from luodi.accounts.models import User
from luodi.checkins.models import CheckIn
from luodi.collab.models import Comment, CommentLike, Feedback, Follow
from luodi.core.markdown import EMAIL_RE, Person, mention_tails
from luodi.okrs.audience import audience
from luodi.okrs.models import KeyResult, KeyResultContributor, Objective
from luodi.okrs.permissions import viewer_for, visible_objectives_q
from luodi.orgs.models import Organization

MENTION_LIMIT = 8
# Markers of the follower query's rows: how each person came to be there.
DEFAULT, FOLLOWED, UNFOLLOWED = 0, 1, 2


def comment_list(*, objective: Objective, user: User) -> QuerySet[Comment]:
    """Every comment of the objective, its key results and their check-ins, oldest first,
    with the like count and whether `user` likes it (one query)."""
    mine = CommentLike.objects.filter(comment=OuterRef("pk"), user_id=user.pk)
    return (
        Comment.objects.filter(organization_id=objective.organization_id, objective=objective)
        .select_related("author")
        .annotate(like_count=Count("likes", distinct=True), liked=Exists(mine))
        .order_by("created_at", "id")
    )


def comment_get(*, organization: Organization, user: User, comment_id: int) -> Comment | None:
    """The comment if it lives in the organization and `user` may see its objective."""
    viewer = viewer_for(organization, user)
    return (
        Comment.objects.filter(organization=organization, pk=comment_id)
        .filter(visible_objectives_q(viewer, prefix="objective__"))
        .select_related("objective", "objective__organization", "author")
        .first()
    )


@dataclass
class Discussion:
    """The objective page's comments, by what they are about."""

    on_objective: list[Comment] = field(default_factory=list)
    by_key_result: dict[int, list[Comment]] = field(default_factory=dict)
    by_checkin: dict[int, list[Comment]] = field(default_factory=dict)
    count: int = 0


def discussion(*, objective: Objective, user: User) -> Discussion:
    result = Discussion()
    for comment in comment_list(objective=objective, user=user):
        result.count += 1
        if comment.checkin_id is not None:
            result.by_checkin.setdefault(comment.checkin_id, []).append(comment)
        elif comment.key_result_id is not None:
            result.by_key_result.setdefault(comment.key_result_id, []).append(comment)
        else:
            result.on_objective.append(comment)
    return result


def mentionable(*, objective: Objective, prefix: str, limit: int = MENTION_LIMIT) -> list[User]:
    """People of the objective's organization who may see it, whose name or e-mail starts
    with `prefix` — never anyone else (one query, plus one for the unit tree)."""
    prefix = prefix.strip().lstrip("@")
    members = audience(objective)
    if prefix:
        members = members.filter(
            Q(user__name__istartswith=prefix) | Q(user__email__istartswith=prefix)
        )
    ids = members.filter(user__is_active=True).values("user_id")
    return list(User.objects.filter(pk__in=ids).order_by("name", "email", "pk")[:limit])


def mention_people(*, objective: Objective, body: str) -> dict[str, Person]:
    """Lowercased e-mails and names of the people `body` may mention, among those who may
    see the objective. A name two people share is left out: it mentions nobody."""
    tails = mention_tails(body)
    if not tails:
        return {}
    q = Q()
    for tail in tails:
        email = EMAIL_RE.match(tail)
        if email:
            q |= Q(user__email__iexact=email.group(0))
        # The person's name is a prefix of the text after the @.
        q |= Q(IStartsWith(Value(tail), F("user__name")), ~Q(user__name=""))
    rows = (
        audience(objective)
        .filter(q, user__is_active=True)
        .values_list("user_id", "user__name", "user__email")
    )
    people: dict[str, Person] = {}
    shared: set[str] = set()
    for user_id, name, email in rows:
        person = Person(user_id, name, email)
        people[email.lower()] = person
        key = name.lower()
        if key and key in people and people[key].user_id != user_id:
            shared.add(key)
        elif key:
            people[key] = person
    for key in shared:
        people.pop(key, None)
    return people


def follower_ids(objective: Objective) -> set[int]:
    """Who follows the objective: its owner, the owners and contributors of its key
    results, and those who chose to follow — minus those who chose not to. One query."""
    explicit = (
        Follow.objects.filter(objective=objective)
        .annotate(how=_marker(FOLLOWED, UNFOLLOWED))
        .values_list("user_id", "how")
        .order_by()
    )
    owners = (
        KeyResult.objects.filter(objective=objective, owner__isnull=False)
        .annotate(how=Value(DEFAULT))
        .values_list("owner_id", "how")
        .order_by()
    )
    contributors = (
        KeyResultContributor.objects.filter(key_result__objective=objective)
        .annotate(how=Value(DEFAULT))
        .values_list("user_id", "how")
        .order_by()
    )
    rows = list(explicit.union(owners, contributors, all=True))
    following = {objective.owner_id} if objective.owner_id else set()
    following |= {user_id for user_id, how in rows if how in (DEFAULT, FOLLOWED)}
    return following - {user_id for user_id, how in rows if how == UNFOLLOWED}


def _marker(followed: int, unfollowed: int):  # type: ignore[no-untyped-def]
    return Case(
        When(unfollowed=True, then=Value(unfollowed)),
        default=Value(followed),
        output_field=IntegerField(),
    )


def followers_of(objective: Objective) -> list[User]:
    """The followers who may still see the objective (visibility can change after)."""
    ids = audience(objective).filter(user_id__in=follower_ids(objective)).values("user_id")
    return list(User.objects.filter(pk__in=ids).order_by("name", "email"))


def is_following(objective: Objective, user: User) -> bool:
    return user.pk in follower_ids(objective)


def feedback_for(*, organization: Organization, user: User, limit: int = 10) -> list[Feedback]:
    """Feedback `user` received, newest first, on objectives they may still see."""
    viewer = viewer_for(organization, user)
    return list(
        Feedback.objects.filter(organization=organization, receiver=user)
        .filter(visible_objectives_q(viewer, prefix="objective__"))
        .select_related("giver", "objective")
        .order_by("-created_at", "-id")[:limit]
    )


def feedback_list(*, organization: Organization, user: User) -> QuerySet[Feedback]:
    """Feedback `user` gave or received, on objectives they may see (the API's list)."""
    viewer = viewer_for(organization, user)
    return (
        Feedback.objects.filter(organization=organization)
        .filter(Q(receiver=user) | Q(giver=user))
        .filter(visible_objectives_q(viewer, prefix="objective__"))
    )


def checkin_get(*, organization: Organization, user: User, checkin_id: int) -> CheckIn | None:
    """The check-in if it lives in the organization and `user` may see its objective."""
    viewer = viewer_for(organization, user)
    return (
        CheckIn.objects.filter(organization=organization, pk=checkin_id)
        .filter(visible_objectives_q(viewer, prefix="key_result__objective__"))
        .select_related(
            "key_result", "key_result__objective", "key_result__objective__organization"
        )
        .first()
    )
