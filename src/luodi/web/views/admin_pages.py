"""Placeholder: the real pages land with issue 3."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from luodi.web.decorators import org_page
from luodi.web.views.pending import render_pending


@org_page
def settings_page(request: HttpRequest) -> HttpResponse:
    return render_pending(request, "settings")


@org_page
def units_admin(request: HttpRequest) -> HttpResponse:
    return render_pending(request, "settings")


@org_page
def members_admin(request: HttpRequest) -> HttpResponse:
    return render_pending(request, "settings")


@org_page
def cycles_admin(request: HttpRequest) -> HttpResponse:
    return render_pending(request, "settings")


@org_page
def themes_admin(request: HttpRequest) -> HttpResponse:
    return render_pending(request, "settings")
