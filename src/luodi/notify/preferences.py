"""Where a person hears about each kind of event: the defaults, and their own choices."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from luodi.notify.events import EventKind
from luodi.notify.models import NotificationPreference

# E-mail is for what asks something of you or is about you; the rest stays in the inbox.
EMAIL_BY_DEFAULT = frozenset(
    {
        EventKind.MENTION,
        EventKind.FEEDBACK_GIVEN,
        EventKind.ACTION_ITEM_ASSIGNED,
        EventKind.DIGEST_WEEKLY,
    }
)
EMAIL_BY_DEFAULT_PREFIXES = ("approval.", "alignment.", "reminder.")


@dataclass(frozen=True)
class Choice:
    inbox: bool
    email: bool


def default_choice(kind: str) -> Choice:
    email = kind in EMAIL_BY_DEFAULT or kind.startswith(EMAIL_BY_DEFAULT_PREFIXES)
    return Choice(inbox=True, email=email)


def choices_for(*, organization_id: int, user_ids: Iterable[int], kind: str) -> dict[int, Choice]:
    """Each person's choice for `kind` (their saved row, else the default): one query."""
    ids = list(user_ids)
    saved = NotificationPreference.objects.filter(
        organization_id=organization_id, user_id__in=ids, kind=kind
    ).values_list("user_id", "inbox", "email")
    choices = {user_id: Choice(inbox, email) for user_id, inbox, email in saved}
    default = default_choice(kind)
    return {user_id: choices.get(user_id, default) for user_id in ids}


def table_for(*, organization_id: int, user_id: int) -> dict[str, Choice]:
    """Every event kind → this person's choice, for the settings page: one query."""
    saved = {
        kind: Choice(inbox, email)
        for kind, inbox, email in NotificationPreference.objects.filter(
            organization_id=organization_id, user_id=user_id
        ).values_list("kind", "inbox", "email")
    }
    return {kind: saved.get(kind, default_choice(kind)) for kind in EventKind.values}
