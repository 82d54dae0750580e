"""Inbox notifications, each person's preferences, and the channels events are posted to."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from luodi.orgs.models import Organization, Unit


class Notification(models.Model):
    """One line in a person's inbox, written in their language when the event happened."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=500)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=500)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The inbox (newest first) and the unread badge of every page.
            models.Index(fields=["recipient", "organization", "-id"], name="notify_inbox"),
            models.Index(
                fields=["recipient", "organization"],
                condition=Q(read_at__isnull=True),
                name="notify_unread",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """Where one person hears about one kind of event in one organization. No row: the
    defaults of `luodi.notify.preferences`."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=40)
    inbox = models.BooleanField(_("inbox"), default=True)
    email = models.BooleanField(_("email"), default=False)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user", "kind"], name="notify_preference_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.kind}"


class ChannelKind(models.TextChoices):
    FEISHU = "feishu", _("Feishu / Lark custom bot")
    DINGTALK = "dingtalk", _("DingTalk custom robot")
    WECOM = "wecom", _("WeCom group robot")
    SLACK = "slack", _("Slack incoming webhook")
    WEBHOOK = "webhook", _("Generic JSON webhook")


class Channel(models.Model):
    """A group chat or endpoint that hears about chosen events of an organization or unit."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=ChannelKind.choices)
    url = models.URLField(_("webhook URL"), max_length=500)
    # Never shown again once saved: pages and the API only say whether one is set.
    secret = models.CharField(_("secret"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list)
    enabled = models.BooleanField(_("enabled"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        indexes = [models.Index(fields=["organization", "enabled"])]

    def __str__(self) -> str:
        return self.name or self.get_kind_display()


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One event posted to one channel, with its retries. Written in the event's own
    transaction (an outbox): an event that rolls back is never posted."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("event"), max_length=40)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(fields=["channel", "-id"], name="notify_delivery_log"),
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="notify_delivery_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.channel_id} ({self.status})"
