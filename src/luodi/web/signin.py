"""What happens when a person signs in or out of the web app.

- Language: a saved language is activated; a person without one keeps the language the
  browser negotiated (cookie or Accept-Language), saved as their default on first sign-in.
- Organization: the one last used (else the first joined) is put into the session at
  sign-in and saved on the user at sign-out, so `/` opens it again next time.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import translation

from luodi.accounts.models import User
from luodi.orgs.models import Membership
from luodi.web.decorators import SESSION_ORG_KEY


@receiver(user_logged_in, dispatch_uid="luodi-web-signed-in")
def signed_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is None:
        return
    _settle_language(request, user)
    if not request.session.get(SESSION_ORG_KEY):
        # The last organization used, else the first joined: set once here, so that
        # opening it later costs no session write.
        memberships = Membership.objects.filter(user=user)
        slug = (
            memberships.filter(organization_id=user.last_organization_id)
            .values_list("organization__slug", flat=True)
            .first()
            if user.last_organization_id
            else None
        ) or memberships.order_by("id").values_list("organization__slug", flat=True).first()
        if slug:
            request.session[SESSION_ORG_KEY] = slug


def _settle_language(request: HttpRequest, user: User) -> None:
    languages = dict(settings.LANGUAGES)
    if user.language in languages:
        language = user.language
    elif _browser_chose(request):
        language = translation.get_language_from_request(request)
        if language not in languages:
            return
        user.language = language
        user.save(update_fields=["language"])
    else:
        return  # nothing expressed: keep following the site default
    if hasattr(request, "LANGUAGE_CODE"):  # a real request (LocaleMiddleware ran)
        translation.activate(language)
        request.LANGUAGE_CODE = language


def _browser_chose(request: HttpRequest) -> bool:
    return bool(
        request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        or request.META.get("HTTP_ACCEPT_LANGUAGE")
    )


@receiver(user_logged_out, dispatch_uid="luodi-web-signed-out")
def signed_out(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if request is None or user is None:
        return
    remember_organization(user, request.session.get(SESSION_ORG_KEY))


def remember_organization(user: User, slug: str | None) -> None:
    """Save the organization as the user's default if they belong to it."""
    if not slug:
        return
    org_id = (
        Membership.objects.filter(user=user, organization__slug=slug)
        .values_list("organization_id", flat=True)
        .first()
    )
    if org_id and org_id != user.last_organization_id:
        user.last_organization_id = org_id
        user.save(update_fields=["last_organization"])
