"""Insights: the alignment map and the dashboard of a cycle, for the company or one unit."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from luodi.okrs import progress as rules
from luodi.okrs.choices import Status
from luodi.okrs.selectors import Clock
from luodi.orgs.models import Cycle, Organization
from luodi.reports import selectors as reports
from luodi.web.cycles import chosen_cycle, cycles_of
from luodi.web.decorators import org_page
from luodi.web.queries_map import STATUS_ORDER, MapTexts, alignment_map_of, map_branch
from luodi.web.queries_units import UnitChoice, at_risk_rows, unit_choices

STATUS_COLORS = {
    Status.NOT_STARTED: "#98a2b3",
    Status.ON_TRACK: "#2f9e44",
    Status.AT_RISK: "#e8890c",
    Status.OFF_TRACK: "#e03131",
    Status.DONE: "#1c7ed6",
}


def _statuses() -> list[dict[str, str]]:
    """Status keys in a fixed order with their translated labels and colours."""
    return [
        {"key": key, "label": str(Status(key).label), "color": STATUS_COLORS[Status(key)]}
        for key in STATUS_ORDER
    ]


def _filters(request: HttpRequest) -> dict[str, Any]:
    """The cycle and unit chosen in the query string (an unknown unit means the whole org)."""
    org = request.org  # type: ignore[attr-defined]
    clock = Clock.for_org(org)
    cycles = cycles_of(org)
    cycle = chosen_cycle(request, cycles, clock.today)
    units = unit_choices(organization=org)
    raw = request.GET.get("unit", "")
    unit = next((u for u in units if raw.isdecimal() and u.pk == int(raw)), None)
    return {
        "clock": clock,
        "cycles": cycles,
        "cycle": cycle,
        "units": units,
        "unit": unit,
        "unit_options": _unit_options(units, unit),
    }


def _unit_options(units: list[UnitChoice], chosen: UnitChoice | None) -> SafeString:
    """The unit picker's options. A large organization has over a thousand units: plain
    string building with `escape` costs a millisecond where a template loop (or
    format_html per option) cost ~70 ms."""
    chosen_pk = chosen.pk if chosen is not None else None
    return mark_safe(
        "".join(
            f'<option value="{int(u.pk)}"{" selected" if u.pk == chosen_pk else ""}>'
            f"{escape(u.indent + u.name)}</option>"
            for u in units
        )
    )


def _scope_name(org: Organization, unit: UnitChoice | None) -> str:
    return unit.name if unit is not None else org.name


@org_page
def alignment_map(request: HttpRequest) -> HttpResponse:
    org, user = request.org, request.user  # type: ignore[attr-defined]
    filters = _filters(request)
    cycle: Cycle | None = filters["cycle"]
    unit: UnitChoice | None = filters["unit"]
    context: dict[str, Any] = {"nav": "map", **filters, "statuses": _statuses()}
    if cycle is not None:
        expand = request.GET.get("expand", "")
        if expand:  # map.js asks for a branch the page left out
            branch = None
            if expand.isdecimal():
                branch = map_branch(
                    organization=org,
                    user=user,
                    cycle=cycle,
                    objective_id=int(expand),
                    unit_id=unit.pk if unit else None,
                    clock=filters["clock"],
                )
            if branch is None:
                raise Http404
            return JsonResponse(branch)
        objective_zero = reverse("web:objective", kwargs={"org": org.slug, "pk": 0})
        model = alignment_map_of(
            organization=org,
            user=user,
            cycle=cycle,
            unit_id=unit.pk if unit else None,
            clock=filters["clock"],
            texts=MapTexts(
                unit_names={u.pk: u.name for u in filters["units"]},
                root_title=_scope_name(org, unit),
                group_title=_("Not linked to a strategic theme"),
                objective_url=objective_zero,
            ),
        )
        model.payload["labels"] = {
            "statuses": [s["label"] for s in context["statuses"]],
            "colors": [s["color"] for s in context["statuses"]],
            "progress": _("Progress"),
            "unit": _("Unit"),
            "status": _("Status"),
            "theme": _("Strategic theme"),
            "open": _("Click the title to open the objective, the dot to expand or collapse."),
            "none": _("No objectives on the map yet."),
            "failed": _("Could not load this branch. Try again."),
        }
        model.payload["url"] = objective_zero
        counts = model.counts
        context.update(
            map=model,
            legend=[{**s, "count": counts.get(s["key"], 0)} for s in context["statuses"]],
        )
    return render(request, "web/map.html", context)


@org_page
def dashboard(request: HttpRequest) -> HttpResponse:
    org, user = request.org, request.user  # type: ignore[attr-defined]
    filters = _filters(request)
    cycle: Cycle | None = filters["cycle"]
    unit: UnitChoice | None = filters["unit"]
    context: dict[str, Any] = {
        "nav": "dashboard",
        **filters,
        "scope_name": _scope_name(org, unit),
        "today": filters["clock"].today,
    }
    if cycle is not None:
        data = reports.dashboard(
            organization=org,
            user=user,
            cycle=cycle,
            unit_id=unit.pk if unit else None,
            clock=filters["clock"],
        )
        context.update(_dashboard_context(org, cycle, data, filters["clock"]))
    return render(request, "web/dashboard.html", context)


def _dashboard_context(
    org: Organization, cycle: Cycle, data: dict[str, Any], clock: Clock
) -> dict[str, Any]:
    statuses = _statuses()
    counts = data["status_counts"]
    expected = data["expected_progress"]
    progress = data["progress"]
    units = []
    for row in data["units"]:
        status = rules.status_of(
            progress=row["progress"],
            expected=expected,
            has_checkin=bool(row["progress"]),
            confidence=None,
            tolerance=clock.tolerance,
        )
        gap = None if row["progress"] is None else row["progress"] - expected
        units.append(
            {
                **row,
                "status": status if row["objectives"] else "",
                "gap": gap,
                "gap_abs": None if gap is None else abs(gap),
            }
        )
    key_results = sum(counts.get(s["key"], 0) for s in statuses)
    chart = {
        "statuses": [{**s, "value": counts.get(s["key"], 0)} for s in statuses],
        "trend": {
            "dates": [date_format(p["date"], "n/j") for p in data["trend"]],
            "progress": [_pct(p["progress"]) for p in data["trend"]],
            "expected": [_pct(p["expected"]) for p in data["trend"]],
        },
        "labels": {
            "progress": _("Progress"),
            "expected": _("Expected"),
            "keyResults": _("Key results"),
            "noData": _("No key results yet."),
        },
    }
    return {
        "data": data,
        "progress_status": rules.status_of(
            progress=progress,
            expected=expected,
            has_checkin=bool(progress),
            confidence=None,
            tolerance=clock.tolerance,
        ),
        "gap": None if progress is None else progress - expected,
        "gap_abs": None if progress is None else abs(progress - expected),
        # Counts of people behind checkin_rate, when the selector gives them.
        "checkin_people": data.get("checkin_people"),
        "checkin_done": data.get("checkin_done"),
        "status_rows": chart["statuses"],
        "key_results": key_results,
        "at_risk_count": counts.get(Status.AT_RISK, 0) + counts.get(Status.OFF_TRACK, 0),
        "unit_rows": units,
        "at_risk": at_risk_rows(organization=org, at_risk=data["at_risk"]),
        "chart": chart,
        "trend_rows": data["trend"],
    }


def _pct(fraction: float | None) -> float | None:
    return None if fraction is None else round(fraction * 100, 1)
