"""Delivery in the background: one failing endpoint is retried with backoff while the
others are delivered; the clock is moved and `deliver_due` (the periodic task) run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from luodi.notify import delivery as delivery_module
from luodi.notify.events import EventKind
from luodi.notify.models import Delivery, DeliveryStatus
from luodi.notify.tasks import deliver_due
from tests.notify.conftest import make_channel

START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def hits(httpserver, path: str) -> int:
    return sum(1 for request, _response in httpserver.log if request.path == path)


@pytest.mark.django_db
def test_failing_endpoint_retried_with_backoff_others_delivered(
    httpserver, org, send, time_machine
):
    time_machine.move_to(START, tick=False)
    httpserver.expect_request("/ok").respond_with_data("ok")
    httpserver.expect_request("/broken").respond_with_data("boom", status=500)
    ok = make_channel(org, httpserver.url_for("/ok"))
    broken = make_channel(org, httpserver.url_for("/broken"))
    refused = make_channel(org, "http://127.0.0.1:1/nothing-listens")
    send(org)

    assert Delivery.objects.get(channel=ok).status == DeliveryStatus.DELIVERED
    failing = Delivery.objects.get(channel=broken)
    assert (failing.status, failing.attempts) == (DeliveryStatus.PENDING, 1)
    assert failing.last_error.startswith("HTTP 500")
    assert failing.next_attempt_at == START + timedelta(minutes=1)
    unreachable = Delivery.objects.get(channel=refused)
    assert unreachable.attempts == 1 and "ConnectError" in unreachable.last_error

    assert delivery_module.deliver_due() == []  # nothing is due before its time
    elapsed = timedelta()
    for attempt, wait in enumerate([1, 5, 25, 125], start=2):
        elapsed += timedelta(minutes=wait)
        time_machine.move_to(START + elapsed - timedelta(seconds=1), tick=False)
        assert delivery_module.deliver_due() == []
        time_machine.move_to(START + elapsed, tick=False)
        deliver_due.call_local()  # what the worker runs every minute
        failing.refresh_from_db()
        assert failing.attempts == attempt
        assert hits(httpserver, "/broken") == attempt
    assert failing.status == DeliveryStatus.FAILED
    assert failing.next_attempt_at is None
    assert Delivery.objects.get(channel=refused).status == DeliveryStatus.FAILED
    assert hits(httpserver, "/ok") == 1  # delivered once, never again
    time_machine.move_to(START + timedelta(days=1), tick=False)
    assert delivery_module.deliver_due() == []


@pytest.mark.django_db
def test_endpoint_that_recovers_is_delivered_on_retry(httpserver, org, send, time_machine):
    time_machine.move_to(START, tick=False)
    httpserver.expect_oneshot_request("/flaky").respond_with_data("down", status=503)
    httpserver.expect_request("/flaky").respond_with_data("ok")
    channel = make_channel(org, httpserver.url_for("/flaky"))
    send(org)
    delivery = Delivery.objects.get(channel=channel)
    assert delivery.status == DeliveryStatus.PENDING
    time_machine.move_to(START + timedelta(minutes=1), tick=False)
    delivery_module.deliver_due()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 2
    assert delivery.last_error == ""
    assert delivery.delivered_at == START + timedelta(minutes=1)


@pytest.mark.django_db
def test_a_delivery_taken_by_one_worker_is_not_posted_twice(httpserver, org, send, time_machine):
    time_machine.move_to(START, tick=False)
    httpserver.expect_request("/broken").respond_with_data("boom", status=500)
    channel = make_channel(org, httpserver.url_for("/broken"))
    send(org)
    delivery = Delivery.objects.get(channel=channel)
    time_machine.move_to(START + timedelta(minutes=1), tick=False)
    # Another worker claimed it a moment ago (its lease runs): this one leaves it alone.
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=START + timedelta(minutes=1) + delivery_module.LEASE
    )
    assert delivery_module.attempt(delivery.pk) is None
    assert hits(httpserver, "/broken") == 1


@pytest.mark.django_db
def test_disabled_channels_and_other_events_get_nothing(httpserver, org, send):
    httpserver.expect_request("/hook").respond_with_data("ok")
    make_channel(org, httpserver.url_for("/hook"), enabled=False)
    make_channel(org, httpserver.url_for("/hook"), events=[EventKind.COMMENT_CREATED])
    send(org, kind=EventKind.CHECKIN_CREATED)
    assert Delivery.objects.count() == 0
    assert httpserver.log == []


@pytest.mark.django_db
def test_channel_disabled_after_the_event_is_not_posted(httpserver, org, send, time_machine):
    time_machine.move_to(START, tick=False)
    httpserver.expect_request("/broken").respond_with_data("boom", status=500)
    channel = make_channel(org, httpserver.url_for("/broken"))
    send(org)
    channel.enabled = False
    channel.save()
    time_machine.move_to(START + timedelta(minutes=1), tick=False)
    delivery_module.deliver_due()
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == "channel disabled"
    assert hits(httpserver, "/broken") == 1


@pytest.mark.django_db
def test_event_rolled_back_posts_nothing(httpserver, org, django_capture_on_commit_callbacks):
    from django.db import transaction

    from luodi.notify.events import Message, emit

    httpserver.expect_request("/hook").respond_with_data("ok")
    make_channel(org, httpserver.url_for("/hook"))
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                emit(
                    organization=org,
                    kind=EventKind.CHECKIN_CREATED,
                    recipients=[],
                    title=Message("Progress"),
                    url="/o/acme/",
                )
                raise RuntimeError("the caller's write failed")
        except RuntimeError:
            pass
    assert Delivery.objects.count() == 0
    assert httpserver.log == []
