"""Notification writes: inbox rows, e-mail and channel deliveries (see events.py)."""

from __future__ import annotations

from typing import Any


def dispatch(**event: Any) -> None:
    """Placeholder until the inbox and channels exist: events are dropped."""
