"""Operator admin for objectives, key results, alignments and their history.

The admin is a repair tool for operators, not the way people work: progress fields are
read-only, and every save or delete here ends with a rebuild of the organization's
progress from its check-ins (`luodi recompute`), so no stored progress goes stale.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from luodi.okrs.alignments import validate_alignments
from luodi.okrs.models import (
    Alignment,
    AlignmentRequest,
    KeyResult,
    KeyResultContributor,
    Milestone,
    Objective,
    ObjectiveTheme,
    PhaseTarget,
    Revision,
)
from luodi.okrs.permissions import Viewer
from luodi.okrs.rebuild import rebuild
from luodi.orgs.choices import Role
from luodi.orgs.models import Organization

KEY_RESULT_COMPUTED = (
    "current",
    "raw_progress",
    "progress",
    "last_confidence",
    "last_checkin_at",
    "checkin_count",
    "threshold_met_count",
    "created_at",
    "updated_at",
)


def rebuild_organizations(organization_ids: Iterable[int]) -> None:
    for organization in Organization.objects.filter(pk__in=set(organization_ids)):
        rebuild(organization=organization, write=True)


class TenantChildAdminMixin:
    """Tenant rows take their organization from their parent row (`tenant_parent`), and
    every write ends with a rebuild of the organization's progress."""

    tenant_parent = ""

    def get_exclude(self, request: HttpRequest, obj: Model | None = None) -> Any:
        return ("organization",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.organization_id = getattr(obj, self.tenant_parent).organization_id
        super().save_model(request, obj, form, change)  # type: ignore[misc]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        for inline_form in formset.forms:
            instance = inline_form.instance
            if hasattr(instance, "organization_id") and not instance.organization_id:
                instance.organization_id = form.instance.organization_id
        super().save_formset(request, form, formset, change)  # type: ignore[misc]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        rebuild_organizations([form.instance.organization_id])

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            organization_id = obj.organization_id
            super().delete_model(request, obj)  # type: ignore[misc]
            rebuild_organizations([organization_id])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        with transaction.atomic():
            organization_ids = list(queryset.values_list("organization_id", flat=True))
            super().delete_queryset(request, queryset)  # type: ignore[misc]
            rebuild_organizations(organization_ids)


class TenantInline(admin.TabularInline):
    extra = 0
    exclude = ("organization",)


class KeyResultInline(TenantInline):
    model = KeyResult
    fields = ("title", "kind", "start", "target", "direction", "weight", "state", "progress")
    readonly_fields = ("progress",)
    show_change_link = True


class ObjectiveThemeInline(TenantInline):
    model = ObjectiveTheme
    raw_id_fields = ("theme",)


@admin.register(Objective)
class ObjectiveAdmin(TenantChildAdminMixin, admin.ModelAdmin):
    tenant_parent = "cycle"
    list_display = ("title", "organization", "cycle", "level", "owner", "state", "progress")
    list_filter = ("level", "state", "visibility")
    search_fields = ("title", "organization__slug", "owner__email")
    raw_id_fields = ("cycle", "unit", "owner")
    readonly_fields = ("progress", "last_checkin_at", "created_at", "updated_at")
    list_select_related = ("organization", "cycle", "owner")
    inlines = [KeyResultInline, ObjectiveThemeInline]


class MilestoneInline(TenantInline):
    model = Milestone
    fields = ("title", "weight", "done", "position")
    readonly_fields = ("done",)


class PhaseTargetInline(TenantInline):
    model = PhaseTarget


class ContributorInline(TenantInline):
    model = KeyResultContributor
    raw_id_fields = ("user",)


@admin.register(KeyResult)
class KeyResultAdmin(TenantChildAdminMixin, admin.ModelAdmin):
    tenant_parent = "objective"
    list_display = ("title", "objective", "kind", "weight", "state", "progress", "checkin_count")
    list_filter = ("kind", "state")
    search_fields = ("title", "objective__title", "organization__slug")
    raw_id_fields = ("objective", "owner")
    readonly_fields = KEY_RESULT_COMPUTED
    list_select_related = ("objective",)
    inlines = [MilestoneInline, PhaseTargetInline, ContributorInline]


class AlignmentAdminForm(forms.ModelForm):
    """The same rules as the app: one parent in the child's organization, contributions
    only into roll-up key results, no cycles."""

    class Meta:
        model = Alignment
        fields = ("child", "parent_objective", "parent_key_result", "type", "weight")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        child = data.get("child")
        if child is None:
            return data
        parent_objective = data.get("parent_objective")
        parent_kr = data.get("parent_key_result")
        operator = Viewer(0, Role.OWNER, frozenset(), frozenset(), frozenset())
        spec = {
            "parent_objective_id": parent_objective.pk if parent_objective else None,
            "parent_key_result_id": parent_kr.pk if parent_kr else None,
            "type": data.get("type"),
            "weight": data.get("weight"),
        }
        try:
            validate_alignments(
                child=child, organization_id=child.organization_id, viewer=operator, raw=[spec]
            )
        except ValidationError as exc:
            raise ValidationError([m for ms in exc.message_dict.values() for m in ms]) from exc
        return data


@admin.register(Alignment)
class AlignmentAdmin(TenantChildAdminMixin, admin.ModelAdmin):
    tenant_parent = "child"
    form = AlignmentAdminForm
    list_display = ("child", "parent_objective", "parent_key_result", "type", "weight")
    list_filter = ("type",)
    search_fields = ("child__title", "organization__slug")
    raw_id_fields = ("child", "parent_objective", "parent_key_result")


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    """Append-only history: read it, never change it."""

    list_display = ("created_at", "field", "objective", "key_result", "author", "reason")
    list_filter = ("field",)
    search_fields = ("field", "reason", "objective__title", "key_result__title")
    list_select_related = ("objective", "key_result", "author")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Revision | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Revision | None = None) -> bool:
        return False


@admin.register(AlignmentRequest)
class AlignmentRequestAdmin(admin.ModelAdmin):
    """Requests are answered in the product; operators read them here."""

    list_display = ("created_at", "objective", "from_unit", "to_unit", "type", "state")
    list_filter = ("state", "type")
    search_fields = ("objective__title", "organization__slug", "message")
    list_select_related = ("objective", "from_unit", "to_unit")
    readonly_fields = (
        *("organization", "objective", "from_unit", "to_unit", "type", "message"),
        *("requested_by", "state", "answered_by", "answer_comment", "child_objective"),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
