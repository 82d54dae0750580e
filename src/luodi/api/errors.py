"""One error shape for the whole API: {"error": {"code", "message", "fields"}}.

| status | code | when |
| --- | --- | --- |
| 400 | malformed | the body is not JSON, or not sent as JSON |
| 401 | unauthenticated | no or bad credentials |
| 403 | forbidden / csrf_failed | signed in but not allowed; session without CSRF token |
| 404 | not_found | absent, not visible to you, or in another organization |
| 409 | conflict | a concurrent write, a reused Idempotency-Key |
| 413 | too_large | the body is larger than the server accepts |
| 422 | invalid | valid JSON with invalid values (see `fields`) |
"""

from __future__ import annotations

from decimal import InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError

from luodi.checkins.services import IdempotencyConflict
from luodi.core.validation import errors_of

if TYPE_CHECKING:
    from ninja import NinjaAPI

# Model field names that the API spells differently.
FIELD_NAMES = {"measure_unit": "unit", "__all__": "__all__"}
CODES = {
    400: "malformed",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "throttled",
}


class ApiError(Exception):
    """An error the API answers directly, with an explicit status, code and field reasons."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or CODES.get(status, "error")
        self.message = message
        self.fields = fields or {}


class CsrfFailed(HttpError):
    def __init__(self) -> None:
        super().__init__(403, "CSRF check failed")


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def field_errors(message: str, **fields: str) -> ApiError:
    """A 422 naming the fields at fault: field_errors("…", cursor="Unknown cursor.")."""
    return ApiError(422, message, fields={name: [reason] for name, reason in fields.items()})


def location_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """('body', 'payload', 'alignments', 0, 'weight') → 'alignments[0].weight'."""
    parts = list(loc)
    source = parts.pop(0) if parts else "body"
    if source == "body" and parts:
        parts.pop(0)  # the name of the body parameter
    if not parts:
        return "body" if source == "body" else str(source)
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return FIELD_NAMES.get(name, name)


def _schema_fields(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in errors:
        # Members of a union may add a tag to the location ("int", "function-after[…]"): drop it.
        loc = [p for p in error.get("loc", ()) if not _is_union_member_tag(p)]
        name = location_name(loc)
        message = str(error.get("msg", "Invalid value."))
        if error.get("type") == "missing":
            message = _("This field is required.")
        elif error.get("type") == "extra_forbidden":
            message = _("Unknown field.")
        elif error.get("type") == "value_error":
            message = message.removeprefix("Value error, ")
        reasons = fields.setdefault(name, [])
        if message not in reasons:
            reasons.append(message)
    return fields


def _is_union_member_tag(part: Any) -> bool:
    return isinstance(part, str) and (
        part
        in {"int", "str", "float", "bool", "decimal", "none", "constrained-int", "constrained-str"}
        or part.startswith(("function-", "list[", "dict[", "lax-", "strict-"))
    )


def _service_fields(exc: DjangoValidationError) -> dict[str, list[str]]:
    return {FIELD_NAMES.get(name, name): reasons for name, reasons in errors_of(exc).items()}


def install(api: NinjaAPI) -> None:
    """Register handlers so that every failure answers in the error shape."""

    def respond(request: HttpRequest, status: int, body: dict) -> HttpResponse:
        return api.create_response(request, body, status=status)

    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return respond(request, exc.status, error_body(exc.code, exc.message, exc.fields))

    def on_schema_error(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
        fields = _schema_fields(exc.errors)
        return respond(request, 422, error_body("invalid", _("Some values are invalid."), fields))

    def on_django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        fields = _service_fields(exc)
        first = next(iter(fields.values()), [_("Some values are invalid.")])[0]
        return respond(request, 422, error_body("invalid", first, fields))

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        status = exc.status_code
        if isinstance(exc, AuthenticationError):
            message = _("Sign in, or send a valid token: Authorization: Bearer <token>.")
        elif isinstance(exc, CsrfFailed):
            return respond(
                request,
                403,
                error_body("csrf_failed", _("CSRF check failed: send the X-CSRFToken header.")),
            )
        elif status == 400:
            message = _(
                "The body is not valid JSON; send JSON with Content-Type: application/json."
            )
        else:
            message = str(exc)
        return respond(request, status, error_body(CODES.get(status, "error"), message))

    def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        message = str(exc) or _("You are not allowed to do this.")
        return respond(request, 403, error_body("forbidden", message))

    def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return respond(request, 404, error_body("not_found", _("Not found.")))

    def on_idempotency_conflict(request: HttpRequest, exc: Exception) -> HttpResponse:
        message = _("A request with this Idempotency-Key is being processed; retry shortly.")
        return respond(request, 409, error_body("conflict", message))

    def on_integrity_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        message = _("This conflicts with a change made at the same time; retry.")
        return respond(request, 409, error_body("conflict", message))

    def on_decimal_overflow(request: HttpRequest, exc: Exception) -> HttpResponse:
        # A number the service let through but the column cannot hold (InvalidOperation on
        # SQLite, DataError "numeric field overflow" on PostgreSQL); nothing was saved: the
        # service's transaction rolled back.
        message = _("A number has too many digits.")
        return respond(request, 422, error_body("invalid", message, {"__all__": [message]}))

    def on_too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
        return respond(request, 413, error_body("too_large", _("The request body is too large.")))

    api.add_exception_handler(ApiError, on_api_error)
    api.add_exception_handler(SchemaValidationError, on_schema_error)
    api.add_exception_handler(DjangoValidationError, on_django_validation)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(PermissionDenied, on_permission_denied)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(ObjectDoesNotExist, on_not_found)
    api.add_exception_handler(IdempotencyConflict, on_idempotency_conflict)
    api.add_exception_handler(IntegrityError, on_integrity_error)
    api.add_exception_handler(RequestDataTooBig, on_too_big)
    api.add_exception_handler(InvalidOperation, on_decimal_overflow)
    api.add_exception_handler(DataError, on_decimal_overflow)
