"""Approval of drafts and cross-team alignment requests."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictBool

from luodi.api.lookups import caller, objective_or_404, organization_or_404
from luodi.api.pagination import MAX_ID, PageQuery, page_body, paginate
from luodi.api.params import id_path, slug_path
from luodi.api.presenters import objective_data
from luodi.api.schemas import (
    AlignmentTypeChoice,
    Id,
    In,
    ObjectiveDetailOut,
    Text,
    responses,
)
from luodi.okrs import alignment_requests as ar
from luodi.okrs import approvals, selectors
from luodi.okrs.models import AlignmentRequest, AlignmentRequestState
from luodi.okrs.permissions import Viewer, viewer_for
from luodi.orgs.models import Organization

router = Router(tags=["approvals"])


# --- shapes --------------------------------------------------------------------------------


class SubmitIn(In):
    note: Text = Field("", description="For the approver (optional).")


class DecisionIn(In):
    comment: Text = Field("", description="Shown to the owner; required to send back.")


class ReturnIn(In):
    comment: Text = Field(..., description="What to change; shown to the owner.")


class AlignmentRequestIn(In):
    objective_id: Id = Field(..., description="Your objective the other team should support.")
    to_unit_id: Id
    type: AlignmentTypeChoice = "contributes"  # type: ignore[assignment]
    message: Text = ""


class AcceptIn(In):
    objective_id: Id | None = Field(
        None, description="An objective of the asked unit to align as a child."
    )
    create: StrictBool = Field(
        False, description="Create a new objective of the asked unit, aligned as a child."
    )
    title: Text = Field("", description="Title of the new objective (default: the request's).")
    comment: Text = ""


class DeclineIn(In):
    comment: Text = Field(..., description="Why not; shown to the requester.")


class AlignmentRequestOut(Schema):
    id: int
    objective_id: int
    from_unit_id: int | None
    to_unit_id: int
    type: str
    message: str
    requested_by: int | None
    state: str = Field(json_schema_extra={"enum": list(AlignmentRequestState.values)})
    answered_by: int | None
    answer_comment: str
    child_objective_id: int | None = Field(description="Null when you may not see it.")
    created_at: dt.datetime
    answered_at: dt.datetime | None


class AlignmentRequestPage(Schema):
    items: list[AlignmentRequestOut]
    next: str | None


class AlignmentRequestQuery(PageQuery):
    box: Literal["incoming", "outgoing", "all"] = Field(
        "all", description="To units you lead, from your objectives, or both."
    )
    state: Literal["pending", "accepted", "declined", "cancelled"] | None = None
    objective_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="The requests of one objective."
    )


# --- approval ------------------------------------------------------------------------------


def _answer(request: HttpRequest, organization: Organization, objective_id: int) -> dict:
    objective = objective_or_404(request, organization, objective_id, key_results=True)
    selectors.objective_load_relations(objective)
    return objective_data(objective, selectors.Clock.for_org(organization), key_results=True)


@router.post(
    "/{org}/objectives/{objective_id}/submit",
    response=responses(ObjectiveDetailOut),
    summary="Submit a draft for approval",
)
def objective_submit(
    request: HttpRequest, payload: SubmitIn, org: str = slug_path(), objective_id: int = id_path()
) -> dict[str, Any]:
    organization = organization_or_404(request, org)
    objective = objective_or_404(request, organization, objective_id)
    approvals.objective_submit(objective=objective, actor=caller(request), note=payload.note)
    return _answer(request, organization, objective_id)


@router.post(
    "/{org}/objectives/{objective_id}/approve",
    response=responses(ObjectiveDetailOut),
    summary="Approve a submitted draft (it becomes active)",
)
def objective_approve(
    request: HttpRequest,
    payload: DecisionIn,
    org: str = slug_path(),
    objective_id: int = id_path(),
) -> dict[str, Any]:
    organization = organization_or_404(request, org)
    objective = objective_or_404(request, organization, objective_id)
    approvals.objective_approve(objective=objective, actor=caller(request), comment=payload.comment)
    return _answer(request, organization, objective_id)


@router.post(
    "/{org}/objectives/{objective_id}/return",
    response=responses(ObjectiveDetailOut),
    summary="Send a submitted draft back to its owner",
)
def objective_return(
    request: HttpRequest, payload: ReturnIn, org: str = slug_path(), objective_id: int = id_path()
) -> dict[str, Any]:
    organization = organization_or_404(request, org)
    objective = objective_or_404(request, organization, objective_id)
    approvals.objective_return(objective=objective, actor=caller(request), comment=payload.comment)
    return _answer(request, organization, objective_id)


# --- alignment requests --------------------------------------------------------------------


def request_data(viewer: Viewer, request: AlignmentRequest) -> dict[str, Any]:
    child = ar.visible_child(viewer, request)
    return {
        "id": request.pk,
        "objective_id": request.objective_id,
        "from_unit_id": request.from_unit_id,
        "to_unit_id": request.to_unit_id,
        "type": request.type,
        "message": request.message,
        "requested_by": request.requested_by_id,
        "state": request.state,
        "answered_by": request.answered_by_id,
        "answer_comment": request.answer_comment,
        "child_objective_id": child.pk if child else None,
        "created_at": request.created_at,
        "answered_at": request.answered_at,
    }


def _request_or_404(viewer: Viewer, request_id: int) -> AlignmentRequest:
    found = (
        ar.requests_visible_to(viewer)
        .select_related("organization", "objective", "to_unit", "child_objective")
        .filter(pk=request_id)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _fresh(viewer: Viewer, request_id: int) -> dict[str, Any]:
    return request_data(viewer, _request_or_404(viewer, request_id))


@router.get(
    "/{org}/alignment-requests",
    response=responses(AlignmentRequestPage),
    summary="Alignment requests",
    tags=["alignment requests"],
)
def request_list(
    request: HttpRequest, filters: Query[AlignmentRequestQuery], org: str = slug_path()
) -> dict[str, Any]:
    """Requests to units you lead (`incoming`), from objectives you own or whose unit you
    lead (`outgoing`), or both; admins see every request. `objective_id`: one objective's."""
    organization = organization_or_404(request, org)
    viewer = viewer_for(organization, caller(request))
    if filters.objective_id is not None:
        objective = objective_or_404(request, organization, filters.objective_id)
        requests = ar.requests_visible_to(viewer).filter(objective=objective)
    elif filters.box == "incoming":
        requests = ar.incoming_for(viewer)
    elif filters.box == "outgoing":
        requests = ar.outgoing_for(viewer)
    else:
        requests = ar.incoming_for(viewer) | ar.outgoing_for(viewer)
    if filters.state:
        requests = requests.filter(state=filters.state)
    rows, next_cursor = paginate(requests.select_related("child_objective"), filters)
    return page_body([request_data(viewer, r) for r in rows], next_cursor)


@router.post(
    "/{org}/alignment-requests",
    response=responses(AlignmentRequestOut, 201),
    summary="Ask another team",
    tags=["alignment requests"],
)
def request_create(
    request: HttpRequest, payload: AlignmentRequestIn, org: str = slug_path()
) -> Status:
    organization = organization_or_404(request, org)
    objective = objective_or_404(request, organization, payload.objective_id)
    created = ar.alignment_request_create(
        objective=objective,
        actor=caller(request),
        to_unit_id=payload.to_unit_id,
        type=payload.type,
        message=payload.message,
    )
    return Status(201, _fresh(viewer_for(organization, caller(request)), created.pk))


@router.get(
    "/{org}/alignment-requests/{request_id}",
    response=responses(AlignmentRequestOut),
    summary="Read an alignment request",
    tags=["alignment requests"],
)
def request_detail(
    request: HttpRequest, org: str = slug_path(), request_id: int = id_path()
) -> dict[str, Any]:
    organization = organization_or_404(request, org)
    return _fresh(viewer_for(organization, caller(request)), request_id)


@router.post(
    "/{org}/alignment-requests/{request_id}/accept",
    response=responses(AlignmentRequestOut),
    summary="Accept: link one of your unit's objectives, or create one",
    tags=["alignment requests"],
)
def request_accept(
    request: HttpRequest, payload: AcceptIn, org: str = slug_path(), request_id: int = id_path()
) -> dict[str, Any]:
    organization = organization_or_404(request, org)
    viewer = viewer_for(organization, caller(request))
    ar.alignment_request_accept(
        request=_request_or_404(viewer, request_id),
        actor=caller(request),
        objective_id=payload.objective_id,
        create=payload.create,
        title=payload.title,
        comment=payload.comment,
    )
    return _fresh(viewer, request_id)


@router.post(
    "/{org}/alignment-requests/{request_id}/decline",
    response=responses(AlignmentRequestOut),
    summary="Decline with a comment",
    tags=["alignment requests"],
)
def request_decline(
    request: HttpRequest, payload: DeclineIn, org: str = slug_path(), request_id: int = id_path()
) -> dict[str, Any]:
    organization = organization_or_404(request, org)
    viewer = viewer_for(organization, caller(request))
    ar.alignment_request_decline(
        request=_request_or_404(viewer, request_id), actor=caller(request), comment=payload.comment
    )
    return _fresh(viewer, request_id)


@router.post(
    "/{org}/alignment-requests/{request_id}/cancel",
    response=responses(AlignmentRequestOut),
    summary="Cancel your pending request",
    tags=["alignment requests"],
)
def request_cancel(
    request: HttpRequest, org: str = slug_path(), request_id: int = id_path()
) -> dict[str, Any]:
    organization = organization_or_404(request, org)
    viewer = viewer_for(organization, caller(request))
    ar.alignment_request_cancel(request=_request_or_404(viewer, request_id), actor=caller(request))
    return _fresh(viewer, request_id)
