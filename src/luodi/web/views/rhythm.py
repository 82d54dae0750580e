"""Weekly reports and monthly summaries: mine (draft, edit, submit) and my team's."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from luodi.core.markdown import to_html
from luodi.okrs.permissions import viewer_for
from luodi.okrs.selectors import Clock
from luodi.orgs.models import Unit
from luodi.rhythm import selectors, services
from luodi.rhythm.models import MAX_REPORT_TEXT, ReportState
from luodi.rhythm.periods import Period, month_of, parse_month, parse_week, week_of
from luodi.web.decorators import org_page

WEEK, MONTH = "week", "month"
URLS = {
    WEEK: ("web:weekly-report", "web:weekly-team"),
    MONTH: ("web:monthly-summary", "web:monthly-team"),
}


class ReportForm(forms.Form):
    progress = forms.CharField(
        label=gettext_lazy("Progress"),
        required=False,
        max_length=MAX_REPORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("What moved: key results, values, what you finished."),
    )
    problems = forms.CharField(
        label=gettext_lazy("Problems"),
        required=False,
        max_length=MAX_REPORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("What is off track, at risk or blocked, and what help you need."),
    )
    plans = forms.CharField(
        label=gettext_lazy("Plans"),
        required=False,
        max_length=MAX_REPORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("What you will do next."),
    )


def chosen_period(request: HttpRequest, kind: str, clock: Clock) -> Period:
    """The period named in ?week= / ?month= (or the form), else the current one."""
    raw = request.POST.get(kind) or request.GET.get(kind) or ""
    try:
        return parse_week(raw) if kind == WEEK else parse_month(raw)
    except ValidationError:
        return week_of(clock.today) if kind == WEEK else month_of(clock.today)


def _neighbours(period: Period, kind: str) -> tuple[str, str]:
    if kind == WEEK:
        return week_of(period.first - timedelta(days=7)).key, week_of(period.end).key
    return month_of(period.first - timedelta(days=1)).key, month_of(period.end).key


def _leads_any(request: HttpRequest) -> bool:
    viewer = viewer_for(request.org, request.user)  # type: ignore[attr-defined]
    return viewer.is_admin or bool(viewer.led_unit_ids)


def _report_page(request: HttpRequest, kind: str) -> HttpResponse:
    org, user = request.org, request.user  # type: ignore[attr-defined]
    clock = Clock.for_org(org)
    period = chosen_period(request, kind, clock)
    own_url = reverse(URLS[kind][0], kwargs={"org": org.slug}) + f"?{kind}={period.key}"
    report = selectors.my_report(organization=org, user=user, kind=kind, period_key=period.key)
    form = ReportForm(
        initial={name: getattr(report, name) for name in services.REPORT_FIELDS} if report else None
    )
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            # A form names its period: a wrong one is refused, never saved as this week's.
            posted = request.POST.get(kind, "")
            if posted:
                period = parse_week(posted) if kind == WEEK else parse_month(posted)
            if action == "draft":
                return _draft(request, kind, period, own_url)
            form = ReportForm(request.POST)
            if form.is_valid():
                services.report_save(
                    organization=org,
                    actor=user,
                    kind=kind,
                    period_key=period.key,
                    texts=form.cleaned_data,
                    submit=action == "submit",
                )
                messages.success(
                    request, _("Submitted.") if action == "submit" else _("Saved as a draft.")
                )
                return redirect(own_url)
        except ValidationError as error:
            form = ReportForm(request.POST)
            form.is_valid()
            for message in error.messages:
                form.add_error(None, message)
    previous, following = _neighbours(period, kind)
    context = {
        "nav": "rhythm",
        "kind": kind,
        "period": period,
        "previous": previous,
        "following": following,
        "report": report,
        "submitted": report is not None and report.state == ReportState.SUBMITTED,
        "form": form,
        "preview": {name: to_html(getattr(report, name)) for name in services.REPORT_FIELDS}
        if report
        else None,
        "leads": _leads_any(request),
        "zone": clock.zone,
        "team_url": reverse(URLS[kind][1], kwargs={"org": org.slug}),
        "own_url": reverse(URLS[kind][0], kwargs={"org": org.slug}),
    }
    return render(request, "web/rhythm/report.html", context)


def _draft(request: HttpRequest, kind: str, period: Period, own_url: str) -> HttpResponse:
    try:
        services.report_draft(
            organization=request.org,  # type: ignore[attr-defined]
            actor=request.user,  # type: ignore[arg-type]
            kind=kind,
            period_key=period.key,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Drafted from your check-ins. Edit, then submit."))
    return redirect(own_url)


def _team_units(request: HttpRequest) -> list[Unit]:
    """The units whose reports this person reads: those they lead (and below), or all of
    them for admins. One query."""
    org = request.org  # type: ignore[attr-defined]
    viewer = viewer_for(org, request.user)  # type: ignore[attr-defined]
    units = Unit.objects.filter(organization=org).order_by("name", "pk")
    if not viewer.is_admin:
        units = units.filter(pk__in=sorted(viewer.led_unit_ids))
    return list(units)


def _team_page(request: HttpRequest, kind: str) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    clock = Clock.for_org(org)
    period = chosen_period(request, kind, clock)
    units = _team_units(request)
    by_pk = {u.pk: u for u in units}
    wanted = request.GET.get("unit", "")
    # Default: the highest unit I lead (its parent is not one of mine).
    unit = by_pk.get(int(wanted)) if wanted.isdecimal() else None
    unit = unit or next((u for u in units if u.parent_id not in by_pk), None)
    rows = []
    if unit is not None:
        rows = selectors.team_reports(
            organization=org, unit_id=unit.pk, kind=kind, period_key=period.key
        )
    for row in rows:
        if row.report:
            row.html = {  # type: ignore[attr-defined]
                name: to_html(getattr(row.report, name)) for name in services.REPORT_FIELDS
            }
    previous, following = _neighbours(period, kind)
    context = {
        "nav": "rhythm",
        "kind": kind,
        "period": period,
        "previous": previous,
        "following": following,
        "units": units,
        "unit": unit,
        "submitted": [r for r in rows if r.report],
        "missing": [r for r in rows if not r.report],
        "people": len(rows),
        "zone": clock.zone,
        "own_url": reverse(URLS[kind][0], kwargs={"org": org.slug}),
        "team_url": reverse(URLS[kind][1], kwargs={"org": org.slug}),
    }
    return render(request, "web/rhythm/team.html", context)


@org_page
def weekly_report(request: HttpRequest) -> HttpResponse:
    return _report_page(request, WEEK)


@org_page
def weekly_team(request: HttpRequest) -> HttpResponse:
    return _team_page(request, WEEK)


@org_page
def monthly_summary(request: HttpRequest) -> HttpResponse:
    return _report_page(request, MONTH)


@org_page
def monthly_team(request: HttpRequest) -> HttpResponse:
    return _team_page(request, MONTH)
