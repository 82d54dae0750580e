"""Path parameters shared by the routers."""

from __future__ import annotations

from typing import Any

from ninja import Path

from luodi.api.pagination import MAX_ID


def id_path() -> Any:
    """A numeric id in the path; out of range is a 422, unknown a 404."""
    return Path(..., ge=1, le=MAX_ID)


def slug_path() -> Any:
    """The organization's slug."""
    return Path(..., max_length=100)
