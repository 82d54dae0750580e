"""Pages whose real implementation lands in the web-app work (issue 3)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from luodi.web.decorators import org_page


def _pending(request: HttpRequest, nav: str) -> HttpResponse:
    return render(request, "web/pending.html", {"nav": nav})


@org_page
def checkin(request: HttpRequest) -> HttpResponse:
    return _pending(request, "checkin")


@org_page
def units(request: HttpRequest) -> HttpResponse:
    return _pending(request, "units")


@org_page
def alignment_map(request: HttpRequest) -> HttpResponse:
    return _pending(request, "map")


@org_page
def dashboard(request: HttpRequest) -> HttpResponse:
    return _pending(request, "dashboard")


@org_page
def settings_page(request: HttpRequest) -> HttpResponse:
    return _pending(request, "settings")


@org_page
def objective_new(request: HttpRequest) -> HttpResponse:
    return _pending(request, "home")


@org_page
def objective_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _pending(request, "home")


def guide(request: HttpRequest) -> HttpResponse:
    return render(request, "web/pending.html", {"nav": "guide"})


def org_create(request: HttpRequest) -> HttpResponse:
    return render(request, "web/pending.html", {"nav": ""})
