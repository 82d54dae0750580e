"""Shared by the administration pages: owners and admins only, the rest get 403."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from luodi.orgs.choices import MANAGER_ROLES
from luodi.orgs.models import Membership, Organization, Unit
from luodi.web.decorators import org_page


def admin_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """org_page (outsiders get 404) plus: members and viewers get 403."""

    @org_page
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.membership.role not in MANAGER_ROLES:  # type: ignore[attr-defined]
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def render_admin(request: HttpRequest, template: str, tab: str, context: dict) -> HttpResponse:
    context.update(nav="settings", tab=tab)
    return render(request, template, context)


def units_in_tree(org: Organization) -> list[Unit]:
    """All units depth-first, siblings by name, leaders joined: one query."""
    return list(
        Unit.objects.filter(organization=org)
        .with_tree_fields()
        .tree_filter(organization=org)
        .order_siblings_by("name")
        .select_related("leader")
    )


def memberships_by_name(org: Organization) -> list[Membership]:
    return list(
        Membership.objects.filter(organization=org)
        .select_related("user")
        .order_by("user__name", "user__email")
    )


def counts_by(queryset: Any, field: str) -> dict[int, int]:
    """{field value: row count} in one grouped query."""
    rows = queryset.filter(**{f"{field}__isnull": False}).values_list(field).annotate(n=Count("pk"))
    return dict(rows.order_by())
