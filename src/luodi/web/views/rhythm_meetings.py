"""Review meetings: the list, scheduling, one meeting (agenda, notes, decisions, action
items) and its iCalendar invitation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from luodi.core.markdown import to_html
from luodi.okrs.permissions import viewer_for
from luodi.orgs.models import Membership, Unit
from luodi.rhythm import selectors, services
from luodi.rhythm.access import can_edit_meeting
from luodi.rhythm.agenda import visible_items, visible_objective_ids
from luodi.rhythm.ical import REASON_LABELS, meeting_ics
from luodi.rhythm.models import MAX_REPORT_TEXT, ActionItem, Meeting, MeetingKind
from luodi.rhythm.periods import zone_of
from luodi.web.decorators import org_page

LOCAL_INPUT = "%Y-%m-%dT%H:%M"
PAGE = 50  # meetings shown per list (upcoming, past)


class MeetingForm(forms.Form):
    unit = forms.TypedChoiceField(label=gettext_lazy("Unit"), coerce=int)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=MeetingKind.choices)
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Starts at"),
        input_formats=[LOCAL_INPUT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT),
        help_text=gettext_lazy("In the organization's timezone."),
    )
    duration_minutes = forms.IntegerField(
        label=gettext_lazy("Duration (minutes)"), min_value=15, max_value=480, initial=60
    )
    title = forms.CharField(
        label=gettext_lazy("Title"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Leave empty to name it after the unit and the kind of review."),
    )

    def __init__(self, *args: Any, units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]

    def clean_starts_at(self) -> datetime:
        # Django read the wall-clock time in the server's zone; the service reads it in the
        # organization's, so hand it over naive.
        value = self.cleaned_data["starts_at"]
        return timezone.make_naive(value) if timezone.is_aware(value) else value


class NotesForm(forms.Form):
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        required=False,
        max_length=MAX_REPORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    decisions = forms.CharField(
        label=gettext_lazy("Decisions"),
        required=False,
        max_length=MAX_REPORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ActionItemForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Action"), max_length=300)
    owner = forms.TypedChoiceField(label=pgettext_lazy("person responsible", "Owner"), coerce=int)
    due_date = forms.DateField(
        label=gettext_lazy("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    key_result = forms.TypedChoiceField(
        label=gettext_lazy("Key result"), coerce=int, required=False, empty_value=None
    )

    def __init__(
        self, *args: Any, people: list[Membership], items: list[dict], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [(m.user_id, m.user.display_name) for m in people]
        self.fields["key_result"].choices = [("", "—")] + [
            (i["key_result_id"], f"{i['title']} ({i['objective']})") for i in items
        ]


def _schedulable_units(request: HttpRequest) -> list[Unit]:
    org = request.org  # type: ignore[attr-defined]
    viewer = viewer_for(org, request.user)  # type: ignore[attr-defined]
    units = Unit.objects.filter(organization=org).order_by("name", "pk")
    if not viewer.is_admin:
        units = units.filter(pk__in=sorted(viewer.led_unit_ids))
    return list(units)


@org_page
def meeting_list(request: HttpRequest) -> HttpResponse:
    org, user = request.org, request.user  # type: ignore[attr-defined]
    now = timezone.now()
    meetings = selectors.meeting_list(organization=org, user=user)
    upcoming = list(meetings.filter(starts_at__gte=now).order_by("starts_at", "pk")[:PAGE])
    past = list(meetings.filter(starts_at__lt=now).order_by("-starts_at", "-pk")[:PAGE])
    viewer = viewer_for(org, user)
    # The agenda count each person sees counts only the items they may see.
    seen = visible_objective_ids(upcoming + past, viewer)
    for meeting in upcoming + past:
        meeting.visible_count = len(visible_items(meeting, viewer, seen))  # type: ignore[attr-defined]
    context = {
        "nav": "meetings",
        "upcoming": upcoming,
        "past": past,
        "can_schedule": viewer.is_admin or bool(viewer.led_unit_ids),
        "zone": zone_of(org),
    }
    return render(request, "web/rhythm/meetings.html", context)


@org_page
def meeting_new(request: HttpRequest) -> HttpResponse:
    org, user = request.org, request.user  # type: ignore[attr-defined]
    units = _schedulable_units(request)
    if not units:
        raise PermissionDenied(_("Only unit leaders and admins schedule reviews."))
    start = services.upcoming_start(org)
    initial = {"kind": MeetingKind.WEEKLY, "starts_at": start.replace(tzinfo=None)}
    if request.GET.get("unit", "").isdecimal():
        initial["unit"] = int(request.GET["unit"])
    form = MeetingForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_schedule(
                organization=org,
                actor=user,
                unit_id=data["unit"],
                kind=data["kind"],
                starts_at=data["starts_at"],
                duration_minutes=data["duration_minutes"],
                title=data["title"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Scheduled; the team was told."))
            return redirect("web:meeting", org=org.slug, pk=meeting.pk)
    return render(request, "web/rhythm/meeting_form.html", {"nav": "meetings", "form": form})


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    names = {"unit_id": "unit"}
    if hasattr(error, "error_dict"):
        for name, reasons in error.message_dict.items():
            field = names.get(name, name)
            for reason in reasons:
                form.add_error(field if field in form.fields else None, reason)
    else:
        for reason in error.messages:
            form.add_error(None, reason)


def _meeting_or_404(request: HttpRequest, pk: int) -> Meeting:
    meeting = selectors.meeting_get(
        organization=request.org,  # type: ignore[attr-defined]
        user=request.user,  # type: ignore[arg-type]
        meeting_id=pk,
    )
    if meeting is None:
        raise Http404
    return meeting


def _detail_context(request: HttpRequest, meeting: Meeting, **forms_: Any) -> dict[str, Any]:
    org, user = request.org, request.user  # type: ignore[attr-defined]
    viewer = viewer_for(org, user)
    items = visible_items(meeting, viewer)
    for item in items:
        item["reason_labels"] = [_(REASON_LABELS[r]) for r in item["reasons"]]
    editable = can_edit_meeting(viewer, meeting)
    actions = list(selectors.action_items_of(meeting))
    selectors.hide_unseen_key_results(actions, org, user)
    people = (
        list(
            Membership.objects.filter(organization=org)
            .select_related("user")
            .order_by("user__name", "user__email")
        )
        if editable
        else []
    )
    context = {
        "nav": "meetings",
        "meeting": meeting,
        "local_start": meeting.starts_at.astimezone(zone_of(org)),
        "zone": zone_of(org),
        "items": items,
        "editable": editable,
        "actions": actions,
        "notes_html": to_html(meeting.notes),
        "decisions_html": to_html(meeting.decisions),
        "notes_form": forms_.get("notes_form")
        or NotesForm(initial={"notes": meeting.notes, "decisions": meeting.decisions}),
        "item_form": forms_.get("item_form") or ActionItemForm(people=people, items=items),
    }
    return context


@org_page
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    return render(request, "web/rhythm/meeting.html", _detail_context(request, meeting))


@org_page
@require_POST
def meeting_notes(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    form = NotesForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_update(meeting=meeting, actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Notes saved."))
            return redirect("web:meeting", org=meeting.organization.slug, pk=meeting.pk)
    context = _detail_context(request, meeting, notes_form=form)
    return render(request, "web/rhythm/meeting.html", context, status=422)


@org_page
@require_POST
def meeting_agenda(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    services.meeting_refresh_agenda(meeting=meeting, actor=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Agenda made again from today's key results."))
    return redirect("web:meeting", org=meeting.organization.slug, pk=meeting.pk)


@org_page
@require_POST
def action_item_new(request: HttpRequest, pk: int) -> HttpResponse:
    org, user = request.org, request.user  # type: ignore[attr-defined]
    meeting = _meeting_or_404(request, pk)
    if not can_edit_meeting(viewer_for(org, user), meeting):
        raise PermissionDenied
    people = list(Membership.objects.filter(organization=org).select_related("user"))
    items = visible_items(meeting, viewer_for(org, user))
    form = ActionItemForm(request.POST, people=people, items=items)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.action_item_create(
                meeting=meeting,
                actor=user,
                title=data["title"],
                owner_id=data["owner"],
                due_date=data["due_date"],
                key_result_id=data["key_result"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Action item added; its owner was told."))
            return redirect("web:meeting", org=org.slug, pk=meeting.pk)
    context = _detail_context(request, meeting, item_form=form)
    return render(request, "web/rhythm/meeting.html", context, status=422)


@org_page
@require_POST
def action_item_done(request: HttpRequest, pk: int) -> HttpResponse:
    org, user = request.org, request.user  # type: ignore[attr-defined]
    item = (
        ActionItem.objects.filter(organization=org, pk=pk)
        .select_related("meeting__organization")
        .first()
    )
    if item is None or (
        item.owner_id != user.pk
        and selectors.meeting_get(organization=org, user=user, meeting_id=item.meeting_id) is None
    ):
        raise Http404
    services.action_item_set_done(item=item, actor=user, done=request.POST.get("done") == "1")
    target = request.POST.get("next", "")
    if target.startswith(f"/o/{org.slug}/") and "//" not in target:
        return redirect(target)
    return redirect("web:meeting", org=org.slug, pk=item.meeting_id)


@org_page
def meeting_invite(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_404(request, pk)
    url = request.build_absolute_uri(services.meeting_url(meeting))
    response = HttpResponse(meeting_ics(meeting, url), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response
