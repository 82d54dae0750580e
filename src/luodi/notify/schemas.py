"""API shapes of the notifications (API.md "Collaboration endpoints")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator, StrictBool, StrictStr

from luodi.api.pagination import PageQuery
from luodi.api.schemas import Id, In, Text, _no_nul, choice, omitted
from luodi.notify.events import EventKind
from luodi.notify.models import ChannelKind

MAX_IDS = 1000

KindChoice = choice(ChannelKind)
EventChoice = choice(EventKind)
Url = Annotated[StrictStr, Field(max_length=2000), AfterValidator(_no_nul)]
Secret = Annotated[StrictStr, Field(max_length=2000), AfterValidator(_no_nul)]


class NotificationQuery(PageQuery):
    unread: bool = Field(False, description="Only the unread ones.")


class NotificationOut(Schema):
    id: int
    organization: str
    kind: str
    title: str
    body: str
    url: str
    actor_id: int | None
    created_at: datetime
    read_at: datetime | None


class NotificationPage(Schema):
    items: list[NotificationOut]
    next: str | None


class ReadIn(In):
    ids: Annotated[list[Id], Field(max_length=MAX_IDS)] | None = None


class ReadOut(Schema):
    updated: int


class ChannelIn(In):
    kind: KindChoice
    url: Url
    secret: Secret | None = None
    events: Annotated[list[EventChoice], Field(max_length=100)]
    unit_id: Id | None = None
    name: Text = ""
    enabled: StrictBool = True


class ChannelPatch(In):
    kind: KindChoice = omitted()
    url: Url = omitted()
    secret: Secret | None = omitted()
    events: Annotated[list[EventChoice], Field(max_length=100)] = omitted()
    unit_id: Id | None = omitted()
    name: Text = omitted()
    enabled: StrictBool = omitted()


class ChannelOut(Schema):
    id: int
    kind: str
    name: str
    url: str
    has_secret: bool
    events: list[str]
    unit_id: int | None
    enabled: bool
    created_at: datetime


class ChannelPage(Schema):
    items: list[ChannelOut]
    next: str | None


class DeliveryOut(Schema):
    id: int
    event: str
    status: str
    attempts: int
    last_error: str
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None


class DeliveryPage(Schema):
    items: list[DeliveryOut]
    next: str | None
