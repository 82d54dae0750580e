"""Writes of the weekly rhythm: reports, summaries, meetings, action items."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from luodi.accounts.models import User
from luodi.notify.events import EventKind, Message, emit
from luodi.okrs.models import KeyResult
from luodi.okrs.permissions import viewer_for, visible_objectives_q
from luodi.okrs.selectors import Clock
from luodi.orgs.models import Membership, Organization, Unit
from luodi.orgs.permissions import membership_of
from luodi.rhythm import agenda as agendas
from luodi.rhythm.access import can_edit_meeting, can_lead, subtree_ids
from luodi.rhythm.drafting import draft_report
from luodi.rhythm.models import (
    MAX_REPORT_TEXT,
    ActionItem,
    Meeting,
    MeetingKind,
    MonthlySummary,
    ReportState,
    WeeklyReport,
)
from luodi.rhythm.periods import Period, month_of, parse_month, parse_week, week_of, zone_of

REPORT_FIELDS = ("progress", "problems", "plans")
MIN_DURATION, MAX_DURATION = 15, 8 * 60


def _member(organization: Organization, user: User) -> Membership:
    membership = membership_of(organization, user)
    if membership is None:
        raise PermissionDenied(_("You are not a member of this organization."))
    return membership


def _clean_text(name: str, text: Any, limit: int = MAX_REPORT_TEXT) -> str:
    if not isinstance(text, str):
        raise ValidationError({name: _("Enter text.")})
    if "\x00" in text:
        raise ValidationError({name: _("Text cannot contain NUL characters.")})
    if len(text) > limit:
        raise ValidationError(
            {name: _("Keep it to %(limit)s characters or fewer.") % {"limit": limit}}
        )
    return text.strip()


# ---------------------------------------------------------------- reports and summaries


def _report_period(organization: Organization, kind: str, key: str) -> Period:
    """A week or month not after next week / next month (local): no reports of the future."""
    today = Clock.for_org(organization).today
    if kind == "week":
        period = parse_week(key)
        if period.first > week_of(today).end:
            raise ValidationError({"week": _("This week has not begun yet.")})
    else:
        period = parse_month(key)
        if period.first > month_of(today).end:
            raise ValidationError({"month": _("This month has not begun yet.")})
    return period


def _model_of(kind: str) -> type[WeeklyReport] | type[MonthlySummary]:
    return WeeklyReport if kind == "week" else MonthlySummary


@transaction.atomic
def report_save(
    *,
    organization: Organization,
    actor: User,
    kind: str = "week",
    period_key: str,
    texts: dict[str, Any],
    submit: bool = False,
) -> WeeklyReport | MonthlySummary:
    """Create or change my report for a week (kind "week") or month ("month"); `texts` holds
    any of progress, problems, plans. Submitting tells my unit leader (first time only)."""
    _member(organization, actor)
    period = _report_period(organization, kind, period_key)
    cleaned = {name: _clean_text(name, texts[name]) for name in REPORT_FIELDS if name in texts}
    unknown = set(texts) - set(REPORT_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Unknown field.")})
    model = _model_of(kind)
    report, _created = model.objects.select_for_update().get_or_create(
        organization=organization, user=actor, **{kind: period.key}
    )
    for name, text in cleaned.items():
        setattr(report, name, text)
    first_submit = submit and report.state != ReportState.SUBMITTED
    if submit:
        report.state = ReportState.SUBMITTED
        report.submitted_at = timezone.now()
    report.save()
    if first_submit:
        _tell_leader(organization, actor, kind, period.key)
    return report


@transaction.atomic
def report_draft(
    *, organization: Organization, actor: User, kind: str = "week", period_key: str
) -> WeeklyReport | MonthlySummary:
    """Fill my draft report from my check-ins of the period (replaces the draft's texts)."""
    _member(organization, actor)
    period = _report_period(organization, kind, period_key)
    model = _model_of(kind)
    report, _created = model.objects.select_for_update().get_or_create(
        organization=organization, user=actor, **{kind: period.key}
    )
    if report.state == ReportState.SUBMITTED:
        raise ValidationError(
            {kind: _("This report is already submitted; edit it instead of drafting again.")}
        )
    draft = draft_report(organization=organization, user=actor, period=period)
    report.progress, report.problems, report.plans = draft.progress, draft.problems, draft.plans
    report.save()
    return report


def leader_of(organization: Organization, user: User) -> int | None:
    """The leader of the person's unit, or of the nearest unit above led by someone else."""
    membership = membership_of(organization, user)
    if membership is None or membership.unit_id is None:
        return None
    units = {
        pk: (parent, leader)
        for pk, parent, leader in Unit.objects.filter(organization=organization).values_list(
            "pk", "parent_id", "leader_id"
        )
    }
    current: int | None = membership.unit_id
    seen: set[int] = set()
    while current is not None and current not in seen:
        seen.add(current)
        parent, leader = units.get(current, (None, None))
        if leader is not None and leader != user.pk:
            return leader
        current = parent
    return None


def _tell_leader(organization: Organization, actor: User, kind: str, key: str) -> None:
    leader = leader_of(organization, actor)
    if leader is None:
        return
    path = "weekly-reports/team/?week=" if kind == "week" else "monthly-summaries/team/?month="
    emit(
        organization=organization,
        kind=EventKind.WEEKLY_REPORT_SUBMITTED,
        recipients=[leader],
        title=Message(
            gettext_noop("%(name)s submitted the report for %(period)s"),
            {"name": actor.display_name, "period": key},
        ),
        url=f"/o/{organization.slug}/{path}{key}",
        actor_id=actor.pk,
        data={"user_id": actor.pk, kind: key},
    )


# ---------------------------------------------------------------- meetings


def _aware(moment: datetime, organization: Organization) -> datetime:
    if timezone.is_naive(moment):
        return moment.replace(tzinfo=zone_of(organization))
    return moment


DEFAULT_TITLES = {
    MeetingKind.WEEKLY: gettext_noop("%(unit)s weekly review"),
    MeetingKind.MONTHLY: gettext_noop("%(unit)s monthly review"),
    MeetingKind.QUARTERLY: gettext_noop("%(unit)s quarterly review"),
}


@transaction.atomic
def meeting_schedule(
    *,
    organization: Organization,
    actor: User,
    unit_id: Any,
    kind: Any,
    starts_at: Any,
    duration_minutes: Any = 60,
    title: Any = "",
) -> Meeting:
    """Schedule a review for a unit (its leaders above, or admins): the agenda is made now
    and the unit's people are told."""
    viewer = viewer_for(organization, actor)
    if viewer.role is None:
        raise PermissionDenied(_("You are not a member of this organization."))
    unit = None
    if isinstance(unit_id, int) and not isinstance(unit_id, bool):
        unit = Unit.objects.filter(organization=organization, pk=unit_id).first()
    if unit is None:
        raise ValidationError({"unit_id": _("Choose a unit of this organization.")})
    if not can_lead(viewer, unit.pk):
        raise PermissionDenied(_("Only the unit's leaders and admins schedule its reviews."))
    if kind not in MeetingKind.values:
        raise ValidationError({"kind": _("Choose weekly, monthly or quarterly.")})
    if not isinstance(starts_at, datetime) or not 1000 <= starts_at.year < 9000:
        raise ValidationError({"starts_at": _("Enter a date and time.")})
    duration = _duration(duration_minutes)
    title = _clean_text("title", title or "", 300) or _(DEFAULT_TITLES[kind]) % {"unit": unit.name}
    meeting = Meeting(
        organization=organization,
        unit=unit,
        kind=kind,
        title=title,
        starts_at=_aware(starts_at, organization),
        duration_minutes=duration,
        organizer=actor,
        uid=f"{uuid.uuid4()}@luodi",
    )
    meeting.agenda = agendas.build_agenda(meeting, Clock.for_org(organization))
    meeting.agenda_at = timezone.now()
    meeting.save()
    _tell_attendees(meeting, actor)
    return meeting


def _duration(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError({"duration_minutes": _("Enter whole minutes.")})
    if not MIN_DURATION <= value <= MAX_DURATION:
        raise ValidationError(
            {
                "duration_minutes": _("Between %(low)s and %(high)s minutes.")
                % {"low": MIN_DURATION, "high": MAX_DURATION}
            }
        )
    return value


def meeting_url(meeting: Meeting) -> str:
    return f"/o/{meeting.organization.slug}/meetings/{meeting.pk}/"


def attendee_ids(meeting: Meeting) -> list[int]:
    return list(
        Membership.objects.filter(
            organization_id=meeting.organization_id,
            unit_id__in=subtree_ids(meeting.organization, meeting.unit_id),
        ).values_list("user_id", flat=True)
    )


def _tell_attendees(meeting: Meeting, actor: User) -> None:
    local = meeting.starts_at.astimezone(zone_of(meeting.organization))
    emit(
        organization=meeting.organization,
        kind=EventKind.MEETING_SCHEDULED,
        recipients=attendee_ids(meeting),
        title=Message(
            gettext_noop("%(title)s on %(when)s"),
            {"title": meeting.title, "when": local.strftime("%Y-%m-%d %H:%M")},
        ),
        url=meeting_url(meeting),
        actor_id=actor.pk,
        unit_id=meeting.unit_id,
        # Only what every attendee may know: no agenda (its objectives may be private).
        data={
            "meeting_id": meeting.pk,
            "unit_id": meeting.unit_id,
            "kind": meeting.kind,
            "title": meeting.title,
            "starts_at": meeting.starts_at.isoformat(),
            "ics_url": meeting_url(meeting) + "invite.ics",
        },
    )


def _require_editor(meeting: Meeting, actor: User) -> None:
    if not can_edit_meeting(viewer_for(meeting.organization, actor), meeting):
        raise PermissionDenied(_("Only the organizer, the unit's leaders and admins do this."))


@transaction.atomic
def meeting_update(
    *, meeting: Meeting, actor: User, notes: Any = None, decisions: Any = None
) -> Meeting:
    _require_editor(meeting, actor)
    if notes is not None:
        meeting.notes = _clean_text("notes", notes)
    if decisions is not None:
        meeting.decisions = _clean_text("decisions", decisions)
    meeting.save(update_fields=["notes", "decisions"])
    return meeting


@transaction.atomic
def meeting_refresh_agenda(*, meeting: Meeting, actor: User) -> Meeting:
    _require_editor(meeting, actor)
    meeting.agenda = agendas.build_agenda(meeting, Clock.for_org(meeting.organization))
    meeting.agenda_at = timezone.now()
    meeting.save(update_fields=["agenda", "agenda_at"])
    return meeting


# ---------------------------------------------------------------- action items


@transaction.atomic
def action_item_create(
    *,
    meeting: Meeting,
    actor: User,
    title: Any,
    owner_id: Any,
    due_date: Any = None,
    key_result_id: Any = None,
) -> ActionItem:
    _require_editor(meeting, actor)
    organization = meeting.organization
    title = _clean_text("title", title, 300)
    if not title:
        raise ValidationError({"title": _("Say what is to be done.")})
    owner = (
        Membership.objects.filter(organization=organization, user_id=owner_id)
        .select_related("user")
        .first()
        if isinstance(owner_id, int) and not isinstance(owner_id, bool)
        else None
    )
    if owner is None:
        raise ValidationError({"owner_id": _("Choose a member of this organization.")})
    if due_date is not None and not isinstance(due_date, date):
        raise ValidationError({"due_date": _("Enter a date as YYYY-MM-DD.")})
    kr = None
    if key_result_id is not None:
        viewer = viewer_for(organization, actor)
        kr = (
            KeyResult.objects.filter(organization=organization, pk=key_result_id)
            .filter(visible_objectives_q(viewer, "objective__"))
            .first()
            if isinstance(key_result_id, int) and not isinstance(key_result_id, bool)
            else None
        )
        if kr is None:
            raise ValidationError({"key_result_id": _("Choose a key result you can see.")})
    item = ActionItem.objects.create(
        organization=organization,
        meeting=meeting,
        title=title,
        owner=owner.user,
        due_date=due_date,
        key_result=kr,
        created_by=actor,
    )
    emit(
        organization=organization,
        kind=EventKind.ACTION_ITEM_ASSIGNED,
        recipients=[owner.user_id],
        title=Message(
            gettext_noop("Action item from %(meeting)s: %(title)s"),
            {"meeting": meeting.title, "title": title},
        ),
        url=meeting_url(meeting) + f"#action-{item.pk}",
        actor_id=actor.pk,
        unit_id=meeting.unit_id,
        data={
            "action_item_id": item.pk,
            "meeting_id": meeting.pk,
            "due_date": due_date.isoformat() if due_date else None,
        },
    )
    return item


@transaction.atomic
def action_item_set_done(*, item: ActionItem, actor: User, done: bool) -> ActionItem:
    """The owner, or whoever may edit the meeting, marks it done (or open again)."""
    if item.owner_id != actor.pk:
        _require_editor(item.meeting, actor)
    item.done_at = (item.done_at or timezone.now()) if done else None
    item.save(update_fields=["done_at"])
    return item


def upcoming_start(organization: Organization, days: int = 7) -> datetime:
    """A default start for a new meeting: the same time next week, on the hour."""
    now = timezone.now().astimezone(zone_of(organization))
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(days=days)
