"""Weekly reports, monthly summaries, review meetings and their action items.

Reports: your own in any state, and the submitted reports of people in units you lead (or
whom you manage; admins: everyone). Meetings: those of your units, those you organize or
hold an action item of. An agenda lists only the items whose objective you may see.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictBool, StrictInt

from luodi.api.lookups import caller, found, organization_or_404
from luodi.api.pagination import MAX_ID, PageQuery, page_body, paginate
from luodi.api.params import id_path, slug_path
from luodi.api.schemas import ApiDate, Id, In, Text, responses
from luodi.okrs.permissions import viewer_for
from luodi.orgs.models import Organization
from luodi.rhythm import selectors, services
from luodi.rhythm.access import can_edit_meeting
from luodi.rhythm.agenda import visible_items, visible_objective_ids
from luodi.rhythm.models import ActionItem, Meeting, MonthlySummary, WeeklyReport

router = Router(tags=["weekly rhythm"])

Week = Field(..., max_length=8, description="ISO week, e.g. 2026-W48", examples=["2026-W48"])
Month = Field(..., max_length=7, description="Month, e.g. 2026-11", examples=["2026-11"])


# ---------------------------------------------------------------- shapes


class ReportOut(Schema):
    id: int
    user_id: int
    progress: str
    problems: str
    plans: str
    state: str
    submitted_at: dt.datetime | None
    updated_at: dt.datetime


class WeeklyReportOut(ReportOut):
    week: str


class MonthlySummaryOut(ReportOut):
    month: str


class WeeklyReportPage(Schema):
    items: list[WeeklyReportOut]
    next: str | None


class MonthlySummaryPage(Schema):
    items: list[MonthlySummaryOut]
    next: str | None


class ReportTexts(In):
    progress: Text = None  # type: ignore[assignment]
    problems: Text = None  # type: ignore[assignment]
    plans: Text = None  # type: ignore[assignment]
    submit: StrictBool = Field(False, description="Submit the report (tells your unit leader).")

    def texts(self) -> dict[str, str]:
        return {
            name: getattr(self, name)
            for name in ("progress", "problems", "plans")
            if getattr(self, name) is not None
        }


# Periods are Text (no NUL: PostgreSQL cannot compare with one) and parsed by the services.
class WeeklyReportIn(ReportTexts):
    week: Text = Week


class MonthlySummaryIn(ReportTexts):
    month: Text = Month


class WeekIn(In):
    week: Text = Week


class MonthIn(In):
    month: Text = Month


class ReportQuery(PageQuery):
    user_id: int | None = Field(None, ge=1, le=MAX_ID)
    week: Text | None = Field(None, max_length=8)


class SummaryQuery(PageQuery):
    user_id: int | None = Field(None, ge=1, le=MAX_ID)
    month: Text | None = Field(None, max_length=7)


class AgendaItemOut(Schema):
    key_result_id: int
    objective_id: int
    objective: str
    title: str
    owner: str
    status: str
    progress: float | None
    expected: float | None
    reasons: list[str]
    change: dict[str, float] | None


class MeetingOut(Schema):
    id: int
    unit_id: int
    kind: str
    title: str
    starts_at: dt.datetime
    duration_minutes: int
    organizer_id: int | None
    agenda: list[AgendaItemOut]
    agenda_at: dt.datetime | None
    notes: str
    decisions: str
    url: str
    ics_url: str
    can_edit: bool


class MeetingPage(Schema):
    items: list[MeetingOut]
    next: str | None


class MeetingIn(In):
    unit_id: Id
    kind: Literal["weekly", "monthly", "quarterly"]
    starts_at: dt.datetime = Field(..., description="ISO 8601; without offset: local time.")
    duration_minutes: StrictInt = Field(60, description="15–480")
    title: Text = ""


class MeetingPatch(In):
    notes: Text = None  # type: ignore[assignment]
    decisions: Text = None  # type: ignore[assignment]


class MeetingQuery(PageQuery):
    unit_id: int | None = Field(None, ge=1, le=MAX_ID)


class ActionItemOut(Schema):
    id: int
    meeting_id: int
    title: str
    owner_id: int
    due_date: dt.date | None
    key_result_id: int | None
    done_at: dt.datetime | None


class ActionItemPage(Schema):
    items: list[ActionItemOut]
    next: str | None


class ActionItemIn(In):
    title: Text
    owner_id: Id
    due_date: ApiDate | None = None
    key_result_id: Id | None = None


class ActionItemPatch(In):
    done: StrictBool


class ActionItemQuery(PageQuery):
    open: bool = Field(True, description="Only items not done yet.")


# ---------------------------------------------------------------- presenters


def _report(report: WeeklyReport | MonthlySummary) -> dict[str, Any]:
    data = {
        "id": report.pk,
        "user_id": report.user_id,
        "progress": report.progress,
        "problems": report.problems,
        "plans": report.plans,
        "state": report.state,
        "submitted_at": report.submitted_at,
        "updated_at": report.updated_at,
    }
    if isinstance(report, WeeklyReport):
        data["week"] = report.week
    else:
        data["month"] = report.month
    return data


def _meeting(
    meeting: Meeting,
    request: HttpRequest,
    organization: Organization,
    seen: set[int] | None = None,
) -> dict:
    viewer = viewer_for(organization, caller(request))
    url = services.meeting_url(meeting)
    return {
        "id": meeting.pk,
        "unit_id": meeting.unit_id,
        "kind": meeting.kind,
        "title": meeting.title,
        "starts_at": meeting.starts_at,
        "duration_minutes": meeting.duration_minutes,
        "organizer_id": meeting.organizer_id,
        "agenda": visible_items(meeting, viewer, seen),
        "agenda_at": meeting.agenda_at,
        "notes": meeting.notes,
        "decisions": meeting.decisions,
        "url": url,
        "ics_url": url + "invite.ics",
        "can_edit": can_edit_meeting(viewer, meeting),
    }


def _item(item: ActionItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "meeting_id": item.meeting_id,
        "title": item.title,
        "owner_id": item.owner_id,
        "due_date": item.due_date,
        "key_result_id": item.key_result_id,
        "done_at": item.done_at,
    }


# ---------------------------------------------------------------- reports


def _report_index(request: HttpRequest, org: str, kind: str, user_id: Any, key: Any, page: Any):  # type: ignore[no-untyped-def]
    organization = organization_or_404(request, org)
    reports = selectors.report_list(
        organization=organization, user=caller(request), kind=kind, user_id=user_id, period_key=key
    )
    rows, next_cursor = paginate(reports, page)
    return page_body([_report(r) for r in rows], next_cursor)


def _report_write(request: HttpRequest, org: str, kind: str, key: str, payload: ReportTexts):  # type: ignore[no-untyped-def]
    organization = organization_or_404(request, org)
    existed = (
        selectors.my_report(
            organization=organization, user=caller(request), kind=kind, period_key=key
        )
        is not None
    )
    report = services.report_save(
        organization=organization,
        actor=caller(request),
        kind=kind,
        period_key=key,
        texts=payload.texts(),
        submit=payload.submit,
    )
    return Status(200 if existed else 201, _report(report))


@router.get(
    "/orgs/{org}/weekly-reports", response=responses(WeeklyReportPage), summary="Weekly reports"
)
def weekly_report_list(
    request: HttpRequest, filters: Query[ReportQuery], org: str = slug_path()
) -> dict[str, Any]:
    """Your reports, and the submitted reports of the people you lead or manage."""
    return _report_index(request, org, "week", filters.user_id, filters.week, filters)


@router.post(
    "/orgs/{org}/weekly-reports",
    response={**responses(WeeklyReportOut, 201), 200: WeeklyReportOut},
    summary="Write my weekly report",
)
def weekly_report_save(
    request: HttpRequest, payload: WeeklyReportIn, org: str = slug_path()
) -> Status:
    """Creates (201) or changes (200) your report for `week`; fields left out stay as they
    are. `submit: true` submits it and tells your unit leader."""
    return _report_write(request, org, "week", payload.week, payload)


@router.post(
    "/orgs/{org}/weekly-reports/draft",
    response=responses(WeeklyReportOut),
    summary="Draft my weekly report from my check-ins",
)
def weekly_report_draft(request: HttpRequest, payload: WeekIn, org: str = slug_path()) -> dict:
    """Fills your (unsubmitted) report for the week from your check-ins of that week:
    progress, problems and plans. Private objectives are left out: leaders read reports."""
    organization = organization_or_404(request, org)
    report = services.report_draft(
        organization=organization, actor=caller(request), kind="week", period_key=payload.week
    )
    return _report(report)


@router.get(
    "/orgs/{org}/weekly-reports/{report_id}", response=responses(WeeklyReportOut), summary="Read"
)
def weekly_report_detail(
    request: HttpRequest, org: str = slug_path(), report_id: int = id_path()
) -> dict:
    organization = organization_or_404(request, org)
    return _report(
        found(
            selectors.report_get(
                organization=organization, user=caller(request), kind="week", report_id=report_id
            )
        )
    )


@router.get(
    "/orgs/{org}/monthly-summaries",
    response=responses(MonthlySummaryPage),
    summary="Monthly summaries",
)
def monthly_summary_list(
    request: HttpRequest, filters: Query[SummaryQuery], org: str = slug_path()
) -> dict[str, Any]:
    return _report_index(request, org, "month", filters.user_id, filters.month, filters)


@router.post(
    "/orgs/{org}/monthly-summaries",
    response={**responses(MonthlySummaryOut, 201), 200: MonthlySummaryOut},
    summary="Write my monthly summary",
)
def monthly_summary_save(
    request: HttpRequest, payload: MonthlySummaryIn, org: str = slug_path()
) -> Status:
    return _report_write(request, org, "month", payload.month, payload)


@router.post(
    "/orgs/{org}/monthly-summaries/draft",
    response=responses(MonthlySummaryOut),
    summary="Draft my monthly summary from my check-ins",
)
def monthly_summary_draft(request: HttpRequest, payload: MonthIn, org: str = slug_path()) -> dict:
    organization = organization_or_404(request, org)
    report = services.report_draft(
        organization=organization, actor=caller(request), kind="month", period_key=payload.month
    )
    return _report(report)


# ---------------------------------------------------------------- meetings


def _meeting_or_404(request: HttpRequest, organization: Organization, meeting_id: int) -> Meeting:
    return found(
        selectors.meeting_get(
            organization=organization, user=caller(request), meeting_id=meeting_id
        )
    )


@router.get("/orgs/{org}/meetings", response=responses(MeetingPage), summary="Review meetings")
def meeting_list(
    request: HttpRequest, filters: Query[MeetingQuery], org: str = slug_path()
) -> dict[str, Any]:
    organization = organization_or_404(request, org)
    meetings = selectors.meeting_list(
        organization=organization, user=caller(request), unit_id=filters.unit_id
    )
    rows, next_cursor = paginate(meetings, filters)
    seen = visible_objective_ids(rows, viewer_for(organization, caller(request)))
    return page_body([_meeting(m, request, organization, seen) for m in rows], next_cursor)


@router.post("/orgs/{org}/meetings", response=responses(MeetingOut, 201), summary="Schedule")
def meeting_create(request: HttpRequest, payload: MeetingIn, org: str = slug_path()) -> Status:
    """For a unit you lead (or any, as an admin): the agenda is made from the unit's key
    results off track, at risk, stale or moved ≥ 10 points since its last meeting; the
    unit's people are notified with a link to the invitation (.ics)."""
    organization = organization_or_404(request, org)
    meeting = services.meeting_schedule(
        organization=organization, actor=caller(request), **payload.model_dump()
    )
    return Status(201, _meeting(meeting, request, organization))


@router.get("/orgs/{org}/meetings/{meeting_id}", response=responses(MeetingOut), summary="Read")
def meeting_detail(
    request: HttpRequest, org: str = slug_path(), meeting_id: int = id_path()
) -> dict:
    organization = organization_or_404(request, org)
    return _meeting(_meeting_or_404(request, organization, meeting_id), request, organization)


@router.patch("/orgs/{org}/meetings/{meeting_id}", response=responses(MeetingOut), summary="Notes")
def meeting_patch(
    request: HttpRequest, payload: MeetingPatch, org: str = slug_path(), meeting_id: int = id_path()
) -> dict:
    organization = organization_or_404(request, org)
    meeting = _meeting_or_404(request, organization, meeting_id)
    services.meeting_update(
        meeting=meeting, actor=caller(request), **payload.model_dump(exclude_unset=True)
    )
    return _meeting(meeting, request, organization)


@router.post(
    "/orgs/{org}/meetings/{meeting_id}/agenda",
    response=responses(MeetingOut),
    summary="Refresh agenda",
)
def meeting_agenda_refresh(
    request: HttpRequest, org: str = slug_path(), meeting_id: int = id_path()
) -> dict:
    organization = organization_or_404(request, org)
    meeting = _meeting_or_404(request, organization, meeting_id)
    services.meeting_refresh_agenda(meeting=meeting, actor=caller(request))
    return _meeting(meeting, request, organization)


@router.get(
    "/orgs/{org}/meetings/{meeting_id}/action-items",
    response=responses(ActionItemPage),
    summary="A meeting's action items",
)
def meeting_action_items(
    request: HttpRequest,
    page: Query[PageQuery],
    org: str = slug_path(),
    meeting_id: int = id_path(),
) -> dict:
    organization = organization_or_404(request, org)
    meeting = _meeting_or_404(request, organization, meeting_id)
    rows, next_cursor = paginate(selectors.action_items_of(meeting), page)
    return page_body([_item(i) for i in rows], next_cursor)


@router.post(
    "/orgs/{org}/meetings/{meeting_id}/action-items",
    response=responses(ActionItemOut, 201),
    summary="Add an action item",
)
def action_item_create(
    request: HttpRequest,
    payload: ActionItemIn,
    org: str = slug_path(),
    meeting_id: int = id_path(),
) -> Status:
    organization = organization_or_404(request, org)
    meeting = _meeting_or_404(request, organization, meeting_id)
    item = services.action_item_create(
        meeting=meeting, actor=caller(request), **payload.model_dump()
    )
    return Status(201, _item(item))


@router.get(
    "/orgs/{org}/action-items", response=responses(ActionItemPage), summary="My action items"
)
def my_action_items(
    request: HttpRequest, filters: Query[ActionItemQuery], org: str = slug_path()
) -> dict:
    organization = organization_or_404(request, org)
    items = selectors.my_action_items(
        organization=organization, user=caller(request), open_only=filters.open
    )
    rows, next_cursor = paginate(items, filters)
    return page_body([_item(i) for i in rows], next_cursor)


@router.patch(
    "/orgs/{org}/action-items/{item_id}", response=responses(ActionItemOut), summary="Mark done"
)
def action_item_patch(
    request: HttpRequest, payload: ActionItemPatch, org: str = slug_path(), item_id: int = id_path()
) -> dict:
    """The item's owner, or whoever may edit its meeting, marks it done or open again."""
    organization = organization_or_404(request, org)
    item = (
        ActionItem.objects.filter(organization=organization, pk=item_id)
        .select_related("meeting__organization")
        .first()
    )
    if item is None or (
        item.owner_id != caller(request).pk
        and selectors.meeting_get(
            organization=organization, user=caller(request), meeting_id=item.meeting_id
        )
        is None
    ):
        raise Http404
    services.action_item_set_done(item=item, actor=caller(request), done=payload.done)
    return _item(item)
