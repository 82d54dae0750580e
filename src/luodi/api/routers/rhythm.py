"""API endpoints of luodi.rhythm."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["rhythm"])
