"""API endpoints of luodi.collab."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["collab"])
