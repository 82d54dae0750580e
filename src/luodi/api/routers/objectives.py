"""Objectives: list, create, read, change, delete; their key results and history."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from luodi.api.lookups import caller, objective_or_404, organization_or_404
from luodi.api.pagination import PageQuery, page_body, paginate
from luodi.api.params import id_path, slug_path
from luodi.api.presenters import (
    key_result_data,
    objective_data,
    revision_data,
    warnings_data,
)
from luodi.api.schemas import (
    KeyResultIn,
    KeyResultWriteOut,
    ObjectiveDetailOut,
    ObjectiveIn,
    ObjectivePage,
    ObjectivePatch,
    ObjectiveQuery,
    ObjectiveWriteOut,
    RevisionPage,
    responses,
)
from luodi.okrs import selectors, services
from luodi.okrs.models import Objective
from luodi.okrs.policy import PolicyWarning
from luodi.orgs.models import Organization

router = Router(tags=["objectives"])


def _written(
    objective: Objective, organization: Organization, warnings: list[PolicyWarning]
) -> dict[str, Any]:
    selectors.objective_load_relations(objective)
    clock = selectors.Clock.for_org(organization)
    data = objective_data(objective, clock, key_results=True)
    data["warnings"] = warnings_data(warnings)
    return data


@router.get("/{org}/objectives", response=responses(ObjectivePage), summary="Objectives")
def objective_list(
    request: HttpRequest, filters: Query[ObjectiveQuery], org: str = slug_path()
) -> dict[str, Any]:
    """The objectives you may see, filtered; without their key results."""
    organization = organization_or_404(request, org)
    objectives = selectors.objective_list(
        organization=organization,
        user=caller(request),
        cycle_id=filters.cycle_id,
        unit_id=filters.unit_id,
        owner_id=filters.owner_id,
        state=filters.state,
        q=filters.q,
    )
    rows, next_cursor = paginate(objectives, filters)
    clock = selectors.Clock.for_org(organization)
    return page_body([objective_data(o, clock) for o in rows], next_cursor)


@router.post("/{org}/objectives", response=responses(ObjectiveWriteOut, 201), summary="Create")
def objective_create(request: HttpRequest, payload: ObjectiveIn, org: str = slug_path()) -> Status:
    """Answers the objective with `warnings` from the organization's OKR policy."""
    organization = organization_or_404(request, org)
    objective, warnings = services.objective_create(
        organization=organization, actor=caller(request), **payload.model_dump()
    )
    return Status(201, _written(objective, organization, warnings))


@router.get(
    "/{org}/objectives/{objective_id}", response=responses(ObjectiveDetailOut), summary="Read"
)
def objective_detail(
    request: HttpRequest, org: str = slug_path(), objective_id: int = id_path()
) -> dict[str, Any]:
    organization = organization_or_404(request, org)
    objective = objective_or_404(request, organization, objective_id, key_results=True)
    return objective_data(objective, selectors.Clock.for_org(organization), key_results=True)


@router.patch(
    "/{org}/objectives/{objective_id}", response=responses(ObjectiveWriteOut), summary="Change"
)
def objective_update(
    request: HttpRequest,
    payload: ObjectivePatch,
    org: str = slug_path(),
    objective_id: int = id_path(),
) -> dict[str, Any]:
    """Any writable field; `alignments` replaces the whole set; `reason` goes to history."""
    organization = organization_or_404(request, org)
    objective = objective_or_404(request, organization, objective_id)
    changes = payload.changes()
    reason = changes.pop("reason", "")
    objective, warnings = services.objective_update(
        objective=objective, actor=caller(request), reason=reason, **changes
    )
    return _written(objective, organization, warnings)


@router.delete("/{org}/objectives/{objective_id}", response=responses(None, 204), summary="Delete")
def objective_delete(
    request: HttpRequest, org: str = slug_path(), objective_id: int = id_path()
) -> Status:
    organization = organization_or_404(request, org)
    objective = objective_or_404(request, organization, objective_id)
    services.objective_delete(objective=objective, actor=caller(request))
    return Status(204, None)


@router.post(
    "/{org}/objectives/{objective_id}/key-results",
    response=responses(KeyResultWriteOut, 201),
    summary="Add a key result",
    tags=["key results"],
)
def key_result_create(
    request: HttpRequest,
    payload: KeyResultIn,
    org: str = slug_path(),
    objective_id: int = id_path(),
) -> Status:
    """Answers the key result with `warnings` from the organization's OKR policy."""
    organization = organization_or_404(request, org)
    objective = objective_or_404(request, organization, objective_id)
    key_result, warnings = services.key_result_create(
        objective=objective, actor=caller(request), **payload.model_dump(exclude_unset=True)
    )
    selectors.key_result_load_relations(key_result)
    clock = selectors.Clock.for_org(organization)
    data = key_result_data(key_result, key_result.objective.cycle, clock)
    data["warnings"] = warnings_data(warnings)
    return Status(201, data)


@router.get(
    "/{org}/objectives/{objective_id}/revisions",
    response=responses(RevisionPage),
    summary="History of an objective",
)
def objective_revisions(
    request: HttpRequest,
    page: Query[PageQuery],
    org: str = slug_path(),
    objective_id: int = id_path(),
) -> dict[str, Any]:
    organization = organization_or_404(request, org)
    objective = objective_or_404(request, organization, objective_id)
    rows, next_cursor = paginate(selectors.objective_revision_list(objective=objective), page)
    return page_body([revision_data(r) for r in rows], next_cursor)
