"""The built-in guide: OKRs, strategy, writing, rhythm, and exactly how Luodi computes.

Long-form text is kept as one template per language rather than hundreds of msgids.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from luodi.orgs.models import Membership
from luodi.web.decorators import SESSION_ORG_KEY


def guide(request: HttpRequest) -> HttpResponse:
    """Open to everyone, signed in or not; signed-in people keep their organization's menu."""
    if request.user.is_authenticated:
        slug = request.session.get(SESSION_ORG_KEY)
        membership = (
            Membership.objects.filter(user=request.user, organization__slug=slug)
            .select_related("organization")
            .first()
            if slug
            else None
        )
        if membership is not None:
            request.org = membership.organization  # type: ignore[attr-defined]
            request.membership = membership  # type: ignore[attr-defined]
    language = (get_language() or "zh-hans").lower()
    template = "web/guide_zh.html" if language.startswith("zh") else "web/guide_en.html"
    return render(request, template, {"nav": "guide"})
