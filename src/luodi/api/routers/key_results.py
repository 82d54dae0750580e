"""Key results, their check-ins and their history."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Status

from luodi.api.errors import ApiError
from luodi.api.lookups import caller, key_result_or_404, organization_or_404
from luodi.api.pagination import PageQuery, page_body, paginate
from luodi.api.params import id_path, slug_path
from luodi.api.presenters import checkin_data, key_result_data, revision_data
from luodi.api.schemas import (
    CheckInIn,
    CheckInOut,
    CheckInPage,
    KeyResultOut,
    KeyResultPatch,
    RevisionPage,
    responses,
)
from luodi.checkins.models import Source
from luodi.checkins.selectors import checkin_list
from luodi.checkins.services import checkin_submit
from luodi.okrs import selectors, services

router = Router(tags=["key results"])


@router.get("/{org}/key-results/{key_result_id}", response=responses(KeyResultOut), summary="Read")
def key_result_detail(
    request: HttpRequest, org: str = slug_path(), key_result_id: int = id_path()
) -> dict[str, Any]:
    organization = organization_or_404(request, org)
    kr = key_result_or_404(request, organization, key_result_id)
    return key_result_data(kr, kr.objective.cycle, selectors.Clock.for_org(organization))


@router.patch(
    "/{org}/key-results/{key_result_id}", response=responses(KeyResultOut), summary="Change"
)
def key_result_update(
    request: HttpRequest,
    payload: KeyResultPatch,
    org: str = slug_path(),
    key_result_id: int = id_path(),
) -> dict[str, Any]:
    """Any writable field. Changing `start` or `target` once the cycle has started needs a
    `reason`; every change is kept in the revisions."""
    organization = organization_or_404(request, org)
    kr = key_result_or_404(request, organization, key_result_id)
    changes = payload.changes()
    reason = changes.pop("reason", "")
    kr = services.key_result_update(key_result=kr, actor=caller(request), reason=reason, **changes)
    selectors.key_result_load_relations(kr)
    return key_result_data(kr, kr.objective.cycle, selectors.Clock.for_org(organization))


@router.delete(
    "/{org}/key-results/{key_result_id}", response=responses(None, 204), summary="Delete"
)
def key_result_delete(
    request: HttpRequest, org: str = slug_path(), key_result_id: int = id_path()
) -> Status:
    organization = organization_or_404(request, org)
    kr = key_result_or_404(request, organization, key_result_id)
    services.key_result_delete(key_result=kr, actor=caller(request))
    return Status(204, None)


@router.get(
    "/{org}/key-results/{key_result_id}/check-ins",
    response=responses(CheckInPage),
    summary="Check-ins",
)
def checkin_index(
    request: HttpRequest,
    page: Query[PageQuery],
    org: str = slug_path(),
    key_result_id: int = id_path(),
) -> dict[str, Any]:
    """Oldest first."""
    organization = organization_or_404(request, org)
    kr = key_result_or_404(request, organization, key_result_id)
    rows, next_cursor = paginate(checkin_list(key_result=kr), page)
    return page_body([checkin_data(c) for c in rows], next_cursor)


@router.post(
    "/{org}/key-results/{key_result_id}/check-ins",
    response={**responses(CheckInOut, 201), 200: CheckInOut},
    summary="Check in",
)
def checkin_create(
    request: HttpRequest,
    response: HttpResponse,
    payload: CheckInIn,
    org: str = slug_path(),
    key_result_id: int = id_path(),
    idempotency_key: str | None = Header(
        None, alias="Idempotency-Key", pattern=r"^[\x20-\x7e]*$", max_length=1000
    ),
) -> Status:
    """Records progress and rolls it up the alignment chain.

    Send an `Idempotency-Key` header (1–200 characters, unique per attempt) to retry
    safely: the first request answers 201; a repeat with the same key answers **200** with
    the check-in the first one made (header `Idempotent-Replayed: true`) and changes
    nothing. Reusing a key for another key result is a 409.
    """
    organization = organization_or_404(request, org)
    kr = key_result_or_404(request, organization, key_result_id)
    checkin, created = checkin_submit(
        key_result=kr,
        actor=caller(request),
        source=Source.API,
        idempotency_key=idempotency_key,
        **payload.model_dump(),
    )
    if created:
        return Status(201, checkin_data(checkin))
    if checkin.key_result_id != kr.pk:
        raise ApiError(409, _("This Idempotency-Key was used for another key result."))
    response["Idempotent-Replayed"] = "true"
    return Status(200, checkin_data(checkin))


@router.get(
    "/{org}/key-results/{key_result_id}/revisions",
    response=responses(RevisionPage),
    summary="History of a key result",
)
def key_result_revisions(
    request: HttpRequest,
    page: Query[PageQuery],
    org: str = slug_path(),
    key_result_id: int = id_path(),
) -> dict[str, Any]:
    organization = organization_or_404(request, org)
    kr = key_result_or_404(request, organization, key_result_id)
    rows, next_cursor = paginate(selectors.revision_list(key_result=kr), page)
    return page_body([revision_data(r) for r in rows], next_cursor)
