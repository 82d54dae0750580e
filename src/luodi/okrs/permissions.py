"""Who sees and who changes which objectives and key results."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from luodi.accounts.models import User
from luodi.okrs.choices import Level, ObjectiveState, Visibility
from luodi.okrs.models import KeyResult, Objective
from luodi.orgs.choices import MANAGER_ROLES, Role
from luodi.orgs.models import Organization, Unit
from luodi.orgs.permissions import membership_of
from luodi.orgs.selectors import reports_below


@dataclass(frozen=True)
class Viewer:
    """What one person's visibility depends on, computed once per request."""

    user_id: int
    role: str | None
    unit_ids_above_me: frozenset[int]  # my unit and its ancestors
    led_unit_ids: frozenset[int]  # units I lead and everything below them
    report_ids: frozenset[int]  # people I manage, directly or not

    @property
    def is_admin(self) -> bool:
        return self.role in MANAGER_ROLES

    @property
    def can_write(self) -> bool:
        return self.role in (Role.OWNER, Role.ADMIN, Role.MEMBER)


def viewer_for(organization: Organization, user: User) -> Viewer:
    cache: dict[int, Viewer] = user.__dict__.setdefault("_luodi_viewers", {})
    if organization.pk not in cache:
        cache[organization.pk] = _build_viewer(organization, user)
    return cache[organization.pk]


def _build_viewer(organization: Organization, user: User) -> Viewer:
    membership = membership_of(organization, user)
    if membership is None:
        return Viewer(user.pk, None, frozenset(), frozenset(), frozenset())
    # One query for the unit tree: units are few next to people and objectives.
    units = list(
        Unit.objects.filter(organization=organization).values_list("pk", "parent_id", "leader_id")
    )
    parent_of = {pk: parent for pk, parent, _ in units}
    children: dict[int, list[int]] = {}
    for pk, parent, _ in units:
        if parent is not None:
            children.setdefault(parent, []).append(pk)
    above: set[int] = set()
    current = membership.unit_id
    while current is not None and current not in above:
        above.add(current)
        current = parent_of.get(current)
    led: set[int] = set()
    stack = [pk for pk, _, leader in units if leader == user.pk]
    while stack:
        pk = stack.pop()
        if pk not in led:
            led.add(pk)
            stack.extend(children.get(pk, []))
    return Viewer(
        user_id=user.pk,
        role=membership.role,
        unit_ids_above_me=frozenset(above),
        led_unit_ids=frozenset(led),
        report_ids=frozenset(reports_below(organization=organization, manager_id=user.pk)),
    )


def visible_objectives_q(viewer: Viewer, prefix: str = "") -> Q:
    """A filter for the objectives this viewer may see (prefix for related lookups)."""

    def q(**kwargs: object) -> Q:
        return Q(**{prefix + key: value for key, value in kwargs.items()})

    if viewer.role is None:
        return q(pk__in=[])
    if viewer.is_admin:
        return Q()
    not_draft = ~q(state=ObjectiveState.DRAFT)
    return (
        q(owner_id=viewer.user_id)
        | (not_draft & q(visibility=Visibility.ORGANIZATION))
        | (not_draft & q(visibility=Visibility.UNIT, unit_id__in=viewer.unit_ids_above_me))
        | (not_draft & q(owner_id__in=viewer.report_ids))
        | (~q(visibility=Visibility.PRIVATE) & q(unit_id__in=viewer.led_unit_ids))
    )


def can_see_objective(viewer: Viewer, objective: Objective) -> bool:
    if viewer.role is None:
        return False
    if viewer.is_admin or objective.owner_id == viewer.user_id:
        return True
    draft = objective.state == ObjectiveState.DRAFT
    if objective.visibility != Visibility.PRIVATE and objective.unit_id in viewer.led_unit_ids:
        return True
    if draft:
        return False
    if objective.visibility == Visibility.ORGANIZATION:
        return True
    if objective.owner_id in viewer.report_ids:
        return True
    return objective.visibility == Visibility.UNIT and objective.unit_id in viewer.unit_ids_above_me


def can_manage_objective(
    viewer: Viewer, *, owner_id: int | None, unit_id: int | None, level: str
) -> bool:
    """Admins manage all; members their own objectives and those of units they lead."""
    if viewer.is_admin:
        return True
    if not viewer.can_write:
        return False
    if unit_id is not None and unit_id in viewer.led_unit_ids:
        return True
    return level == Level.INDIVIDUAL and owner_id == viewer.user_id


def can_edit_objective(viewer: Viewer, objective: Objective) -> bool:
    return can_manage_objective(
        viewer, owner_id=objective.owner_id, unit_id=objective.unit_id, level=objective.level
    ) or (viewer.can_write and objective.owner_id == viewer.user_id)


def can_check_in(viewer: Viewer, key_result: KeyResult, contributor_ids: set[int]) -> bool:
    """Owners and contributors of the key result (or its objective's owner), and admins."""
    if viewer.is_admin:
        return True
    if not viewer.can_write:
        return False
    if viewer.user_id in contributor_ids or key_result.owner_id == viewer.user_id:
        return True
    return key_result.objective.owner_id == viewer.user_id
