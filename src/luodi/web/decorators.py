"""Page helpers: resolve the organization in the URL for the signed-in member."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from luodi.orgs.models import Membership

SESSION_ORG_KEY = "luodi_org"


def org_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Sign-in required; `org` in the URL must be one of the user's organizations (else 404).

    Sets request.org and request.membership, and remembers the organization for `/`.
    """

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, org: str, *args: Any, **kwargs: Any) -> HttpResponse:
        membership = (
            Membership.objects.filter(user=request.user, organization__slug=org)
            .select_related("organization", "unit")
            .first()
        )
        if membership is None:
            raise Http404
        request.org = membership.organization  # type: ignore[attr-defined]
        request.membership = membership  # type: ignore[attr-defined]
        # Prime the permission cache so services don't fetch the membership again.
        request.user.__dict__.setdefault("_luodi_memberships", {})[membership.organization_id] = (
            membership
        )
        # Write only on change: saving the session every request costs queries.
        if request.session.get(SESSION_ORG_KEY) != membership.organization.slug:
            request.session[SESSION_ORG_KEY] = membership.organization.slug
        return view(request, *args, **kwargs)

    return wrapper
