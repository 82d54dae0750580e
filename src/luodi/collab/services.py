"""Writes of luodi.collab: comments, likes, follows and feedback, each one transaction,
each telling the right people through notify.events.emit."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from luodi.accounts.models import User
from luodi.checkins.models import CheckIn
from luodi.collab import selectors
from luodi.collab.models import (
    MAX_BODY,
    Comment,
    CommentLike,
    CommentMention,
    Feedback,
    FeedbackKind,
    Follow,
)
from luodi.core.markdown import plain_text, render
from luodi.notify.events import EventKind, Message, emit
from luodi.okrs.audience import audience
from luodi.okrs.models import KeyResult, Objective
from luodi.okrs.permissions import can_see_objective, viewer_for

EXCERPT = 200


def _error(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _require_sight(actor: User, objective: Objective) -> None:
    if not can_see_objective(viewer_for(objective.organization, actor), objective):
        raise PermissionDenied(_("You cannot see this objective."))


def _require_writer(actor: User, objective: Objective) -> None:
    _require_sight(actor, objective)
    if not viewer_for(objective.organization, actor).can_write:
        raise PermissionDenied(_("Viewers can read the discussion but not write in it."))


def _clean_body(body: object) -> str:
    if not isinstance(body, str) or not body.strip():
        raise _error("body", _("Write something first."))
    if len(body) > MAX_BODY:
        raise _error("body", _("At most 10,000 characters."))
    if "\x00" in body:  # PostgreSQL cannot store it; forms are read raw here
        raise _error("body", _("The text contains a null character."))
    return body.strip()


def _excerpt(text: str) -> str:
    """The body as one line of plain text: inboxes, e-mails and chats show no markdown."""
    plain = " ".join(plain_text(text).split())
    return plain if len(plain) <= EXCERPT else plain[: EXCERPT - 1] + "…"


def objective_url(objective: Objective, anchor: str = "") -> str:
    url = reverse("web:objective", kwargs={"org": objective.organization.slug, "pk": objective.pk})
    return f"{url}#{anchor}" if anchor else url


def _render_with_mentions(objective: Objective, body: str) -> tuple[str, list[int]]:
    return render(body, selectors.mention_people(objective=objective, body=body))


def _target(
    objective: Objective,
    key_result: KeyResult | None,
    checkin: CheckIn | None,
    checkin_field: str = "checkin",
) -> KeyResult | None:
    """Check that the key result and check-in belong to the objective; the key result.
    Errors name the field the caller was given (`checkin_field` for the check-in)."""
    if checkin is not None:
        if key_result is not None and checkin.key_result_id != key_result.pk:
            raise _error(checkin_field, _("This check-in is not on that key result."))
        key_result = KeyResult.objects.filter(pk=checkin.key_result_id).first()
        if key_result is not None and key_result.objective_id != objective.pk:
            raise _error(checkin_field, _("This check-in is not on this objective."))
    if key_result is not None and key_result.objective_id != objective.pk:
        raise _error("key_result", _("This key result is not part of the objective."))
    return key_result


@transaction.atomic
def comment_create(
    *,
    actor: User,
    objective: Objective,
    body: object,
    key_result: KeyResult | None = None,
    checkin: CheckIn | None = None,
) -> Comment:
    """Comment on the objective, one of its key results or one of their check-ins."""
    _require_writer(actor, objective)
    text = _clean_body(body)
    key_result = _target(objective, key_result, checkin)
    html, mentioned = _render_with_mentions(objective, text)
    comment = Comment.objects.create(
        organization_id=objective.organization_id,
        objective=objective,
        key_result=key_result,
        checkin=checkin,
        author=actor,
        body=text,
        body_html=html,
    )
    _add_mentions(comment, mentioned)
    _notify_comment(comment, actor, mentioned, new=True)
    return comment


def _add_mentions(comment: Comment, user_ids: list[int]) -> None:
    CommentMention.objects.bulk_create(
        [
            CommentMention(organization_id=comment.organization_id, comment=comment, user_id=pk)
            for pk in user_ids
        ],
        ignore_conflicts=True,
    )


def _notify_comment(comment: Comment, actor: User, mentioned: list[int], *, new: bool) -> None:
    objective = comment.objective
    params = {"actor": actor.display_name, "objective": objective.title}
    common = {
        "organization": objective.organization,
        "url": objective_url(objective, f"comment-{comment.pk}"),
        "actor_id": actor.pk,
        "body": Message("%(excerpt)s", {"excerpt": _excerpt(comment.body)}),
        "objective_id": objective.pk,
        "unit_id": objective.unit_id,
        "data": {
            "comment_id": comment.pk,
            "objective_id": objective.pk,
            "objective_title": objective.title,
            "key_result_id": comment.key_result_id,
            "checkin_id": comment.checkin_id,
            "author_id": actor.pk,
            "body": comment.body,
        },
    }
    if mentioned:
        emit(
            kind=EventKind.MENTION,
            recipients=mentioned,
            title=Message(gettext_noop("%(actor)s mentioned you on “%(objective)s”"), params),
            **common,
        )
    if new:
        followers = selectors.follower_ids(objective) - set(mentioned)
        emit(
            kind=EventKind.COMMENT_CREATED,
            recipients=sorted(followers),
            title=Message(gettext_noop("%(actor)s commented on “%(objective)s”"), params),
            **common,
        )


@transaction.atomic
def comment_edit(*, actor: User, comment: Comment, body: object) -> Comment:
    """Authors edit their own comments; people newly mentioned hear of it."""
    _require_sight(actor, comment.objective)
    if comment.author_id != actor.pk:
        raise PermissionDenied(_("Only the author can edit a comment."))
    _require_writer(actor, comment.objective)
    text = _clean_body(body)
    before = set(comment.mention_links.values_list("user_id", flat=True))
    html, mentioned = _render_with_mentions(comment.objective, text)
    comment.body, comment.body_html, comment.edited_at = text, html, timezone.now()
    comment.save(update_fields=["body", "body_html", "edited_at"])
    comment.mention_links.exclude(user_id__in=mentioned).delete()
    _add_mentions(comment, mentioned)
    new_mentions = [pk for pk in mentioned if pk not in before]
    _notify_comment(comment, actor, new_mentions, new=False)
    return comment


@transaction.atomic
def comment_delete(*, actor: User, comment: Comment) -> None:
    """Authors delete their own comments; organization admins delete any."""
    _require_sight(actor, comment.objective)
    viewer = viewer_for(comment.objective.organization, actor)
    if comment.author_id != actor.pk and not viewer.is_admin:
        raise PermissionDenied(_("Only the author or an administrator can delete a comment."))
    comment.delete()


@transaction.atomic
def comment_like(*, actor: User, comment: Comment) -> bool:
    """Like a comment once; returns whether this call added the like."""
    _require_writer(actor, comment.objective)
    try:
        with transaction.atomic():
            CommentLike.objects.create(
                organization_id=comment.organization_id, comment=comment, user=actor
            )
    except IntegrityError:
        return False  # liked already
    if comment.author_id is not None:
        objective = comment.objective
        emit(
            organization=objective.organization,
            kind=EventKind.COMMENT_LIKED,
            recipients=[comment.author_id],
            title=Message(
                gettext_noop("%(actor)s liked your comment on “%(objective)s”"),
                {"actor": actor.display_name, "objective": objective.title},
            ),
            url=objective_url(objective, f"comment-{comment.pk}"),
            actor_id=actor.pk,
            objective_id=objective.pk,
            unit_id=objective.unit_id,
            data={"comment_id": comment.pk, "objective_id": objective.pk},
        )
    return True


@transaction.atomic
def comment_unlike(*, actor: User, comment: Comment) -> None:
    _require_sight(actor, comment.objective)
    CommentLike.objects.filter(comment=comment, user=actor).delete()


@transaction.atomic
def follow(*, actor: User, objective: Objective) -> None:
    """Anyone who may see the objective may follow it."""
    _require_sight(actor, objective)
    Follow.objects.update_or_create(
        objective=objective,
        user=actor,
        defaults={"unfollowed": False},
        create_defaults={"organization_id": objective.organization_id, "unfollowed": False},
    )


@transaction.atomic
def unfollow(*, actor: User, objective: Objective) -> None:
    """Stop following — also when following by default as an owner or contributor."""
    _require_sight(actor, objective)
    Follow.objects.update_or_create(
        objective=objective,
        user=actor,
        defaults={"unfollowed": True},
        create_defaults={"organization_id": objective.organization_id, "unfollowed": True},
    )


def default_receiver(objective: Objective, checkin: CheckIn | None) -> int | None:
    """Feedback on a check-in goes to its author; on an objective, to its owner."""
    if checkin is not None and checkin.author_id is not None:
        return checkin.author_id
    return objective.owner_id


@transaction.atomic
def feedback_give(
    *,
    actor: User,
    objective: Objective,
    kind: object,
    body: object,
    checkin: CheckIn | None = None,
    receiver_id: int | None = None,
) -> Feedback:
    """Praise, a suggestion or a concern for someone about an objective or a check-in."""
    _require_writer(actor, objective)
    if kind not in FeedbackKind.values:
        raise _error("kind", _("Choose praise, suggestion or concern."))
    text = _clean_body(body)
    _target(objective, None, checkin, checkin_field="checkin_id")
    receiver_id = receiver_id or default_receiver(objective, checkin)
    if receiver_id is None:
        raise _error("receiver_id", _("Say who the feedback is for."))
    if receiver_id == actor.pk:
        raise _error("receiver_id", _("Feedback is for someone else."))
    if not audience(objective).filter(user_id=receiver_id).exists():
        raise _error(
            "receiver_id", _("Only people who can see this objective receive feedback on it.")
        )
    html, _mentioned = render(text)
    feedback = Feedback.objects.create(
        organization_id=objective.organization_id,
        giver=actor,
        receiver_id=receiver_id,
        kind=kind,
        body=text,
        body_html=html,
        objective=objective,
        checkin=checkin,
    )
    emit(
        organization=objective.organization,
        kind=EventKind.FEEDBACK_GIVEN,
        recipients=[receiver_id],
        title=Message(
            gettext_noop("%(actor)s gave you feedback on “%(objective)s”"),
            {"actor": actor.display_name, "objective": objective.title},
        ),
        url=objective_url(objective, f"feedback-{feedback.pk}"),
        actor_id=actor.pk,
        body=Message("%(excerpt)s", {"excerpt": _excerpt(text)}),
        objective_id=objective.pk,
        unit_id=objective.unit_id,
        data={"feedback_id": feedback.pk, "objective_id": objective.pk, "kind": kind},
    )
    return feedback


@transaction.atomic
def feedback_acknowledge(*, actor: User, feedback: Feedback) -> None:
    if feedback.receiver_id != actor.pk:
        raise PermissionDenied(_("Only the receiver acknowledges feedback."))
    if feedback.read_at is None:
        feedback.read_at = timezone.now()
        feedback.save(update_fields=["read_at"])
