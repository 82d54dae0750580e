"""API endpoints of luodi.notify: my notifications; an organization's channels (admins)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status

from luodi.api.lookups import caller, found, organization_or_404
from luodi.api.pagination import PageQuery, decode_cursor, encode_cursor, page_body
from luodi.api.params import id_path, slug_path
from luodi.api.schemas import responses
from luodi.notify import selectors, services
from luodi.notify.models import Channel, Delivery, Notification
from luodi.notify.schemas import (
    ChannelIn,
    ChannelOut,
    ChannelPage,
    ChannelPatch,
    DeliveryPage,
    NotificationPage,
    NotificationQuery,
    ReadIn,
    ReadOut,
)
from luodi.orgs.models import Organization
from luodi.orgs.permissions import require_admin

router = Router(tags=["notifications"])


def newest_first(queryset: QuerySet, page: PageQuery) -> tuple[list, str | None]:
    """Keyset pages in descending id order (an inbox and a log read newest first)."""
    queryset = queryset.order_by("-pk")
    if page.cursor:
        queryset = queryset.filter(pk__lt=decode_cursor(page.cursor))
    rows = list(queryset[: page.limit + 1])
    if len(rows) > page.limit:
        rows = rows[: page.limit]
        return rows, encode_cursor(rows[-1].pk)
    return rows, None


def notification_data(n: Notification) -> dict[str, Any]:
    return {
        "id": n.pk,
        "organization": n.organization.slug,
        "kind": n.kind,
        "title": n.title,
        "body": n.body,
        "url": n.url,
        "actor_id": n.actor_id,
        "created_at": n.created_at,
        "read_at": n.read_at,
    }


def channel_data(c: Channel) -> dict[str, Any]:
    # The secret never leaves the server: only whether one is set.
    return {
        "id": c.pk,
        "kind": c.kind,
        "name": c.name,
        "url": c.url,
        "has_secret": bool(c.secret),
        "events": list(c.events),
        "unit_id": c.unit_id,
        "enabled": c.enabled,
        "created_at": c.created_at,
    }


def delivery_data(d: Delivery) -> dict[str, Any]:
    return {
        "id": d.pk,
        "event": d.event,
        "status": d.status,
        "attempts": d.attempts,
        "last_error": d.last_error,
        "created_at": d.created_at,
        "next_attempt_at": d.next_attempt_at,
        "delivered_at": d.delivered_at,
    }


@router.get("/me/notifications", response=responses(NotificationPage), summary="My notifications")
def notification_list(request: HttpRequest, filters: Query[NotificationQuery]) -> dict[str, Any]:
    """Newest first, from every organization I belong to."""
    rows = selectors.inbox(user=caller(request)).select_related("organization")
    if filters.unread:
        rows = rows.filter(read_at__isnull=True)
    items, next_cursor = newest_first(rows, filters)
    return page_body([notification_data(n) for n in items], next_cursor)


@router.post("/me/notifications/read", response=responses(ReadOut), summary="Mark read")
def notification_read(request: HttpRequest, payload: ReadIn) -> dict[str, int]:
    """These ids (mine only; others are ignored), or without `ids` all of mine."""
    updated = services.mark_read(user=caller(request), ids=payload.ids)
    return {"updated": updated}


def _admin_org(request: HttpRequest, slug: str) -> Organization:
    organization = organization_or_404(request, slug)
    require_admin(organization, caller(request))
    return organization


def _channel(organization: Organization, channel_id: int) -> Channel:
    return found(selectors.channel_get(organization=organization, channel_id=channel_id))


@router.get("/orgs/{org}/channels", response=responses(ChannelPage), summary="Channels")
def channel_list(
    request: HttpRequest, page: Query[PageQuery], org: str = slug_path()
) -> dict[str, Any]:
    """Owners and admins only."""
    organization = _admin_org(request, org)
    rows = selectors.channel_list(organization=organization)
    if page.cursor:
        rows = rows.filter(pk__gt=decode_cursor(page.cursor))
    items = list(rows[: page.limit + 1])
    next_cursor = encode_cursor(items[page.limit - 1].pk) if len(items) > page.limit else None
    return page_body([channel_data(c) for c in items[: page.limit]], next_cursor)


@router.post("/orgs/{org}/channels", response=responses(ChannelOut, 201), summary="Add a channel")
def channel_create(request: HttpRequest, payload: ChannelIn, org: str = slug_path()) -> Status:
    organization = _admin_org(request, org)
    channel = services.channel_create(
        organization=organization, actor=caller(request), **payload.model_dump()
    )
    return Status(201, channel_data(channel))


@router.get(
    "/orgs/{org}/channels/{channel_id}", response=responses(ChannelOut), summary="Read a channel"
)
def channel_detail(
    request: HttpRequest, org: str = slug_path(), channel_id: int = id_path()
) -> dict[str, Any]:
    organization = _admin_org(request, org)
    return channel_data(_channel(organization, channel_id))


@router.patch("/orgs/{org}/channels/{channel_id}", response=responses(ChannelOut), summary="Change")
def channel_update(
    request: HttpRequest,
    payload: ChannelPatch,
    org: str = slug_path(),
    channel_id: int = id_path(),
) -> dict[str, Any]:
    """`secret`: absent keeps it, "" or null removes it."""
    organization = _admin_org(request, org)
    channel = _channel(organization, channel_id)
    changes = payload.changes()
    if "secret" in changes and changes["secret"] is None:
        changes["secret"] = ""
    channel = services.channel_update(channel=channel, actor=caller(request), **changes)
    return channel_data(channel)


@router.delete("/orgs/{org}/channels/{channel_id}", response=responses(None, 204), summary="Delete")
def channel_delete(
    request: HttpRequest, org: str = slug_path(), channel_id: int = id_path()
) -> Status:
    organization = _admin_org(request, org)
    services.channel_delete(channel=_channel(organization, channel_id), actor=caller(request))
    return Status(204, None)


@router.get(
    "/orgs/{org}/channels/{channel_id}/deliveries",
    response=responses(DeliveryPage),
    summary="Delivery log",
)
def delivery_list(
    request: HttpRequest,
    page: Query[PageQuery],
    org: str = slug_path(),
    channel_id: int = id_path(),
) -> dict[str, Any]:
    """Newest first: status, attempts and the last error of each event sent."""
    organization = _admin_org(request, org)
    channel = _channel(organization, channel_id)
    items, next_cursor = newest_first(selectors.delivery_log(channel=channel), page)
    return page_body([delivery_data(d) for d in items], next_cursor)
