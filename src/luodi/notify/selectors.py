"""Notification reads, always scoped to the person (and the organization)."""

from __future__ import annotations

from django.db.models import Count, IntegerField, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from luodi.accounts.models import User
from luodi.notify.models import Channel, Delivery, Notification
from luodi.orgs.models import Organization


def inbox(*, user: User, organization: Organization | None = None) -> QuerySet[Notification]:
    """The person's notifications, newest first; without an organization, those of every
    organization they still belong to."""
    rows = Notification.objects.filter(recipient=user)
    if organization is not None:
        return rows.filter(organization=organization).order_by("-pk")
    return rows.filter(organization__memberships__user=user).order_by("-pk")


def notification_get(
    *, user: User, organization: Organization, notification_id: int
) -> Notification | None:
    return Notification.objects.filter(
        recipient=user, organization=organization, pk=notification_id
    ).first()


def unread_count(*, user: User, organization: Organization) -> int:
    return Notification.objects.filter(
        recipient=user, organization=organization, read_at__isnull=True
    ).count()


def unread_subquery(user: User) -> Coalesce:
    """The user's unread count in the organization of the outer Membership row."""
    counts = (
        Notification.objects.filter(
            recipient=user, organization=OuterRef("organization_id"), read_at__isnull=True
        )
        .order_by()
        .values("organization")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def channel_list(*, organization: Organization) -> QuerySet[Channel]:
    return Channel.objects.filter(organization=organization).select_related("unit").order_by("pk")


def channel_get(*, organization: Organization, channel_id: int) -> Channel | None:
    return (
        Channel.objects.filter(organization=organization, pk=channel_id)
        .select_related("unit", "organization")
        .first()
    )


def delivery_log(*, channel: Channel) -> QuerySet[Delivery]:
    """The channel's deliveries, newest first."""
    return Delivery.objects.filter(
        organization_id=channel.organization_id, channel=channel
    ).order_by("-pk")


def last_deliveries(*, channels: list[Channel]) -> dict[int, Delivery]:
    """Each channel's latest delivery: two queries however many channels."""
    if not channels:
        return {}
    latest = (
        Delivery.objects.filter(channel__in=channels)
        .values("channel_id")
        .annotate(last=Max("pk"))
        .values_list("last", flat=True)
    )
    return {d.channel_id: d for d in Delivery.objects.filter(pk__in=list(latest))}
