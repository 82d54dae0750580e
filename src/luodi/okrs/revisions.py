"""Revision records: every change to an objective or key result, field by field."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from luodi.accounts.models import User
from luodi.okrs.models import KeyResult, Objective, Revision


def as_text(value: object) -> str | None:
    """A stable text form for the history: decimals normalized, lists as JSON."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def record_changes(
    *,
    target: Objective | KeyResult,
    author: User | None,
    before: dict[str, object],
    after: dict[str, object],
    reason: str = "",
) -> list[Revision]:
    """One revision per field whose text form changed."""
    is_objective = isinstance(target, Objective)
    revisions = [
        Revision(
            organization_id=target.organization_id,
            objective=target if is_objective else None,
            key_result=None if is_objective else target,
            field=name,
            old=as_text(before.get(name)),
            new=as_text(after.get(name)),
            reason=reason,
            author=author,
        )
        for name in after
        if as_text(before.get(name)) != as_text(after.get(name))
    ]
    Revision.objects.bulk_create(revisions)
    return revisions


def record_created(*, target: Objective | KeyResult, author: User | None) -> None:
    is_objective = isinstance(target, Objective)
    Revision.objects.create(
        organization_id=target.organization_id,
        objective=target if is_objective else None,
        key_result=None if is_objective else target,
        field="created",
        old=None,
        new=target.title,
        author=author,
    )
