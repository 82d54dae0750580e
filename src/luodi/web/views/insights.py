"""Placeholder: the real pages land with issue 3."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from luodi.web.decorators import org_page
from luodi.web.views.pending import render_pending


@org_page
def alignment_map(request: HttpRequest) -> HttpResponse:
    return render_pending(request, "map")


@org_page
def dashboard(request: HttpRequest) -> HttpResponse:
    return render_pending(request, "dashboard")
