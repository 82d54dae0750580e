"""Model validation that speaks our error shape: a dict of field → reasons."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models


def full_clean_or_raise(instance: models.Model, *, exclude: Iterable[str] = ()) -> None:
    """Run model validation without unique checks (services check those with context)."""
    instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)


def errors_of(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}
