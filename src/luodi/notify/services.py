"""Notification writes: inbox rows, e-mail and channel deliveries (see events.py), the
inbox's read marks, each person's preferences, and the channels admins configure."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from luodi.accounts.models import User
from luodi.notify.events import EventKind, Message
from luodi.notify.models import (
    Channel,
    ChannelKind,
    Delivery,
    Notification,
    NotificationPreference,
)
from luodi.notify.preferences import Choice, choices_for, default_choice
from luodi.okrs.audience import audience_q
from luodi.okrs.choices import ObjectiveState, Visibility
from luodi.okrs.models import Objective
from luodi.orgs.models import Membership, Organization, Unit
from luodi.orgs.permissions import require_admin

TITLE_MAX = 500
TEST_EVENT = "test"


def language_for(user: User | None, organization: Organization) -> str:
    """The person's own language, else the organization's, else the site's."""
    codes = {code for code, _name in settings.LANGUAGES}
    for candidate in (user.language if user else "", organization.locale):
        if candidate in codes:
            return candidate
    return settings.LANGUAGE_CODE


def absolute_url(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return settings.LUODI_BASE_URL.rstrip("/") + "/" + path.lstrip("/")


# dispatch: the door emit() opens


def dispatch(
    *,
    organization: Organization,
    kind: str,
    recipients: Iterable[int],
    title: Message,
    url: str,
    actor_id: int | None,
    body: Message | None,
    objective_id: int | None,
    unit_id: int | None,
    data: Mapping[str, Any],
    objective: Objective | None = None,
) -> None:
    """Inbox rows now (the caller's transaction); e-mails and channel posts after commit."""
    if objective is not None and objective.organization_id != organization.pk:
        return  # an objective of another organization: tell no one anything
    if objective is None and objective_id is not None:
        objective = Objective.objects.filter(organization=organization, pk=objective_id).first()
        if objective is None:
            return  # an objective of another organization, or gone: tell no one anything
    people = _audience(organization, recipients, actor_id, objective)
    if people:
        _notify_people(organization, kind, people, title, body, url, actor_id)
    if unit_id is None and objective is not None:
        unit_id = objective.unit_id
    _queue_channels(organization, kind, title, body, url, objective, unit_id, data)


def _audience(
    organization: Organization,
    recipients: Iterable[int],
    actor_id: int | None,
    objective: Objective | None,
) -> list[User]:
    """Active members of the organization, not the actor, who may see the objective (one
    query: `okrs.audience` is `can_see_objective` turned into a filter on memberships)."""
    ids = {int(pk) for pk in recipients} - {actor_id}
    if not ids:
        return []
    memberships = Membership.objects.filter(
        organization=organization, user_id__in=ids, user__is_active=True
    )
    if objective is not None and not _everyone_sees(objective):
        memberships = memberships.filter(audience_q(objective))
    return [membership.user for membership in memberships.select_related("user")]


def _everyone_sees(objective: Objective) -> bool:
    return (
        objective.state != ObjectiveState.DRAFT and objective.visibility == Visibility.ORGANIZATION
    )


def _notify_people(
    organization: Organization,
    kind: str,
    people: list[User],
    title: Message,
    body: Message | None,
    url: str,
    actor_id: int | None,
) -> None:
    choices = choices_for(
        organization_id=organization.pk, user_ids=[u.pk for u in people], kind=kind
    )
    rows = []
    mails = []
    for user in people:
        choice = choices[user.pk]
        language = language_for(user, organization)
        title_text = title.render(language)[:TITLE_MAX]
        body_text = body.render(language) if body else ""
        if choice.inbox:
            rows.append(
                Notification(
                    organization=organization,
                    recipient=user,
                    kind=kind,
                    title=title_text,
                    body=body_text,
                    url=url[:500],
                    actor_id=actor_id,
                )
            )
        if choice.email and user.email:
            mails.append(_email(organization, user, language, title_text, body_text, url))
    Notification.objects.bulk_create(rows)
    if mails:
        from luodi.notify import tasks

        for mail in mails:
            transaction.on_commit(lambda mail=mail: tasks.send_email(**mail))


def _email(
    organization: Organization, user: User, language: str, title: str, body: str, url: str
) -> dict[str, str]:
    settings_path = reverse("web:notify-settings", kwargs={"org": organization.slug})
    with translation.override(language):
        footer = gettext("Choose which e-mails you get: %(url)s") % {
            "url": absolute_url(settings_path)
        }
        open_line = gettext("Open in Luodi: %(url)s") % {"url": absolute_url(url)}
    subject = f"{organization.name} · {title}"  # names only: nothing to translate
    text = "\n\n".join(part for part in (body, open_line, "--\n" + footer) if part)
    return {"to": user.email, "subject": subject.replace("\n", " ")[:300], "body": text}


# channels: who is listening


def _queue_channels(
    organization: Organization,
    kind: str,
    title: Message,
    body: Message | None,
    url: str,
    objective: Objective | None,
    unit_id: int | None,
    data: Mapping[str, Any],
) -> None:
    channels = [
        c
        for c in Channel.objects.filter(organization=organization, enabled=True)
        if kind in (c.events or [])
    ]
    if not channels:
        return
    if objective is not None and (
        objective.state == ObjectiveState.DRAFT or objective.visibility == Visibility.PRIVATE
    ):
        return  # drafts and private objectives never reach a group chat
    parent_of: dict[int, int | None] = {}
    if any(c.unit_id for c in channels):
        parent_of = dict(
            Unit.objects.filter(organization=organization).values_list("pk", "parent_id")
        )
    listening = [c for c in channels if _channel_hears(c, objective, unit_id, parent_of)]
    if not listening:
        return
    payload = channel_payload(organization, kind, title, body, url, data)
    deliveries = Delivery.objects.bulk_create(
        Delivery(
            organization=organization,
            channel=channel,
            event=kind,
            payload=payload,
            next_attempt_at=timezone.now(),
        )
        for channel in listening
    )
    ids = [d.pk for d in deliveries]
    transaction.on_commit(lambda: _enqueue(ids))


def _enqueue(ids: list[int]) -> None:
    from luodi.notify import tasks

    for delivery_id in ids:
        tasks.deliver(delivery_id)


def _within(unit_id: int | None, ancestor_id: int, parent_of: Mapping[int, int | None]) -> bool:
    """Is unit_id the unit ancestor_id or below it?"""
    seen: set[int] = set()
    while unit_id is not None and unit_id not in seen:
        if unit_id == ancestor_id:
            return True
        seen.add(unit_id)
        unit_id = parent_of.get(unit_id)
    return False


def _channel_hears(
    channel: Channel,
    objective: Objective | None,
    unit_id: int | None,
    parent_of: Mapping[int, int | None],
) -> bool:
    """Organization channels hear every event of the organization; unit channels those of
    their unit and below. Whoever reads the channel must be allowed to see the objective:
    a whole-organization one anywhere; a unit-only one only in a channel of that unit or
    of a unit below it (its members see their own unit's and their parents' objectives)."""
    if channel.unit_id is not None and not _within(unit_id, channel.unit_id, parent_of):
        return False
    if objective is None or objective.visibility == Visibility.ORGANIZATION:
        return True
    return (
        objective.visibility == Visibility.UNIT
        and channel.unit_id is not None
        and objective.unit_id is not None
        and _within(channel.unit_id, objective.unit_id, parent_of)
    )


def channel_payload(
    organization: Organization,
    kind: str,
    title: Message,
    body: Message | None,
    url: str,
    data: Mapping[str, Any],
    *,
    occurred_at: datetime | None = None,
) -> dict[str, Any]:
    """The text a channel posts, rendered once in the organization's language."""
    language = language_for(None, organization)
    with translation.override(language):
        link_label = gettext("Open in Luodi")
    return {
        "event": kind,
        "organization": organization.slug,
        "occurred_at": (occurred_at or timezone.now()).isoformat(),
        "title": title.render(language)[:TITLE_MAX],
        "body": body.render(language) if body else "",
        "url": absolute_url(url),
        "link_label": link_label,
        "language": language,
        "data": dict(data),
    }


# the inbox


def mark_read(
    *, user: User, organization: Organization | None = None, ids: Iterable[int] | None = None
) -> int:
    """Mark the user's unread notifications read (these ids only, when given): how many."""
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if organization is not None:
        rows = rows.filter(organization=organization)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    with transaction.atomic():
        return rows.update(read_at=timezone.now())


# preferences


def preferences_save(
    *, organization: Organization, user: User, table: Mapping[str, Choice]
) -> None:
    """Save the person's choices for every kind in `table`; only those that differ from the
    defaults are stored, so better defaults later reach everyone who never chose."""
    unknown = sorted(set(table) - set(EventKind.values))
    if unknown:
        raise ValidationError({"kind": [_("Unknown event kind: %s") % ", ".join(unknown)]})
    rows = [
        NotificationPreference(
            organization=organization, user=user, kind=kind, inbox=c.inbox, email=c.email
        )
        for kind, c in table.items()
        if c != default_choice(kind)
    ]
    with transaction.atomic():
        NotificationPreference.objects.filter(
            organization=organization, user=user, kind__in=list(table)
        ).delete()
        NotificationPreference.objects.bulk_create(rows)


# channels: what admins configure

LOCAL_HOSTS = {"localhost"}
NAME_MAX = 100
SECRET_MAX = 200
URL_MAX = 500


def _is_local(host: str) -> bool:
    if host in LOCAL_HOSTS or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _clean_url(url: Any) -> str:
    if not isinstance(url, str) or not url.strip():
        raise ValidationError({"url": [_("Enter the webhook URL.")]})
    url = url.strip()
    if len(url) > URL_MAX:
        raise ValidationError({"url": [_("Use at most 500 characters.")]})
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError({"url": [_("Enter a valid URL.")]}) from None
    parts = urlsplit(url)
    if parts.scheme != "https" and not _is_local(parts.hostname or ""):
        raise ValidationError({"url": [_("Use https (plain http only for localhost).")]})
    return url


def _clean_events(events: Any) -> list[str]:
    if not isinstance(events, list | tuple) or not events:
        raise ValidationError({"events": [_("Choose at least one event.")]})
    known = set(EventKind.values)
    cleaned: list[str] = []
    for event in events:
        if not isinstance(event, str) or event not in known:
            raise ValidationError({"events": [_("Unknown event kind: %s") % str(event)[:50]]})
        if event not in cleaned:
            cleaned.append(event)
    return cleaned


def _clean_channel(organization: Organization, fields: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[Any]] = {}
    cleaned: dict[str, Any] = {}
    checks = {
        "url": _clean_url,
        "events": _clean_events,
    }
    for name, check in checks.items():
        if name in fields:
            try:
                cleaned[name] = check(fields[name])
            except ValidationError as exc:
                errors.update(exc.message_dict)
    if "kind" in fields:
        if fields["kind"] not in ChannelKind.values:
            errors["kind"] = [_("Choose one of: feishu, dingtalk, wecom, slack, webhook.")]
        else:
            cleaned["kind"] = fields["kind"]
    if "name" in fields:
        name = (fields["name"] or "").strip()
        if len(name) > NAME_MAX:
            errors["name"] = [_("Use at most 100 characters.")]
        cleaned["name"] = name
    if "secret" in fields and fields["secret"] is not None:
        secret = fields["secret"].strip()
        if len(secret) > SECRET_MAX:
            errors["secret"] = [_("Use at most 200 characters.")]
        cleaned["secret"] = secret
    if "unit_id" in fields:
        unit_id = fields["unit_id"]
        if (
            unit_id is not None
            and not Unit.objects.filter(organization=organization, pk=unit_id).exists()
        ):
            errors["unit_id"] = [_("No such unit in this organization.")]
        cleaned["unit_id"] = unit_id
    if "enabled" in fields:
        cleaned["enabled"] = bool(fields["enabled"])
    if errors:
        raise ValidationError(errors)
    return cleaned


def channel_create(
    *,
    organization: Organization,
    actor: User,
    kind: str,
    url: str,
    events: list[str],
    secret: str = "",
    unit_id: int | None = None,
    name: str = "",
    enabled: bool = True,
) -> Channel:
    require_admin(organization, actor)
    fields = {
        "kind": kind,
        "url": url,
        "events": events,
        "secret": secret or "",
        "unit_id": unit_id,
        "name": name,
        "enabled": enabled,
    }
    cleaned = _clean_channel(organization, fields)
    _require_webhook_secret(cleaned["kind"], cleaned["secret"])
    with transaction.atomic():
        return Channel.objects.create(organization=organization, created_by=actor, **cleaned)


def _require_webhook_secret(kind: str, secret: str) -> None:
    # API.md promises receivers a signed body; an unsigned webhook would break that promise.
    if kind == ChannelKind.WEBHOOK and not secret:
        raise ValidationError(
            {"secret": [_("A webhook needs a secret: receivers check X-Luodi-Signature with it.")]}
        )


def channel_update(*, channel: Channel, actor: User, **changes: Any) -> Channel:
    """Change the given fields. `secret`: None or absent keeps it, "" removes it."""
    require_admin(channel.organization, actor)
    allowed = {"kind", "url", "events", "secret", "unit_id", "name", "enabled"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    cleaned = _clean_channel(channel.organization, changes)
    if "kind" in cleaned or "secret" in cleaned:
        _require_webhook_secret(
            cleaned.get("kind", channel.kind), cleaned.get("secret", channel.secret)
        )
    with transaction.atomic():
        for name, value in cleaned.items():
            setattr(channel, name, value)
        channel.save()
    return channel


def channel_delete(*, channel: Channel, actor: User) -> None:
    require_admin(channel.organization, actor)
    with transaction.atomic():
        channel.delete()


def channel_send_test(*, channel: Channel, actor: User) -> Delivery:
    """Post a test message now (one attempt, no retries) and answer its delivery."""
    from luodi.notify import delivery

    require_admin(channel.organization, actor)
    organization = channel.organization
    title = Message(
        gettext_noop("Test message from Luodi (sent by %(name)s)"), {"name": actor.display_name}
    )
    body = Message(gettext_noop("If you can read this, the channel works."))
    url = reverse("web:notify-inbox", kwargs={"org": organization.slug})
    payload = channel_payload(organization, TEST_EVENT, title, body, url, {"test": True})
    with transaction.atomic():
        test = Delivery.objects.create(
            organization=organization,
            channel=channel,
            event=TEST_EVENT,
            payload=payload,
            next_attempt_at=timezone.now(),
        )
    # The HTTP call runs outside any transaction: a slow endpoint holds no lock.
    delivery.attempt(test.pk, retry=False, even_if_disabled=True)
    test.refresh_from_db()
    return test
