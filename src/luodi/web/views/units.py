"""Teams: the unit tree of the organization, and one unit's OKRs."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from luodi.okrs.choices import Status
from luodi.okrs.permissions import viewer_for
from luodi.okrs.selectors import Clock
from luodi.orgs.selectors import unit_get
from luodi.web.cycles import chosen_cycle, cycles_of
from luodi.web.decorators import org_page
from luodi.web.queries_units import unit_forest, unit_okrs, unit_people
from luodi.web.templatetags.luodi import pct


def is_partial(request: HttpRequest) -> bool:
    """An htmx request for part of the page (a history restore wants the whole page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


@org_page
def units(request: HttpRequest) -> HttpResponse:
    org, user = request.org, request.user  # type: ignore[attr-defined]
    clock = Clock.for_org(org)
    cycles = cycles_of(org)
    cycle = chosen_cycle(request, cycles, clock.today)
    forest = unit_forest(organization=org, user=user, cycle=cycle, clock=clock)
    rows = forest.rows()
    # One reverse() for the page; the tree can hold a thousand units.
    head, _zero, tail = reverse("web:unit", kwargs={"org": org.slug, "pk": 0}).rpartition("/0/")
    query = f"?cycle={cycle.pk}" if cycle else ""
    for row in rows:
        row.node.url = f"{head}/{row.node.pk}/{tail}{query}"
    expected = next((row.node.expected for row in rows), None)
    context = {
        "nav": "units",
        "cycles": cycles,
        "cycle": cycle,
        "rows": rows,
        "pace_title": _("Expected by today: %(pace)s") % {"pace": pct(expected)},
        "my_unit_id": request.membership.unit_id,  # type: ignore[attr-defined]
    }
    return render(request, "web/units.html", context)


@org_page
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org, user = request.org, request.user  # type: ignore[attr-defined]
    unit = unit_get(organization=org, unit_id=pk)
    if unit is None:
        raise Http404
    clock = Clock.for_org(org)
    cycles = cycles_of(org)
    cycle = chosen_cycle(request, cycles, clock.today)
    forest = unit_forest(organization=org, user=user, cycle=cycle, clock=clock, within=unit.pk)
    node = forest.nodes[unit.pk]
    people = unit_people(organization=org, unit=unit)
    owner_id = _int_param(request, "owner")
    status = request.GET.get("status") or ""
    if status not in Status.values:
        status = ""
    okrs = None
    if cycle is not None:
        okrs = unit_okrs(
            organization=org,
            user=user,
            unit=unit,
            people=people,
            cycle=cycle,
            clock=clock,
            owner_id=owner_id,
            status=status or None,
        )
    viewer = viewer_for(org, user)
    status_rows = []
    if okrs is not None:
        status_rows = [(v, okrs.status_counts[v]) for v in Status.values if v in okrs.status_counts]
    context = {
        "nav": "units",
        "unit": node,
        "can_add": viewer.is_admin or (viewer.can_write and unit.pk in viewer.led_unit_ids),
        "status_rows": status_rows,
        "ancestors": forest.ancestors(unit.pk),
        "people": people,
        "cycles": cycles,
        "cycle": cycle,
        "okrs": okrs,
        "owner_id": owner_id,
        "status": status,
        "statuses": Status.choices,
        "filtered": owner_id is not None or bool(status),
    }
    template = "web/partials/_unit_body.html" if is_partial(request) else "web/unit_detail.html"
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


def _int_param(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "")
    # Ids fit in 64 bits; a longer number names nobody (and would overflow the query).
    return int(raw) if raw.isdecimal() and len(raw) <= 18 else None
