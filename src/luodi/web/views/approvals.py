"""Draft approval and cross-team alignment requests: the leader's approvals page, the
requests inbox, the panel on the objective page, and the POST actions behind their forms.

Forms post and redirect back (to `next`, a path on this site) with a message: they work
without JavaScript. Anything the user may not see is a 404, as on every page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from luodi.okrs import alignment_requests as ar
from luodi.okrs import approvals
from luodi.okrs.choices import AlignmentType, ObjectiveState
from luodi.okrs.models import (
    AlignmentRequest,
    AlignmentRequestState,
    ApprovalStatus,
    Objective,
    Revision,
)
from luodi.okrs.permissions import Viewer, can_approve_objective, viewer_for, visible_objectives_q
from luodi.okrs.selectors import Clock, objective_get
from luodi.orgs.choices import CycleState
from luodi.orgs.models import Organization, Unit
from luodi.web.decorators import org_page

# --- helpers -------------------------------------------------------------------------------


def _viewer(request: HttpRequest) -> Viewer:
    return viewer_for(request.org, request.user)  # type: ignore[attr-defined,arg-type]


def _objective_or_404(request: HttpRequest, pk: int) -> Objective:
    objective = objective_get(
        organization=request.org,  # type: ignore[attr-defined]
        user=request.user,  # type: ignore[arg-type]
        objective_id=pk,
        key_results=False,
    )
    if objective is None:
        raise Http404
    return objective


def _request_or_404(request: HttpRequest, pk: int) -> AlignmentRequest:
    found = (
        ar.requests_visible_to(_viewer(request))
        .select_related("organization", "objective", "objective__cycle", "to_unit")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Back to `next` when it is a path on this site, else to `default`."""
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = default
    return HttpResponseRedirect(target)


def _objective_url(org: Organization, pk: int) -> str:
    return reverse("web:objective", kwargs={"org": org.slug, "pk": pk})


def _report_error(request: HttpRequest, error: ValidationError) -> None:
    for text in error.messages:
        messages.error(request, text)


def _act(request: HttpRequest, default: str, action: Any, success: str) -> HttpResponse:
    """Run a service; its clear errors go back to the page as messages (nothing changed)."""
    try:
        action()
    except ValidationError as error:
        _report_error(request, error)
    else:
        messages.success(request, success)
    return _back(request, default)


# --- approval actions ------------------------------------------------------------------------


@org_page
@require_POST
def objective_submit(request: HttpRequest, pk: int) -> HttpResponse:
    objective = _objective_or_404(request, pk)
    return _act(
        request,
        _objective_url(request.org, pk),  # type: ignore[attr-defined]
        lambda: approvals.objective_submit(
            objective=objective, actor=request.user, note=request.POST.get("note", "")
        ),
        gettext("Submitted for approval."),
    )


@org_page
@require_POST
def objective_approve(request: HttpRequest, pk: int) -> HttpResponse:
    objective = _objective_or_404(request, pk)
    return _act(
        request,
        _objective_url(request.org, pk),  # type: ignore[attr-defined]
        lambda: approvals.objective_approve(
            objective=objective, actor=request.user, comment=request.POST.get("comment", "")
        ),
        gettext("Approved: the objective is active."),
    )


@org_page
@require_POST
def objective_return(request: HttpRequest, pk: int) -> HttpResponse:
    objective = _objective_or_404(request, pk)
    return _act(
        request,
        _objective_url(request.org, pk),  # type: ignore[attr-defined]
        lambda: approvals.objective_return(
            objective=objective, actor=request.user, comment=request.POST.get("comment", "")
        ),
        gettext("Sent back to the owner with your comment."),
    )


@org_page
def approvals_page(request: HttpRequest) -> HttpResponse:
    """Drafts submitted to me: a fixed number of queries however many there are."""
    viewer = _viewer(request)
    drafts = list(
        approvals.pending_for(viewer)
        .select_related("owner", "unit", "cycle")
        .order_by("approval_submitted_at", "id")
    )
    context = {
        "nav": "approvals",
        "zone": Clock.for_org(request.org).zone,  # type: ignore[attr-defined]
        "drafts": drafts,
        "is_leader": viewer.is_admin or bool(viewer.led_unit_ids),
        "requires_approval": request.org.requires_approval,  # type: ignore[attr-defined]
        "incoming_count": ar.incoming_for(viewer).filter(state=ar.PENDING).count(),
    }
    return render(request, "web/approvals/approvals.html", context)


# --- the panel on the objective page -----------------------------------------------------------


@dataclass
class RequestRow:
    request: AlignmentRequest
    child: Objective | None  # the linked objective, when the viewer may see it
    can_answer: bool = False
    can_cancel: bool = False
    candidates: list[Objective] = field(default_factory=list)


@dataclass
class ObjectivePanel:
    objective: Objective
    show_approval: bool
    steps: list[Revision]
    can_submit: bool
    can_decide: bool
    requests: list[RequestRow]
    can_request: bool
    units: list[Unit]
    types: list[tuple[str, str]]
    status_labels: dict[str, str]


def objective_panel(request: HttpRequest, objective: Objective) -> ObjectivePanel:
    """What the objective page shows of approval and alignment requests (3 queries)."""
    org: Organization = request.org  # type: ignore[attr-defined]
    viewer = _viewer(request)
    show_approval = objective.approval_status != ApprovalStatus.NONE or (
        objective.state == ObjectiveState.DRAFT and org.requires_approval
    )
    steps: list[Revision] = []
    if show_approval:
        steps = list(
            Revision.objects.filter(
                organization=org, objective=objective, field="approval"
            ).select_related("author")
        )
    draft = objective.state == ObjectiveState.DRAFT
    rows = [
        RequestRow(
            request=r,
            child=ar.visible_child(viewer, r),
            can_cancel=r.state == ar.PENDING and ar.can_cancel(viewer, r),
        )
        for r in ar.with_relations(
            AlignmentRequest.objects.filter(organization=org, objective=objective)
        )
    ]
    can_request = (
        ar.shareable(objective)
        and objective.cycle.state != CycleState.CLOSED
        and ar.can_request(viewer, objective)
    )
    units = []
    if can_request:
        units = list(
            Unit.objects.filter(organization=org).exclude(pk=objective.unit_id).order_by("name")
        )
    return ObjectivePanel(
        objective=objective,
        show_approval=show_approval,
        steps=steps,
        can_submit=draft
        and org.requires_approval
        and objective.approval_status != ApprovalStatus.SUBMITTED
        and approvals.can_submit(viewer, objective),
        can_decide=draft
        and objective.approval_status == ApprovalStatus.SUBMITTED
        and can_approve_objective(viewer, objective),
        requests=rows,
        can_request=can_request,
        units=units,
        types=list(AlignmentType.choices),
        status_labels=dict(ApprovalStatus.choices),
    )


# --- alignment requests ------------------------------------------------------------------------


@org_page
@require_POST
def request_new(request: HttpRequest, pk: int) -> HttpResponse:
    objective = _objective_or_404(request, pk)
    to_unit = request.POST.get("to_unit", "")
    return _act(
        request,
        _objective_url(request.org, pk),  # type: ignore[attr-defined]
        lambda: ar.alignment_request_create(
            objective=objective,
            actor=request.user,
            to_unit_id=int(to_unit) if to_unit.isdecimal() and len(to_unit) < 19 else None,
            type=request.POST.get("type") or AlignmentType.CONTRIBUTES,
            message=request.POST.get("message", ""),
        ),
        gettext("Request sent to the team's leader."),
    )


def _inbox_url(request: HttpRequest) -> str:
    return reverse("web:alignment-requests", kwargs={"org": request.org.slug})  # type: ignore[attr-defined]


@org_page
@require_POST
def request_accept(request: HttpRequest, pk: int) -> HttpResponse:
    found = _request_or_404(request, pk)
    choice = request.POST.get("objective", "")
    return _act(
        request,
        _inbox_url(request),
        lambda: ar.alignment_request_accept(
            request=found,
            actor=request.user,
            objective_id=None if choice in ("", "new") else choice,
            create=choice == "new",
            title=request.POST.get("title", ""),
            comment=request.POST.get("comment", ""),
        ),
        gettext("Accepted: your objective now supports theirs."),
    )


@org_page
@require_POST
def request_decline(request: HttpRequest, pk: int) -> HttpResponse:
    found = _request_or_404(request, pk)
    return _act(
        request,
        _inbox_url(request),
        lambda: ar.alignment_request_decline(
            request=found, actor=request.user, comment=request.POST.get("comment", "")
        ),
        gettext("Declined; the requester sees your comment."),
    )


@org_page
@require_POST
def request_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    found = _request_or_404(request, pk)
    return _act(
        request,
        _inbox_url(request),
        lambda: ar.alignment_request_cancel(request=found, actor=request.user),
        gettext("Request cancelled."),
    )


def _with_candidates(viewer: Viewer, rows: list[RequestRow], org: Organization) -> None:
    """The objectives each answerable request may link, for all rows in one query."""
    answerable = [row for row in rows if row.can_answer]
    if not answerable:
        return
    unit_ids = {row.request.to_unit_id for row in answerable}
    objectives = list(
        Objective.objects.filter(
            organization=org,
            unit_id__in=sorted(unit_ids),
            state__in=[ObjectiveState.ACTIVE, ObjectiveState.DRAFT],
        )
        .filter(visible_objectives_q(viewer))
        .select_related("cycle")
        .order_by("title", "id")
    )
    for row in answerable:
        cycle = row.request.objective.cycle
        row.candidates = [
            o
            for o in objectives
            if o.unit_id == row.request.to_unit_id
            and o.pk != row.request.objective_id
            and o.cycle.start_date <= cycle.end_date
            and cycle.start_date <= o.cycle.end_date
        ]


@org_page
def requests_page(request: HttpRequest) -> HttpResponse:
    """Incoming (to units I lead) and outgoing requests; a fixed number of queries."""
    org: Organization = request.org  # type: ignore[attr-defined]
    viewer = _viewer(request)
    pending_first = ("-state_pending", "-created_at", "-id")

    def rows(queryset: Any, incoming: bool) -> list[RequestRow]:
        from django.db.models import Case, IntegerField, Value, When

        ordered = ar.with_relations(queryset).annotate(
            state_pending=Case(
                When(state=ar.PENDING, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        found = []
        for r in ordered.order_by(*pending_first)[:200]:
            pending = r.state == ar.PENDING
            found.append(
                RequestRow(
                    request=r,
                    child=ar.visible_child(viewer, r),
                    can_answer=incoming and pending and ar.can_answer(viewer, r),
                    can_cancel=not incoming and pending and ar.can_cancel(viewer, r),
                )
            )
        return found

    incoming = rows(ar.incoming_for(viewer), True)
    outgoing = rows(ar.outgoing_for(viewer), False)
    _with_candidates(viewer, incoming, org)
    context = {
        "nav": "approvals",
        "zone": Clock.for_org(org).zone,
        "incoming": incoming,
        "outgoing": outgoing,
        "states": dict(AlignmentRequestState.choices),
        "types": dict(AlignmentType.choices),
    }
    return render(request, "web/approvals/requests.html", context)
