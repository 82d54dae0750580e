"""Alignment map and dashboard endpoints (filled in by the insights work)."""

from ninja import Router

router = Router(tags=["insights"])
