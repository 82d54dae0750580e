"""Placeholder: the real pages land with issue 3."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from luodi.web.decorators import org_page
from luodi.web.views.pending import render_pending


@org_page
def units(request: HttpRequest) -> HttpResponse:
    return render_pending(request, "units")


@org_page
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_pending(request, "units")
