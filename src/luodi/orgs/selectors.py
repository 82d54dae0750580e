"""Reads of organizations and their structure, always scoped to one organization."""

from __future__ import annotations

from django.db.models import QuerySet

from luodi.accounts.models import User
from luodi.orgs.models import Cycle, Membership, Organization, Theme, Unit


def organization_for_user(*, slug: str, user: User) -> Organization | None:
    """The organization if the user belongs to it; None (→ 404) otherwise."""
    return Organization.objects.filter(slug=slug, memberships__user=user).first()


def organizations_of(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("organization")
        .order_by("organization__name")
    )


def member_list(*, organization: Organization) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organization=organization).select_related("user").order_by("id")
    )


def unit_list(*, organization: Organization) -> QuerySet[Unit]:
    return Unit.objects.filter(organization=organization).order_by("id")


def theme_list(*, organization: Organization) -> QuerySet[Theme]:
    return Theme.objects.filter(organization=organization)


def cycle_list(*, organization: Organization) -> QuerySet[Cycle]:
    return Cycle.objects.filter(organization=organization).order_by("-start_date", "id")


def managers_above(*, organization: Organization, user_id: int) -> list[int]:
    """The user's managers up the chain, nearest first."""
    managers = dict(
        Membership.objects.filter(organization=organization).values_list("user_id", "manager_id")
    )
    chain: list[int] = []
    current = managers.get(user_id)
    while current is not None and current not in chain:
        chain.append(current)
        current = managers.get(current)
    return chain


def reports_below(*, organization: Organization, manager_id: int) -> set[int]:
    """Everyone whose management chain passes through manager_id (direct or indirect)."""
    pairs = Membership.objects.filter(organization=organization, manager__isnull=False).values_list(
        "manager_id", "user_id"
    )
    direct: dict[int, list[int]] = {}
    for boss, report in pairs:
        direct.setdefault(boss, []).append(report)
    found: set[int] = set()
    stack = [manager_id]
    while stack:
        for report in direct.get(stack.pop(), []):
            if report not in found:
                found.add(report)
                stack.append(report)
    return found


def member_get(*, organization: Organization, membership_id: int) -> Membership | None:
    return (
        Membership.objects.filter(organization=organization, pk=membership_id)
        .select_related("user", "organization")
        .first()
    )


def unit_get(*, organization: Organization, unit_id: int) -> Unit | None:
    return Unit.objects.filter(organization=organization, pk=unit_id).first()


def theme_get(*, organization: Organization, theme_id: int) -> Theme | None:
    return Theme.objects.filter(organization=organization, pk=theme_id).first()


def cycle_get(*, organization: Organization, cycle_id: int) -> Cycle | None:
    return Cycle.objects.filter(organization=organization, pk=cycle_id).first()
