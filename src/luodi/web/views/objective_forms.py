"""Placeholder: the real pages land with issue 3."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from luodi.web.decorators import org_page
from luodi.web.views.pending import render_pending


@org_page
def objective_new(request: HttpRequest) -> HttpResponse:
    return render_pending(request, "home")


@org_page
def objective_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return render_pending(request, "home")


@org_page
def key_result_new(request: HttpRequest, pk: int) -> HttpResponse:
    return render_pending(request, "home")


@org_page
def key_result_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return render_pending(request, "home")


@org_page
def alignment_search(request: HttpRequest) -> HttpResponse:
    return render_pending(request, "home")


@org_page
def objective_copy(request: HttpRequest, pk: int) -> HttpResponse:
    return render_pending(request, "home")
