"""Organizations and their structure: members, units, strategic themes, cycles."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from luodi.api.lookups import caller, found, organization_or_404
from luodi.api.pagination import PageQuery, page_body, paginate
from luodi.api.params import id_path, slug_path
from luodi.api.presenters import (
    cycle_data,
    member_data,
    organization_data,
    theme_data,
    unit_data,
)
from luodi.api.schemas import (
    CycleIn,
    CycleOut,
    CyclePage,
    CyclePatch,
    MemberIn,
    MemberOut,
    MemberPage,
    MemberPatch,
    OrganizationIn,
    OrganizationOut,
    OrganizationPatch,
    ThemeIn,
    ThemeOut,
    ThemePage,
    ThemePatch,
    UnitIn,
    UnitOut,
    UnitPage,
    UnitPatch,
    responses,
)
from luodi.orgs import selectors, services
from luodi.orgs.choices import Role
from luodi.orgs.permissions import role_of

router = Router(tags=["organizations"])


# --- organizations -------------------------------------------------------------------


@router.post("", response=responses(OrganizationOut, 201), summary="Create an organization")
def organization_create(request: HttpRequest, payload: OrganizationIn) -> Status:
    """The caller becomes its owner."""
    organization = services.organization_create(
        name=payload.name, slug=payload.slug, owner=caller(request)
    )
    return Status(201, organization_data(organization, Role.OWNER))


@router.get("/{org}", response=responses(OrganizationOut), summary="An organization")
def organization_detail(request: HttpRequest, org: str = slug_path()) -> dict[str, Any]:
    organization = organization_or_404(request, org)
    return organization_data(organization, role_of(organization, caller(request)))


@router.patch("/{org}", response=responses(OrganizationOut), summary="Change settings")
def organization_update(
    request: HttpRequest, payload: OrganizationPatch, org: str = slug_path()
) -> dict[str, Any]:
    organization = organization_or_404(request, org)
    organization = services.organization_update(
        organization=organization, actor=caller(request), **payload.changes()
    )
    return organization_data(organization, role_of(organization, caller(request)))


# --- members -------------------------------------------------------------------------


@router.get("/{org}/members", response=responses(MemberPage), summary="Members")
def member_list(
    request: HttpRequest, page: Query[PageQuery], org: str = slug_path()
) -> dict[str, Any]:
    organization = organization_or_404(request, org)
    rows, next_cursor = paginate(selectors.member_list(organization=organization), page)
    return page_body([member_data(m) for m in rows], next_cursor)


@router.post("/{org}/members", response=responses(MemberOut, 201), summary="Add a member")
def member_add(request: HttpRequest, payload: MemberIn, org: str = slug_path()) -> Status:
    """Creates the person's account when the email is new (without a password)."""
    organization = organization_or_404(request, org)
    membership = services.member_add(
        organization=organization,
        actor=caller(request),
        email=payload.email,
        name=payload.name,
        role=payload.role,
        unit_id=payload.unit_id,
        manager_id=payload.manager_id,
    )
    return Status(201, member_data(membership))


@router.patch("/{org}/members/{member_id}", response=responses(MemberOut), summary="Change")
def member_update(
    request: HttpRequest,
    payload: MemberPatch,
    org: str = slug_path(),
    member_id: int = id_path(),
) -> dict[str, Any]:
    """`member_id` is the membership id (`id` in the member list), not the user id."""
    organization = organization_or_404(request, org)
    membership = found(selectors.member_get(organization=organization, membership_id=member_id))
    membership = services.member_update(
        membership=membership, actor=caller(request), **payload.changes()
    )
    return member_data(membership)


# --- units ---------------------------------------------------------------------------


@router.get("/{org}/units", response=responses(UnitPage), summary="Units")
def unit_list(
    request: HttpRequest, page: Query[PageQuery], org: str = slug_path()
) -> dict[str, Any]:
    organization = organization_or_404(request, org)
    rows, next_cursor = paginate(selectors.unit_list(organization=organization), page)
    return page_body([unit_data(u) for u in rows], next_cursor)


@router.post("/{org}/units", response=responses(UnitOut, 201), summary="Create a unit")
def unit_create(request: HttpRequest, payload: UnitIn, org: str = slug_path()) -> Status:
    organization = organization_or_404(request, org)
    unit = services.unit_create(
        organization=organization, actor=caller(request), **payload.model_dump()
    )
    return Status(201, unit_data(unit))


@router.patch("/{org}/units/{unit_id}", response=responses(UnitOut), summary="Change a unit")
def unit_update(
    request: HttpRequest, payload: UnitPatch, org: str = slug_path(), unit_id: int = id_path()
) -> dict[str, Any]:
    organization = organization_or_404(request, org)
    unit = found(selectors.unit_get(organization=organization, unit_id=unit_id))
    unit = services.unit_update(unit=unit, actor=caller(request), **payload.changes())
    return unit_data(unit)


# --- themes --------------------------------------------------------------------------


@router.get("/{org}/themes", response=responses(ThemePage), summary="Strategic themes")
def theme_list(
    request: HttpRequest, page: Query[PageQuery], org: str = slug_path()
) -> dict[str, Any]:
    organization = organization_or_404(request, org)
    rows, next_cursor = paginate(selectors.theme_list(organization=organization), page)
    return page_body([theme_data(t) for t in rows], next_cursor)


@router.post("/{org}/themes", response=responses(ThemeOut, 201), summary="Create a theme")
def theme_create(request: HttpRequest, payload: ThemeIn, org: str = slug_path()) -> Status:
    organization = organization_or_404(request, org)
    theme = services.theme_create(
        organization=organization, actor=caller(request), **payload.model_dump()
    )
    return Status(201, theme_data(theme))


@router.patch("/{org}/themes/{theme_id}", response=responses(ThemeOut), summary="Change")
def theme_update(
    request: HttpRequest, payload: ThemePatch, org: str = slug_path(), theme_id: int = id_path()
) -> dict[str, Any]:
    organization = organization_or_404(request, org)
    theme = found(selectors.theme_get(organization=organization, theme_id=theme_id))
    theme = services.theme_update(theme=theme, actor=caller(request), **payload.changes())
    return theme_data(theme)


@router.delete("/{org}/themes/{theme_id}", response=responses(None, 204), summary="Delete")
def theme_delete(request: HttpRequest, org: str = slug_path(), theme_id: int = id_path()) -> Status:
    """Objectives linked to the theme lose the link."""
    organization = organization_or_404(request, org)
    theme = found(selectors.theme_get(organization=organization, theme_id=theme_id))
    services.theme_delete(theme=theme, actor=caller(request))
    return Status(204, None)


# --- cycles --------------------------------------------------------------------------


@router.get("/{org}/cycles", response=responses(CyclePage), summary="Cycles")
def cycle_list(
    request: HttpRequest, page: Query[PageQuery], org: str = slug_path()
) -> dict[str, Any]:
    organization = organization_or_404(request, org)
    rows, next_cursor = paginate(selectors.cycle_list(organization=organization), page)
    return page_body([cycle_data(c) for c in rows], next_cursor)


@router.post("/{org}/cycles", response=responses(CycleOut, 201), summary="Create a cycle")
def cycle_create(request: HttpRequest, payload: CycleIn, org: str = slug_path()) -> Status:
    organization = organization_or_404(request, org)
    cycle = services.cycle_create(
        organization=organization, actor=caller(request), **payload.model_dump()
    )
    return Status(201, cycle_data(cycle))


@router.patch("/{org}/cycles/{cycle_id}", response=responses(CycleOut), summary="Change")
def cycle_update(
    request: HttpRequest, payload: CyclePatch, org: str = slug_path(), cycle_id: int = id_path()
) -> dict[str, Any]:
    organization = organization_or_404(request, org)
    cycle = found(selectors.cycle_get(organization=organization, cycle_id=cycle_id))
    cycle = services.cycle_update(cycle=cycle, actor=caller(request), **payload.changes())
    return cycle_data(cycle)
