"""Placeholder: the built-in guide lands with issue 3."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def guide(request: HttpRequest) -> HttpResponse:
    return render(request, "web/pending.html", {"nav": "guide"})
