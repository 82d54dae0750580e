"""Who may read whose reports, and who sees or runs which review meeting."""

from __future__ import annotations

from django.db.models import Q

from luodi.okrs.choices import ObjectiveState, Visibility
from luodi.okrs.permissions import Viewer
from luodi.orgs.models import Membership, Organization, Unit
from luodi.rhythm.models import ActionItem, Meeting


def subtree_ids(organization: Organization, unit_id: int) -> list[int]:
    """The unit and every unit below it (one query for the organization's tree)."""
    pairs = list(Unit.objects.filter(organization=organization).values_list("pk", "parent_id"))
    children: dict[int, list[int]] = {}
    for pk, parent in pairs:
        if parent is not None:
            children.setdefault(parent, []).append(pk)
    found: list[int] = []
    stack = [unit_id]
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.append(pk)
            stack.extend(children.get(pk, []))
    return found


def can_lead(viewer: Viewer, unit_id: int) -> bool:
    """Admins, and leaders of the unit or of a unit above it."""
    return viewer.is_admin or unit_id in viewer.led_unit_ids


def readable_people_q(viewer: Viewer, prefix: str = "") -> Q:
    """Whose submitted reports this viewer reads: people in units they lead (sub-units too)
    and people they manage; admins read everyone's."""
    if viewer.role is None:
        return Q(pk__in=[])
    if viewer.is_admin:
        return Q()
    in_units = Membership.objects.filter(
        organization_id=viewer.organization_id, unit_id__in=sorted(viewer.led_unit_ids)
    ).values("user_id")
    return Q(**{prefix + "user_id__in": in_units}) | Q(
        **{prefix + "user_id__in": sorted(viewer.report_ids)}
    )


def shareable_objectives_q(viewer: Viewer, prefix: str = "") -> Q:
    """Objectives a person's report may name: the people who read it (leaders above,
    managers, admins) may not see private objectives, drafts, or a unit-only objective of
    a unit outside the person's own chain."""

    def q(**kwargs: object) -> Q:
        return Q(**{prefix + key: value for key, value in kwargs.items()})

    return ~q(state=ObjectiveState.DRAFT) & (
        q(visibility=Visibility.ORGANIZATION)
        | q(visibility=Visibility.UNIT, unit_id__in=sorted(viewer.unit_ids_above_me))
    )


def public_objectives_q(prefix: str = "") -> Q:
    """What any member may see: for artifacts shared with many (.ics, notifications)."""
    return Q(**{prefix + "visibility": Visibility.ORGANIZATION}) & ~Q(
        **{prefix + "state": ObjectiveState.DRAFT}
    )


def can_see_meeting(viewer: Viewer, meeting: Meeting, *, owns_item: bool = False) -> bool:
    """Admins, the organizer, leaders of the unit, its members (sub-units too) and the
    owners of its action items."""
    if viewer.role is None:
        return False
    return (
        viewer.is_admin
        or meeting.organizer_id == viewer.user_id
        or meeting.unit_id in viewer.led_unit_ids
        or meeting.unit_id in viewer.unit_ids_above_me
        or owns_item
    )


def can_edit_meeting(viewer: Viewer, meeting: Meeting) -> bool:
    if viewer.role is None:
        return False
    return (
        viewer.is_admin
        or meeting.organizer_id == viewer.user_id
        or meeting.unit_id in viewer.led_unit_ids
    )


def visible_meetings_q(viewer: Viewer) -> Q:
    if viewer.role is None:
        return Q(pk__in=[])
    if viewer.is_admin:
        return Q()
    units = sorted(viewer.led_unit_ids | viewer.unit_ids_above_me)
    mine = ActionItem.objects.filter(
        organization_id=viewer.organization_id, owner_id=viewer.user_id
    ).values("meeting_id")
    return Q(unit_id__in=units) | Q(organizer_id=viewer.user_id) | Q(pk__in=mine)
