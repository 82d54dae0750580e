"""The HTTP API v1 at /api/v1: one NinjaAPI, token or session auth, one error shape."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.parser import Parser

from luodi.api import errors
from luodi.api.auth import api_auth
from luodi.api.routers import (
    approvals,
    collab,
    insights,
    key_results,
    me,
    notify,
    objectives,
    orgs,
    rhythm,
)

JSON_TYPES = ("application/json",)


class JsonParser(Parser):
    """JSON bodies only; decimals stay exact (parsed as Decimal, never as binary floats)."""

    def parse_body(self, request: HttpRequest) -> Any:
        content_type = request.content_type or ""
        if content_type and content_type not in JSON_TYPES and not content_type.endswith("+json"):
            raise ValueError("not JSON")
        return json.loads(request.body, parse_float=Decimal)


DESCRIPTION = """
Luodi's JSON API. Authenticate with `Authorization: Bearer <token>` (create a token with
`luodi token create --email …`) or, from the browser, with the session and a CSRF token.

Errors are `{"error": {"code", "message", "fields": {name: [reason]}}}`. Lists are
`{"items": [...], "next": cursor|null}` with `?limit=` (1–200, default 50) and `?cursor=`.
"""

api = NinjaAPI(
    title="Luodi API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=api_auth,
    parser=JsonParser(),
)
errors.install(api)

api.add_router("", me.router)
api.add_router("/orgs", orgs.router)
api.add_router("/orgs", objectives.router)
api.add_router("/orgs", key_results.router)
api.add_router("/orgs", insights.router)
api.add_router("/orgs", approvals.router)
api.add_router("", collab.router)
api.add_router("", notify.router)
api.add_router("", rhythm.router)


def endpoint_not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Unknown paths under /api/ answer in the API's error shape, not with an HTML page."""
    body = errors.error_body("not_found", _("No such endpoint. See /api/v1/docs."))
    return JsonResponse(body, status=404)
