"""Administration: organization settings, units, cycles and strategic themes.

Members and invitations live in admin_members.py. Views parse, call one service, render;
the services hold the rules and raise field errors that land beside the fields.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from luodi.okrs.models import Objective, ObjectiveTheme
from luodi.orgs import services
from luodi.orgs.models import Cycle, Membership, Organization, Theme, Unit
from luodi.orgs.selectors import cycle_get, theme_get, unit_get
from luodi.web.forms_accounts import apply_errors
from luodi.web.forms_admin import CycleForm, OrganizationSettingsForm, ThemeForm, UnitForm
from luodi.web.views.admin_common import (
    admin_page,
    counts_by,
    memberships_by_name,
    render_admin,
    units_in_tree,
)
from luodi.web.views.admin_members import members_admin  # noqa: F401  (URL name kept here)


def _saved(request: HttpRequest) -> None:
    messages.success(request, _("Saved."))


def _applied(form: Form, service: Callable[..., object], **arguments: Any) -> bool:
    """Call a service; when it refuses, put its reasons beside the fields, return False."""
    try:
        service(**arguments)
    except ValidationError as exc:
        apply_errors(form, exc)
        return False
    except PermissionDenied as exc:
        form.add_error(None, str(exc) or _("You may not do this."))
        return False
    return True


# organization settings


@admin_page
def settings_page(request: HttpRequest) -> HttpResponse:
    org: Organization = request.org  # type: ignore[attr-defined]
    form = OrganizationSettingsForm(
        request.POST or None, organization=org, initial=OrganizationSettingsForm.initial_for(org)
    )
    # A fresh copy: a refused change must not leak into the page around the form.
    if (
        request.method == "POST"
        and form.is_valid()
        and _applied(
            form,
            services.organization_update,
            organization=Organization.objects.get(pk=org.pk),
            actor=request.user,
            **form.cleaned_data,
        )
    ):
        _saved(request)
        return redirect("web:settings", org=org.slug)
    return render_admin(request, "web/admin/settings.html", "organization", {"form": form})


# units


@admin_page
def units_admin(request: HttpRequest) -> HttpResponse:
    org: Organization = request.org  # type: ignore[attr-defined]
    units = units_in_tree(org)
    memberships = memberships_by_name(org)
    form = UnitForm(request.POST or None, units=units, memberships=memberships)
    if (
        request.method == "POST"
        and form.is_valid()
        and _applied(
            form, services.unit_create, organization=org, actor=request.user, **form.cleaned_data
        )
    ):
        messages.success(request, _("Unit created."))
        return redirect("web:settings-units", org=org.slug)
    people = counts_by(Membership.objects.filter(organization=org), "unit")
    objectives = counts_by(Objective.objects.filter(organization=org), "unit")
    children = counts_by(Unit.objects.filter(organization=org), "parent")
    rows = [
        {
            "unit": u,
            "people": people.get(u.pk, 0),
            "objectives": objectives.get(u.pk, 0),
            "children": children.get(u.pk, 0),
        }
        for u in units
    ]
    for row in rows:
        row["empty"] = not (row["people"] or row["objectives"] or row["children"])
    company = next((u for u in units if u.kind == "company"), None)
    if not form.is_bound:
        # The first unit is the company itself; later ones are usually its departments.
        form.initial = (
            {"kind": "department", "parent_id": company.pk}
            if company
            else {"kind": "company", "name": org.name if not units else ""}
        )
    has_company = company is not None
    context = {"form": form, "rows": rows, "has_company": has_company}
    return render_admin(request, "web/admin/units.html", "units", context)


@admin_page
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org: Organization = request.org  # type: ignore[attr-defined]
    units = units_in_tree(org)
    unit = next((u for u in units if u.pk == pk), None)
    if unit is None:
        raise Http404
    inside = {u.pk for u in units if unit.pk in u.tree_path}  # itself and everything below
    form = UnitForm(
        request.POST or None,
        units=units,
        memberships=memberships_by_name(org),
        exclude=inside,
        initial=UnitForm.initial_for(unit),
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _applied(
            form,
            services.unit_update,
            unit=unit_get(organization=org, unit_id=pk),
            actor=request.user,
            **form.cleaned_data,
        )
    ):
        _saved(request)
        return redirect("web:settings-units", org=org.slug)
    context = {"form": form, "unit": unit}
    return render_admin(request, "web/admin/unit_edit.html", "units", context)


@admin_page
@require_POST
def unit_delete(request: HttpRequest, pk: int) -> HttpResponse:
    org: Organization = request.org  # type: ignore[attr-defined]
    unit = unit_get(organization=org, unit_id=pk)
    if unit is None:
        raise Http404
    try:
        services.unit_delete(unit=unit, actor=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        for reason in exc.messages:
            messages.error(request, reason)
    else:
        messages.success(request, _("Unit deleted."))
    return redirect("web:settings-units", org=org.slug)


# cycles


@admin_page
def cycles_admin(request: HttpRequest) -> HttpResponse:
    org: Organization = request.org  # type: ignore[attr-defined]
    form = CycleForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _applied(
            form, services.cycle_create, organization=org, actor=request.user, **form.cleaned_data
        )
    ):
        messages.success(request, _("Cycle created."))
        return redirect("web:settings-cycles", org=org.slug)
    cycles = list(Cycle.objects.filter(organization=org).order_by("-start_date", "id"))
    objectives = counts_by(Objective.objects.filter(organization=org), "cycle")
    rows = [{"cycle": c, "objectives": objectives.get(c.pk, 0)} for c in cycles]
    return render_admin(request, "web/admin/cycles.html", "cycles", {"form": form, "rows": rows})


@admin_page
def cycle_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org: Organization = request.org  # type: ignore[attr-defined]
    cycle = cycle_get(organization=org, cycle_id=pk)
    if cycle is None:
        raise Http404
    form = CycleForm(request.POST or None, initial=CycleForm.initial_for(cycle))
    if (
        request.method == "POST"
        and form.is_valid()
        and _applied(
            form,
            services.cycle_update,
            cycle=cycle_get(organization=org, cycle_id=pk),
            actor=request.user,
            **form.cleaned_data,
        )
    ):
        _saved(request)
        return redirect("web:settings-cycles", org=org.slug)
    context = {"form": form, "cycle": cycle}
    return render_admin(request, "web/admin/cycle_edit.html", "cycles", context)


# strategic themes


@admin_page
def themes_admin(request: HttpRequest) -> HttpResponse:
    org: Organization = request.org  # type: ignore[attr-defined]
    form = ThemeForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _applied(
            form, services.theme_create, organization=org, actor=request.user, **form.cleaned_data
        )
    ):
        messages.success(request, _("Theme added."))
        return redirect("web:settings-themes", org=org.slug)
    themes = list(Theme.objects.filter(organization=org).order_by("position", "id"))
    linked = counts_by(ObjectiveTheme.objects.filter(organization=org), "theme")
    rows = [{"theme": t, "objectives": linked.get(t.pk, 0)} for t in themes]
    return render_admin(request, "web/admin/themes.html", "themes", {"form": form, "rows": rows})


@admin_page
def theme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org: Organization = request.org  # type: ignore[attr-defined]
    theme = theme_get(organization=org, theme_id=pk)
    if theme is None:
        raise Http404
    form = ThemeForm(request.POST or None, initial=ThemeForm.initial_for(theme))
    if (
        request.method == "POST"
        and form.is_valid()
        and _applied(
            form,
            services.theme_update,
            theme=theme_get(organization=org, theme_id=pk),
            actor=request.user,
            **form.cleaned_data,
        )
    ):
        _saved(request)
        return redirect("web:settings-themes", org=org.slug)
    context = {"form": form, "theme": theme}
    return render_admin(request, "web/admin/theme_edit.html", "themes", context)


@admin_page
@require_POST
def theme_delete(request: HttpRequest, pk: int) -> HttpResponse:
    org: Organization = request.org  # type: ignore[attr-defined]
    theme = theme_get(organization=org, theme_id=pk)
    if theme is None:
        raise Http404
    services.theme_delete(theme=theme, actor=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Theme deleted."))
    return redirect("web:settings-themes", org=org.slug)


@admin_page
@require_POST
def theme_move(request: HttpRequest, pk: int) -> HttpResponse:
    org: Organization = request.org  # type: ignore[attr-defined]
    theme = theme_get(organization=org, theme_id=pk)
    if theme is None:
        raise Http404
    offset = -1 if request.POST.get("direction") == "up" else 1
    services.theme_move(theme=theme, actor=request.user, offset=offset)  # type: ignore[arg-type]
    return redirect(reverse("web:settings-themes", kwargs={"org": org.slug}) + f"#theme-{pk}")
