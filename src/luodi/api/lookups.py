"""Finding the objects a URL names, through the selectors: anything the caller may not
see, or that lives in another organization, is a 404 — never a 403 that confirms it."""

from __future__ import annotations

from typing import TypeVar

from django.http import Http404, HttpRequest

from luodi.accounts.models import User
from luodi.okrs.models import KeyResult, Objective
from luodi.okrs.selectors import key_result_get, objective_get
from luodi.orgs.models import Organization
from luodi.orgs.selectors import organization_for_user

T = TypeVar("T")


def caller(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def found(value: T | None) -> T:
    if value is None:
        raise Http404
    return value


def organization_or_404(request: HttpRequest, slug: str) -> Organization:
    if "\x00" in slug:
        raise Http404
    return found(organization_for_user(slug=slug, user=caller(request)))


def objective_or_404(
    request: HttpRequest,
    organization: Organization,
    objective_id: int,
    *,
    key_results: bool = False,
) -> Objective:
    return found(
        objective_get(
            organization=organization,
            user=caller(request),
            objective_id=objective_id,
            key_results=key_results,
        )
    )


def key_result_or_404(
    request: HttpRequest, organization: Organization, key_result_id: int
) -> KeyResult:
    return found(
        key_result_get(organization=organization, user=caller(request), key_result_id=key_result_id)
    )
