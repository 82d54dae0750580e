"""Reads of check-ins, always scoped to the key result's organization."""

from __future__ import annotations

from django.db.models import QuerySet

from luodi.checkins.models import CheckIn
from luodi.okrs.models import KeyResult


def checkin_list(*, key_result: KeyResult) -> QuerySet[CheckIn]:
    """A key result's check-ins in the order they were recorded (the caller checked access)."""
    return CheckIn.objects.filter(
        organization_id=key_result.organization_id, key_result=key_result
    ).order_by("id")
