"""Comments, likes, followers and feedback around objectives.

Every row names its objective (a comment on a key result or a check-in too), so whether
someone may see it is one check on that objective.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from luodi.checkins.models import CheckIn
from luodi.okrs.models import KeyResult, Objective
from luodi.orgs.models import Organization

MAX_BODY = 10000


class Comment(models.Model):
    """A comment on an objective, one of its key results or one of their check-ins.

    Deleting removes the row (and its likes and mentions): comments have no replies that
    would lose their context, and a deleted text should not linger in the database."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="+")
    key_result = models.ForeignKey(
        KeyResult, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    checkin = models.ForeignKey(
        CheckIn, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("comment"), max_length=MAX_BODY)
    # Rendered and sanitized when written; pages print it as is.
    body_html = models.TextField()
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="CommentMention", blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["objective", "created_at"])]

    def __str__(self) -> str:
        return self.body[:50]


class CommentMention(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="mention_links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="comment_mention_unique")
        ]


class CommentLike(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="likes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="comment_like_unique")
        ]


class Follow(models.Model):
    """An explicit choice about following an objective. Owners and contributors follow
    without a row; `unfollowed` records that one of them (or anyone) opted out."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    unfollowed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["objective", "user"], name="follow_unique")]
        indexes = [models.Index(fields=["organization", "user"])]


class FeedbackKind(models.TextChoices):
    PRAISE = "praise", _("Praise")
    SUGGESTION = "suggestion", _("Suggestion")
    CONCERN = "concern", _("Concern")


class Feedback(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    giver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=FeedbackKind.choices)
    body = models.TextField(_("feedback"), max_length=MAX_BODY)
    body_html = models.TextField()
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="+")
    checkin = models.ForeignKey(
        CheckIn, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "receiver", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind}: {self.body[:40]}"
