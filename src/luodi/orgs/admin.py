"""Operator admin for organizations and their structure."""

from __future__ import annotations

from django.contrib import admin

from luodi.orgs.models import Cycle, Membership, Organization, Theme, Unit


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "organization"
    extra = 0
    fields = ("user", "role", "unit", "manager")
    raw_id_fields = ("user", "unit", "manager")


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "locale", "timezone", "policy_mode", "created_at")
    list_filter = ("policy_mode", "locale", "requires_approval")
    search_fields = ("name", "slug")
    readonly_fields = ("created_at",)
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organization", "role", "unit", "manager", "created_at")
    list_filter = ("role",)
    search_fields = ("user__email", "user__name", "organization__slug")
    raw_id_fields = ("organization", "user", "unit", "manager")
    list_select_related = ("user", "organization", "unit", "manager")


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "organization", "parent", "leader")
    list_filter = ("kind",)
    search_fields = ("name", "organization__slug")
    raw_id_fields = ("organization", "parent", "leader")
    list_select_related = ("organization", "parent", "leader")


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "organization", "position")
    list_filter = ("kind",)
    search_fields = ("title", "organization__slug")
    raw_id_fields = ("organization",)


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "start_date", "end_date", "state")
    list_filter = ("state",)
    search_fields = ("name", "organization__slug")
    raw_id_fields = ("organization",)
    date_hierarchy = "start_date"
