"""A page that is not built yet says so instead of failing."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def render_pending(request: HttpRequest, nav: str) -> HttpResponse:
    return render(request, "web/pending.html", {"nav": nav})
