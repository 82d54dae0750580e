"""Sign-in, language and the front door."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import activate
from django.views.decorators.http import require_POST

from luodi.orgs.models import Membership
from luodi.web.decorators import SESSION_ORG_KEY


@login_required
def front_door(request: HttpRequest) -> HttpResponse:
    """`/`: the organization last used, else the first, else the setup page."""
    memberships = Membership.objects.filter(user=request.user).select_related("organization")
    remembered = request.session.get(SESSION_ORG_KEY)
    chosen = next((m for m in memberships if m.organization.slug == remembered), None)
    chosen = chosen or memberships.order_by("id").first()
    if chosen is None:
        return redirect("web:org-create")
    return redirect("web:home", org=chosen.organization.slug)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language; remembered on the user (and in a cookie for the sign-in page)."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    if request.user.is_authenticated and request.user.language != language:
        request.user.language = language
        request.user.save(update_fields=["language"])
    activate(language)
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax"
    )
    return response


def healthy_redirect(request: HttpRequest) -> HttpResponse:
    return redirect(reverse("web:front-door"))


def org_create(request: HttpRequest) -> HttpResponse:
    """Placeholder: creating an organization from the browser lands with issue 3."""
    return render(request, "web/pending.html", {"nav": ""})
