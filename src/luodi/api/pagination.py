"""Cursor pagination: {"items": [...], "next": cursor or null}, keyset on id.

The cursor is opaque to clients (base64 of the last id seen), so it stays valid while
rows are added, and each page costs one indexed query however deep the walk goes.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Schema

from luodi.api.errors import field_errors

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
CURSOR_PREFIX = "v1:"
MAX_ID = 2**63 - 1

M = TypeVar("M", bound=Model)


class PageQuery(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page, 1–200.")
    cursor: str | None = Field(
        None, max_length=100, description="The `next` value of the previous page."
    )


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"{CURSOR_PREFIX}{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    bad = field_errors(_("Unknown cursor."), cursor=_("Use the `next` value of a page."))
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise bad from None
    if not text.startswith(CURSOR_PREFIX):
        raise bad
    digits = text.removeprefix(CURSOR_PREFIX)
    if not digits.isascii() or not digits.isdecimal() or len(digits) > 19:
        raise bad
    value = int(digits)
    if value > MAX_ID:
        raise bad
    return value


def paginate(queryset: QuerySet[M], page: PageQuery) -> tuple[list[M], str | None]:
    """One page of the queryset in id order, and the cursor of the next page (or None)."""
    queryset = queryset.order_by("pk")
    if page.cursor:
        queryset = queryset.filter(pk__gt=decode_cursor(page.cursor))
    rows = list(queryset[: page.limit + 1])
    if len(rows) > page.limit:
        rows = rows[: page.limit]
        return rows, encode_cursor(rows[-1].pk)
    return rows, None


def page_body(items: list[Any], next_cursor: str | None) -> dict[str, Any]:
    return {"items": items, "next": next_cursor}
