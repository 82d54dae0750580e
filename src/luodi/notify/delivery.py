"""Posting deliveries to their channels, with retries and exponential backoff.

Each delivery is its own huey task, so a slow or failing endpoint never holds up the
others. A failed attempt is not retried by sleeping in the worker: it records when the
next attempt is due, and `deliver_due` (a periodic task, every minute) queues the due
ones again. Tests drive retries by moving the clock and calling `deliver_due`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
from django.utils import timezone

from luodi.notify import channels
from luodi.notify.models import Delivery, DeliveryStatus

# After the 1st, 2nd, 3rd and 4th failure; the 5th failure is final.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=25),
    timedelta(minutes=125),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
TIMEOUT = httpx.Timeout(10.0)
# While one worker posts a delivery, nobody else picks it up (longer than TIMEOUT).
LEASE = timedelta(minutes=2)
BATCH = 200


def attempt(delivery_id: int, *, retry: bool = True, even_if_disabled: bool = False) -> bool | None:
    """Post one pending, due delivery once. True: delivered, False: failed this time,
    None: not due, already done, or taken by another worker."""
    now = timezone.now()
    claimed = Delivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + LEASE)
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("channel").get(pk=delivery_id)
    channel = delivery.channel
    if not channel.enabled and not even_if_disabled:
        _record(delivery, "channel disabled", now, retry=False)
        return False
    error = _post(channel.kind, channel.url, channel.secret, delivery.payload, now)
    _record(delivery, error, now, retry=retry)
    return error is None


def _post(kind: str, url: str, secret: str, payload: dict, now: datetime) -> str | None:
    try:
        outgoing = channels.build(kind, url, secret, payload, now)
        response = httpx.post(
            outgoing.url,
            content=outgoing.body,
            headers=outgoing.headers,
            timeout=TIMEOUT,
            follow_redirects=False,
        )
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}"[:500] or type(exc).__name__
    return channels.refusal(kind, response)


def _record(delivery: Delivery, error: str | None, now: datetime, *, retry: bool) -> None:
    attempts = delivery.attempts + 1
    fields: dict = {"attempts": attempts}
    if error is None:
        fields.update(
            status=DeliveryStatus.DELIVERED, delivered_at=now, next_attempt_at=None, last_error=""
        )
    elif retry and attempts < MAX_ATTEMPTS:
        fields.update(last_error=error, next_attempt_at=now + BACKOFF[attempts - 1])
    else:
        fields.update(status=DeliveryStatus.FAILED, last_error=error, next_attempt_at=None)
    Delivery.objects.filter(pk=delivery.pk).update(**fields)


def due_ids(now: datetime | None = None, limit: int = BATCH) -> list[int]:
    now = now or timezone.now()
    rows = Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
    return list(rows.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])


def deliver_due(now: datetime | None = None) -> list[int]:
    """Queue one task per delivery whose next attempt is due; answers their ids."""
    from luodi.notify import tasks

    ids = due_ids(now)
    for delivery_id in ids:
        tasks.deliver(delivery_id)
    return ids
