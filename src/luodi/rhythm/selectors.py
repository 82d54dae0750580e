"""Reads of the weekly rhythm, always scoped to one organization and to what the caller may
see: their own reports, submitted reports of the people they lead or manage, meetings of
their units."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from luodi.accounts.models import User
from luodi.okrs.permissions import can_see_objective, viewer_for
from luodi.orgs.choices import Role
from luodi.orgs.models import Membership, Organization
from luodi.rhythm.access import (
    can_see_meeting,
    readable_people_q,
    subtree_ids,
    visible_meetings_q,
)
from luodi.rhythm.models import (
    ActionItem,
    Meeting,
    MonthlySummary,
    ReportState,
    WeeklyReport,
)

HOME_ACTION_ITEMS = 10


def report_model(kind: str) -> type[WeeklyReport] | type[MonthlySummary]:
    return WeeklyReport if kind == "week" else MonthlySummary


def report_list(
    *,
    organization: Organization,
    user: User,
    kind: str = "week",
    user_id: int | None = None,
    period_key: str | None = None,
) -> QuerySet:
    viewer = viewer_for(organization, user)
    model = report_model(kind)
    reports = model.objects.filter(organization=organization).filter(
        Q(user=user) | (Q(state=ReportState.SUBMITTED) & readable_people_q(viewer))
    )
    if user_id is not None:
        reports = reports.filter(user_id=user_id)
    if period_key:
        reports = reports.filter(**{kind: period_key})
    return reports.select_related("user")


def report_get(*, organization: Organization, user: User, kind: str, report_id: int):  # type: ignore[no-untyped-def]
    return report_list(organization=organization, user=user, kind=kind).filter(pk=report_id).first()


def my_report(*, organization: Organization, user: User, kind: str, period_key: str):  # type: ignore[no-untyped-def]
    return (
        report_model(kind)
        .objects.filter(organization=organization, user=user, **{kind: period_key})
        .first()
    )


@dataclass
class TeamRow:
    membership: Membership
    report: WeeklyReport | MonthlySummary | None


def team_reports(
    *, organization: Organization, unit_id: int, kind: str, period_key: str
) -> list[TeamRow]:
    """Everyone in the unit and below who writes OKRs (viewers read only), with their
    submitted report for the period (or None): two queries however large the team."""
    people = list(
        Membership.objects.filter(
            organization=organization, unit_id__in=subtree_ids(organization, unit_id)
        )
        .exclude(role=Role.VIEWER)
        .select_related("user", "unit")
        .order_by("user__name", "user__email")
    )
    reports = {
        r.user_id: r
        for r in report_model(kind).objects.filter(
            organization=organization,
            state=ReportState.SUBMITTED,
            user_id__in=[m.user_id for m in people],
            **{kind: period_key},
        )
    }
    return [TeamRow(m, reports.get(m.user_id)) for m in people]


def meeting_list(
    *, organization: Organization, user: User, unit_id: int | None = None
) -> QuerySet[Meeting]:
    viewer = viewer_for(organization, user)
    meetings = Meeting.objects.filter(organization=organization).filter(visible_meetings_q(viewer))
    if unit_id is not None:
        meetings = meetings.filter(unit_id=unit_id)
    return meetings.select_related("unit", "organizer", "organization")


def meeting_get(*, organization: Organization, user: User, meeting_id: int) -> Meeting | None:
    meeting = (
        Meeting.objects.filter(organization=organization, pk=meeting_id)
        .select_related("unit", "organizer", "organization")
        .first()
    )
    if meeting is None:
        return None
    viewer = viewer_for(organization, user)
    if can_see_meeting(viewer, meeting):
        return meeting
    owns = ActionItem.objects.filter(meeting=meeting, owner=user).exists()
    return meeting if can_see_meeting(viewer, meeting, owns_item=owns) else None


def action_items_of(meeting: Meeting) -> QuerySet[ActionItem]:
    return (
        ActionItem.objects.filter(organization_id=meeting.organization_id, meeting=meeting)
        .select_related("owner", "key_result__objective")
        .order_by("done_at", "due_date", "id")
    )


def my_action_items(
    *, organization: Organization, user: User, open_only: bool = True
) -> QuerySet[ActionItem]:
    items = ActionItem.objects.filter(organization=organization, owner=user)
    if open_only:
        items = items.filter(done_at__isnull=True)
    return items.select_related("meeting", "key_result__objective").order_by("due_date", "id")


def hide_unseen_key_results(
    items: list[ActionItem], organization: Organization, user: User
) -> None:
    """Drop the key-result link of items whose objective this person may not see (no query:
    the viewer is cached, the objectives came with the items)."""
    viewer = viewer_for(organization, user)
    for item in items:
        kr = item.key_result
        item.visible_key_result = (  # type: ignore[attr-defined]
            kr if kr is not None and can_see_objective(viewer, kr.objective) else None
        )


def home_action_items(*, organization: Organization, user: User) -> list[ActionItem]:
    """My open action items for the home page: one query, the first ten by due date."""
    items = list(my_action_items(organization=organization, user=user)[:HOME_ACTION_ITEMS])
    hide_unseen_key_results(items, organization, user)
    return items
