"""Notification test support: emit an event and run what it queues after commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from luodi.notify.events import EventKind, Message, emit
from luodi.notify.models import Channel
from luodi.orgs.models import Organization
from tests.api.conftest import world  # noqa: F401  (the API tests' two organizations)

# A msgid the shared catalog already translates: tests can tell the languages apart.
TITLE = "Move “%(title)s” up"
TITLE_ZH = "上移“%(title)s”"


@pytest.fixture
def send(django_capture_on_commit_callbacks: Any) -> Callable[..., None]:
    """emit() inside a transaction, then run its on-commit work (e-mails, deliveries)."""

    def run(organization: Organization, **fields: Any) -> None:
        fields.setdefault("kind", EventKind.CHECKIN_CREATED)
        fields.setdefault("title", Message(TITLE, {"title": "Revenue"}))
        fields.setdefault("url", f"/o/{organization.slug}/objectives/1/")
        fields.setdefault("recipients", [])
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            emit(organization=organization, **fields)

    return run


def make_channel(organization: Organization, url: str, **fields: Any) -> Channel:
    fields.setdefault("kind", "webhook")
    fields.setdefault("events", [EventKind.CHECKIN_CREATED])
    return Channel.objects.create(organization=organization, url=url, **fields)
