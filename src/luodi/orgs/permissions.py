"""Who may do what in an organization. Roles live on Membership."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from luodi.accounts.models import User
from luodi.orgs.choices import MANAGER_ROLES, Role
from luodi.orgs.models import Membership, Organization


def membership_of(organization: Organization, user: User) -> Membership | None:
    """The user's membership, cached on the user object for the request."""
    cache: dict[int, Membership | None] = user.__dict__.setdefault("_luodi_memberships", {})
    if organization.pk not in cache:
        cache[organization.pk] = (
            Membership.objects.filter(organization=organization, user=user)
            .select_related("unit")
            .first()
        )
    return cache[organization.pk]


def role_of(organization: Organization, user: User) -> str | None:
    membership = membership_of(organization, user)
    return membership.role if membership else None


def is_admin(organization: Organization, user: User) -> bool:
    return role_of(organization, user) in MANAGER_ROLES


def require_admin(organization: Organization, user: User) -> None:
    if not is_admin(organization, user):
        raise PermissionDenied(_("Only owners and admins may do this."))


def require_writer(organization: Organization, user: User) -> Membership:
    """Members, admins and owners write; viewers only read."""
    membership = membership_of(organization, user)
    if membership is None or membership.role == Role.VIEWER:
        raise PermissionDenied(_("Viewers cannot change OKRs."))
    return membership
