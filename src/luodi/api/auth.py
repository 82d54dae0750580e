"""Who is calling: a personal API token (Authorization: Bearer …) or the browser session.

A request that sends an Authorization header is judged by it alone: a bad token is a 401
even when a session cookie is present. The session is accepted only with a valid CSRF
token on unsafe methods (POST, PATCH, DELETE), exactly like Django's own forms.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone, translation
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from luodi.accounts.models import ApiToken, User, hash_token
from luodi.api.errors import CsrfFailed

LAST_USED_EVERY = timedelta(minutes=1)
MAX_TOKEN_LENGTH = 200


def user_for_token(raw: str) -> User | None:
    """The active user owning this raw token; records the use at most once a minute."""
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def _use_language(user: User) -> None:
    if user.language and user.language in dict(settings.LANGUAGES):
        translation.activate(user.language)


class BearerTokenAuth(HttpBearer):
    """Authorization: Bearer <token>. A present but bad header stops here with a 401."""

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get(self.header)
        if header is None:
            return None
        scheme, _, raw = header.strip().partition(" ")
        if scheme.lower() != "bearer":
            raise AuthenticationError()
        return self.authenticate(request, raw.strip())

    def authenticate(self, request: HttpRequest, token: str) -> User:
        user = user_for_token(token)
        if user is None:
            raise AuthenticationError()
        request.user = user
        _use_language(user)
        return user


class SessionCsrfAuth(APIKeyCookie):
    """The signed-in browser session; unsafe methods need the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise CsrfFailed()
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:  # pragma: no cover
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None


api_auth = [BearerTokenAuth(), SessionCsrfAuth()]
