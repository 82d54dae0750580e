"""Who sees and who changes which objectives and key results."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.db.models.expressions import RawSQL

from luodi.accounts.models import User
from luodi.okrs.choices import Level, ObjectiveState, Visibility
from luodi.okrs.models import KeyResult, Objective
from luodi.orgs.choices import MANAGER_ROLES, Role
from luodi.orgs.models import Membership, Organization, Unit
from luodi.orgs.permissions import membership_of


@dataclass(frozen=True)
class Viewer:
    """What one person's visibility depends on, computed once per request."""

    user_id: int
    role: str | None
    unit_ids_above_me: frozenset[int]  # my unit and its ancestors
    led_unit_ids: frozenset[int]  # units I lead and everything below them
    report_ids: frozenset[int]  # people I manage, directly or not (empty for admins)
    # Set by viewer_for: lets visible_objectives_q filter by subqueries rather than id lists.
    organization_id: int | None = None

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
        report_ids=_report_ids(organization, user, membership.role),
        organization_id=organization.pk,
    )


def _report_ids(organization: Organization, user: User, role: str) -> frozenset[int]:
    """The people this user manages, read down the chain in the database: only they are
    fetched, not every manager link of the organization. Admins see everything, so who
    they manage never matters and costs no query."""
    if role in MANAGER_ROLES:
        return frozenset()
    reports = Membership.objects.filter(
        organization=organization, user_id__in=_report_ids_sql(organization.pk, user.pk)
    )
    return frozenset(reports.values_list("user_id", flat=True))


def _report_ids_sql(organization_id: int, manager_id: int) -> RawSQL:
    """Everyone whose management chain passes through manager_id (as `reports_below`).

    Raw SQL because the ORM cannot express a recursive query; UNION stops at cycles."""
    table = Membership._meta.db_table
    return RawSQL(
        f"WITH RECURSIVE chain(user_id) AS ("
        f"SELECT user_id FROM {table} WHERE organization_id = %s AND manager_id = %s "
        f"UNION SELECT m.user_id FROM {table} m JOIN chain c ON m.manager_id = c.user_id "
        f"WHERE m.organization_id = %s) SELECT user_id FROM chain",
        [organization_id, manager_id, organization_id],
    )


def _led_unit_ids_sql(organization_id: int, leader_id: int) -> RawSQL:
    """The units this person leads and every unit below them (as `led_unit_ids`)."""
    table = Unit._meta.db_table
    return RawSQL(
        f"WITH RECURSIVE led(id) AS ("
        f"SELECT id FROM {table} WHERE organization_id = %s AND leader_id = %s "
        f"UNION SELECT u.id FROM {table} u JOIN led ON u.parent_id = led.id "
        f"WHERE u.organization_id = %s) SELECT id FROM led",
        [organization_id, leader_id, organization_id],
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
    # A manager's reports and a leader's units can number thousands: as id lists they
    # would grow the SQL with the data (and pass SQLite's parameter limit), so they are
    # subqueries. The units above me are as many as the tree is deep: a list is fine.
    reports: object = viewer.report_ids
    led: object = viewer.led_unit_ids
    org_id = viewer.organization_id
    if org_id is not None:
        reports = _report_ids_sql(org_id, viewer.user_id) if viewer.report_ids else ()
        led = _led_unit_ids_sql(org_id, viewer.user_id) if viewer.led_unit_ids else ()
    return (
        q(owner_id=viewer.user_id)
        | (not_draft & q(visibility=Visibility.ORGANIZATION))
        | (not_draft & q(visibility=Visibility.UNIT, unit_id__in=sorted(viewer.unit_ids_above_me)))
        | (not_draft & q(owner_id__in=reports))
        | (~q(visibility=Visibility.PRIVATE) & q(unit_id__in=led))
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


def can_approve_objective(viewer: Viewer, objective: Objective) -> bool:
    """Leaders of the objective's unit or of a unit above it, and admins; nobody approves
    their own draft (admins aside), nor one they may not see (a private draft: admins)."""
    if viewer.is_admin:
        return True
    if not viewer.can_write or objective.owner_id == viewer.user_id:
        return False
    return objective.unit_id in viewer.led_unit_ids and can_see_objective(viewer, objective)


def can_check_in(viewer: Viewer, key_result: KeyResult, contributor_ids: set[int]) -> bool:
    """Owners and contributors of the key result (or its objective's owner), and admins."""
    if viewer.is_admin:
        return True
    if not viewer.can_write:
        return False
    if viewer.user_id in contributor_ids or key_result.owner_id == viewer.user_id:
        return True
    return key_result.objective.owner_id == viewer.user_id
