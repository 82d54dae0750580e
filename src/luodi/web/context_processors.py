"""Values every page template needs: the organization, the user's memberships, role."""

from __future__ import annotations

from django.http import HttpRequest

from luodi.notify.selectors import unread_subquery
from luodi.orgs.choices import MANAGER_ROLES
from luodi.orgs.models import Membership


def luodi(request: HttpRequest) -> dict:
    org = getattr(request, "org", None)
    membership = getattr(request, "membership", None)
    memberships = []
    if request.user.is_authenticated:
        memberships = list(
            Membership.objects.filter(user=request.user)
            .select_related("organization")
            .annotate(unread=unread_subquery(request.user))  # the inbox badge, no extra query
            .order_by("organization__name")
        )
    return {
        "org": org,
        # Pages show times in the organization's timezone ({% timezone org_zone %}).
        "org_zone": org.timezone if org else "UTC",
        "membership": membership,
        "memberships": memberships,
        "is_org_admin": membership is not None and membership.role in MANAGER_ROLES,
        "unread_count": next(
            (m.unread for m in memberships if org and m.organization_id == org.pk), 0
        ),
    }
