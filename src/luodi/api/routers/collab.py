"""Comments, likes, follows and feedback (API.md "Collaboration endpoints").

Objects in other organizations, or on objectives the caller may not see, are 404s."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from luodi.api.lookups import (
    caller,
    found,
    key_result_or_404,
    objective_or_404,
    organization_or_404,
)
from luodi.api.pagination import PageQuery, page_body, paginate
from luodi.api.params import id_path, slug_path
from luodi.api.schemas import Id, In, Text, choice, responses
from luodi.collab import selectors, services
from luodi.collab.models import Comment, Feedback, FeedbackKind
from luodi.okrs.models import Objective
from luodi.orgs.models import Organization

router = Router(tags=["collaboration"])


class CommentIn(In):
    body: Text = Field(description="Markdown; `@email` or `@name` mentions a colleague.")


class CommentOut(Schema):
    id: int
    objective_id: int
    key_result_id: int | None
    checkin_id: int | None
    author_id: int | None
    body: str
    body_html: str
    mentions: list[int]
    like_count: int
    created_at: datetime
    edited_at: datetime | None


class CommentPage(Schema):
    items: list[CommentOut]
    next: str | None


class LikeOut(Schema):
    liked: bool
    like_count: int


class FollowOut(Schema):
    following: bool


class FeedbackIn(In):
    objective_id: Id
    checkin_id: Id | None = None
    receiver_id: Id | None = Field(
        None, description="Default: the check-in's author, else the objective's owner."
    )
    kind: choice(FeedbackKind)  # type: ignore[valid-type]
    body: Text


class FeedbackOut(Schema):
    id: int
    giver_id: int | None
    receiver_id: int
    kind: str
    body: str
    body_html: str
    objective_id: int
    checkin_id: int | None
    created_at: datetime
    read_at: datetime | None


class FeedbackPage(Schema):
    items: list[FeedbackOut]
    next: str | None


class FeedbackQuery(Schema):
    received: bool | None = Field(
        None, description="true: received only; false: given only; absent: both."
    )


def comment_data(comment: Comment) -> dict[str, Any]:
    mentions = getattr(comment, "mention_ids", None)
    if mentions is None:
        mentions = sorted(link.user_id for link in comment.mention_links.all())
    like_count = getattr(comment, "like_count", None)
    if like_count is None:
        like_count = comment.likes.count()
    return {
        "id": comment.pk,
        "objective_id": comment.objective_id,
        "key_result_id": comment.key_result_id,
        "checkin_id": comment.checkin_id,
        "author_id": comment.author_id,
        "body": comment.body,
        "body_html": comment.body_html,
        "mentions": mentions,
        "like_count": like_count,
        "created_at": comment.created_at,
        "edited_at": comment.edited_at,
    }


def _page(request: HttpRequest, queryset: Any, page: PageQuery) -> dict[str, Any]:
    rows, next_cursor = paginate(queryset.prefetch_related("mention_links"), page)
    return page_body([comment_data(c) for c in rows], next_cursor)


def _comments(objective: Objective, user: Any) -> Any:
    return selectors.comment_list(objective=objective, user=user)


def _comment_or_404(request: HttpRequest, organization: Organization, comment_id: int) -> Comment:
    return found(
        selectors.comment_get(
            organization=organization, user=caller(request), comment_id=comment_id
        )
    )


def _checkin_or_404(request: HttpRequest, organization: Organization, checkin_id: int) -> Any:
    return found(
        selectors.checkin_get(
            organization=organization, user=caller(request), checkin_id=checkin_id
        )
    )


@router.get(
    "/orgs/{org}/objectives/{objective_id}/comments",
    response=responses(CommentPage),
    summary="Comments on an objective",
)
def objective_comments(
    request: HttpRequest,
    page: Query[PageQuery],
    org: str = slug_path(),
    objective_id: int = id_path(),
) -> dict[str, Any]:
    """The objective's comments with those on its key results and check-ins, oldest first."""
    organization = organization_or_404(request, org)
    objective = objective_or_404(request, organization, objective_id)
    return _page(request, _comments(objective, caller(request)), page)


@router.post(
    "/orgs/{org}/objectives/{objective_id}/comments",
    response=responses(CommentOut, 201),
    summary="Comment on an objective",
)
def objective_comment_create(
    request: HttpRequest, payload: CommentIn, org: str = slug_path(), objective_id: int = id_path()
) -> Status:
    organization = organization_or_404(request, org)
    objective = objective_or_404(request, organization, objective_id)
    comment = services.comment_create(actor=caller(request), objective=objective, body=payload.body)
    return Status(201, comment_data(comment))


@router.get(
    "/orgs/{org}/key-results/{key_result_id}/comments",
    response=responses(CommentPage),
    summary="Comments on a key result",
)
def key_result_comments(
    request: HttpRequest,
    page: Query[PageQuery],
    org: str = slug_path(),
    key_result_id: int = id_path(),
) -> dict[str, Any]:
    """The key result's comments with those on its check-ins, oldest first."""
    organization = organization_or_404(request, org)
    kr = key_result_or_404(request, organization, key_result_id)
    return _page(request, _comments(kr.objective, caller(request)).filter(key_result=kr), page)


@router.post(
    "/orgs/{org}/key-results/{key_result_id}/comments",
    response=responses(CommentOut, 201),
    summary="Comment on a key result",
)
def key_result_comment_create(
    request: HttpRequest, payload: CommentIn, org: str = slug_path(), key_result_id: int = id_path()
) -> Status:
    organization = organization_or_404(request, org)
    kr = key_result_or_404(request, organization, key_result_id)
    comment = services.comment_create(
        actor=caller(request), objective=kr.objective, key_result=kr, body=payload.body
    )
    return Status(201, comment_data(comment))


@router.get(
    "/orgs/{org}/check-ins/{checkin_id}/comments",
    response=responses(CommentPage),
    summary="Comments on a check-in",
)
def checkin_comments(
    request: HttpRequest,
    page: Query[PageQuery],
    org: str = slug_path(),
    checkin_id: int = id_path(),
) -> dict[str, Any]:
    organization = organization_or_404(request, org)
    checkin = _checkin_or_404(request, organization, checkin_id)
    objective = checkin.key_result.objective
    return _page(request, _comments(objective, caller(request)).filter(checkin=checkin), page)


@router.post(
    "/orgs/{org}/check-ins/{checkin_id}/comments",
    response=responses(CommentOut, 201),
    summary="Comment on a check-in",
)
def checkin_comment_create(
    request: HttpRequest, payload: CommentIn, org: str = slug_path(), checkin_id: int = id_path()
) -> Status:
    organization = organization_or_404(request, org)
    checkin = _checkin_or_404(request, organization, checkin_id)
    comment = services.comment_create(
        actor=caller(request),
        objective=checkin.key_result.objective,
        key_result=checkin.key_result,
        checkin=checkin,
        body=payload.body,
    )
    return Status(201, comment_data(comment))


@router.patch("/orgs/{org}/comments/{comment_id}", response=responses(CommentOut), summary="Edit")
def comment_update(
    request: HttpRequest, payload: CommentIn, org: str = slug_path(), comment_id: int = id_path()
) -> dict[str, Any]:
    """Your own comments only."""
    organization = organization_or_404(request, org)
    comment = _comment_or_404(request, organization, comment_id)
    comment = services.comment_edit(actor=caller(request), comment=comment, body=payload.body)
    return comment_data(comment)


@router.delete("/orgs/{org}/comments/{comment_id}", response=responses(None, 204), summary="Delete")
def comment_delete(
    request: HttpRequest, org: str = slug_path(), comment_id: int = id_path()
) -> Status:
    """Your own comments; administrators delete any."""
    organization = organization_or_404(request, org)
    comment = _comment_or_404(request, organization, comment_id)
    services.comment_delete(actor=caller(request), comment=comment)
    return Status(204, None)


def _like_state(comment: Comment, user: Any) -> dict[str, Any]:
    counts = comment.likes.aggregate(n=Count("pk"))
    return {"liked": comment.likes.filter(user=user).exists(), "like_count": counts["n"]}


@router.post("/orgs/{org}/comments/{comment_id}/like", response=responses(LikeOut), summary="Like")
def comment_like(request: HttpRequest, org: str = slug_path(), comment_id: int = id_path()) -> dict:
    """Liking twice is one like."""
    organization = organization_or_404(request, org)
    comment = _comment_or_404(request, organization, comment_id)
    services.comment_like(actor=caller(request), comment=comment)
    return _like_state(comment, caller(request))


@router.delete(
    "/orgs/{org}/comments/{comment_id}/like", response=responses(LikeOut), summary="Unlike"
)
def comment_unlike(
    request: HttpRequest, org: str = slug_path(), comment_id: int = id_path()
) -> dict:
    organization = organization_or_404(request, org)
    comment = _comment_or_404(request, organization, comment_id)
    services.comment_unlike(actor=caller(request), comment=comment)
    return _like_state(comment, caller(request))


@router.post(
    "/orgs/{org}/objectives/{objective_id}/follow", response=responses(FollowOut), summary="Follow"
)
def objective_follow(
    request: HttpRequest, org: str = slug_path(), objective_id: int = id_path()
) -> dict:
    """Hear of its comments and check-ins. Owners and contributors follow by default."""
    organization = organization_or_404(request, org)
    objective = objective_or_404(request, organization, objective_id)
    services.follow(actor=caller(request), objective=objective)
    return {"following": True}


@router.delete(
    "/orgs/{org}/objectives/{objective_id}/follow",
    response=responses(FollowOut),
    summary="Unfollow",
)
def objective_unfollow(
    request: HttpRequest, org: str = slug_path(), objective_id: int = id_path()
) -> dict:
    """Also for owners and contributors, who follow by default."""
    organization = organization_or_404(request, org)
    objective = objective_or_404(request, organization, objective_id)
    services.unfollow(actor=caller(request), objective=objective)
    return {"following": False}


def feedback_data(feedback: Feedback) -> dict[str, Any]:
    return {
        "id": feedback.pk,
        "giver_id": feedback.giver_id,
        "receiver_id": feedback.receiver_id,
        "kind": feedback.kind,
        "body": feedback.body,
        "body_html": feedback.body_html,
        "objective_id": feedback.objective_id,
        "checkin_id": feedback.checkin_id,
        "created_at": feedback.created_at,
        "read_at": feedback.read_at,
    }


@router.get("/orgs/{org}/feedback", response=responses(FeedbackPage), summary="My feedback")
def feedback_index(
    request: HttpRequest,
    page: Query[PageQuery],
    filters: Query[FeedbackQuery],
    org: str = slug_path(),
) -> dict[str, Any]:
    """Feedback you gave or received, on objectives you may see, oldest first."""
    organization = organization_or_404(request, org)
    user = caller(request)
    rows = selectors.feedback_list(organization=organization, user=user)
    if filters.received is True:
        rows = rows.filter(receiver=user)
    elif filters.received is False:
        rows = rows.filter(giver=user)
    items, next_cursor = paginate(rows, page)
    return page_body([feedback_data(f) for f in items], next_cursor)


@router.post("/orgs/{org}/feedback", response=responses(FeedbackOut, 201), summary="Give feedback")
def feedback_create(request: HttpRequest, payload: FeedbackIn, org: str = slug_path()) -> Status:
    """Praise, a suggestion or a concern on an objective or one of its check-ins; the
    receiver is notified."""
    organization = organization_or_404(request, org)
    objective = objective_or_404(request, organization, payload.objective_id)
    checkin = None
    if payload.checkin_id is not None:
        checkin = _checkin_or_404(request, organization, payload.checkin_id)
    feedback = services.feedback_give(
        actor=caller(request),
        objective=objective,
        kind=payload.kind,
        body=payload.body,
        checkin=checkin,
        receiver_id=payload.receiver_id,
    )
    return Status(201, feedback_data(feedback))


@router.post(
    "/orgs/{org}/feedback/{feedback_id}/read",
    response=responses(FeedbackOut),
    summary="Mark feedback read",
)
def feedback_read(
    request: HttpRequest, org: str = slug_path(), feedback_id: int = id_path()
) -> dict[str, Any]:
    """The receiver acknowledges feedback; others get a 404."""
    organization = organization_or_404(request, org)
    user = caller(request)
    feedback = found(
        selectors.feedback_list(organization=organization, user=user)
        .filter(receiver=user, pk=feedback_id)
        .first()
    )
    services.feedback_acknowledge(actor=user, feedback=feedback)
    return feedback_data(feedback)
