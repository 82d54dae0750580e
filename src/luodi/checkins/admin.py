"""Operator admin for check-ins: read them, correct a note, or delete a wrong one.

Check-ins are created only through `checkin_submit`, which moves progress along the chain.
Deleting one here rebuilds the organization's progress from the remaining check-ins.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from luodi.checkins.models import CheckIn, IdempotencyRecord
from luodi.okrs.admin import TenantChildAdminMixin


@admin.register(CheckIn)
class CheckInAdmin(TenantChildAdminMixin, admin.ModelAdmin):
    tenant_parent = "key_result"
    list_display = (
        "created_at",
        "key_result",
        "value",
        "done",
        "confidence",
        "progress",
        "author",
        "source",
    )
    list_filter = ("source",)
    search_fields = ("key_result__title", "note", "author__email", "organization__slug")
    date_hierarchy = "created_at"
    list_select_related = ("key_result", "author")
    readonly_fields = (
        "key_result",
        "value",
        "done",
        "milestone_ids_done",
        "confidence",
        "progress",
        "author",
        "source",
        "created_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ("key", "user", "organization", "checkin", "created_at")
    search_fields = ("key", "user__email")
    readonly_fields = ("organization", "user", "key", "checkin", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: IdempotencyRecord | None = None
    ) -> bool:
        return False
