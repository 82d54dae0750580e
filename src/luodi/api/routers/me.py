"""The caller."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from luodi.api.lookups import caller
from luodi.api.schemas import MeOut, responses
from luodi.orgs.selectors import organizations_of

router = Router(tags=["me"])


@router.get("/me", response=responses(MeOut), summary="Who I am and where I belong")
def me(request: HttpRequest) -> dict[str, Any]:
    user = caller(request)
    return {
        "id": user.pk,
        "email": user.email,
        "name": user.name,
        "organizations": [
            {"slug": m.organization.slug, "name": m.organization.name, "role": m.role}
            for m in organizations_of(user=user)
        ],
    }
