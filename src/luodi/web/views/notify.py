"""Notifications: the inbox, where each person hears about what, and (for admins) the chat
channels and webhooks an organization posts to, with their delivery log."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from luodi.notify import selectors, services
from luodi.notify.events import EventKind
from luodi.notify.forms import ChannelForm
from luodi.notify.models import Channel, DeliveryStatus
from luodi.notify.preferences import Choice, table_for
from luodi.web.decorators import org_page
from luodi.web.forms_accounts import apply_errors
from luodi.web.views.admin_common import admin_page, render_admin, units_in_tree

PER_PAGE = 30
LOG_SIZE = 50


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# the inbox


def _inbox_context(request: HttpRequest) -> dict:
    org, user = request.org, request.user  # type: ignore[attr-defined]
    unread_only = request.GET.get("unread") == "1"
    rows = selectors.inbox(user=user, organization=org)  # type: ignore[arg-type]
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return {"nav": "inbox", "page": page, "unread_only": unread_only}


@org_page
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "web/notify/inbox.html", _inbox_context(request))


def _back_to_inbox(request: HttpRequest) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("web:notify-inbox", org=org.slug)


@org_page
@require_POST
def inbox_read(request: HttpRequest, pk: int) -> HttpResponse:
    org, user = request.org, request.user  # type: ignore[attr-defined]
    notification = selectors.notification_get(user=user, organization=org, notification_id=pk)  # type: ignore[arg-type]
    if notification is None:
        raise Http404
    services.mark_read(user=user, organization=org, ids=[pk])  # type: ignore[arg-type]
    if _is_htmx(request):
        notification.refresh_from_db()
        context = {"n": notification, "unread_count": _unread(request)}
        return render(request, "web/notify/_inbox_row.html", {**context, "oob_badge": True})
    return _back_to_inbox(request)


@org_page
@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    org, user = request.org, request.user  # type: ignore[attr-defined]
    updated = services.mark_read(user=user, organization=org)  # type: ignore[arg-type]
    if _is_htmx(request):
        context = {**_inbox_context(request), "unread_count": 0, "oob_badge": True}
        return render(request, "web/notify/_inbox_list.html", context)
    if updated:
        messages.success(request, _("All notifications marked read."))
    return _back_to_inbox(request)


@org_page
def inbox_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification's link, marking it read on the way."""
    org, user = request.org, request.user  # type: ignore[attr-defined]
    notification = selectors.notification_get(user=user, organization=org, notification_id=pk)  # type: ignore[arg-type]
    if notification is None:
        raise Http404
    services.mark_read(user=user, organization=org, ids=[pk])  # type: ignore[arg-type]
    # Only paths inside Luodi: a stored link must never send anyone elsewhere.
    if notification.url.startswith("/") and not notification.url.startswith("//"):
        return redirect(notification.url)
    return redirect("web:notify-inbox", org=org.slug)


def _unread(request: HttpRequest) -> int:
    return selectors.unread_count(user=request.user, organization=request.org)  # type: ignore[arg-type,attr-defined]


# preferences


@org_page
def notify_settings(request: HttpRequest) -> HttpResponse:
    org, user = request.org, request.user  # type: ignore[attr-defined]
    if request.method == "POST":
        table = {
            kind: Choice(
                inbox=request.POST.get(f"inbox:{kind}") == "on",
                email=request.POST.get(f"email:{kind}") == "on",
            )
            for kind in EventKind.values
        }
        services.preferences_save(organization=org, user=user, table=table)  # type: ignore[arg-type]
        messages.success(request, _("Saved."))
        return redirect("web:notify-settings", org=org.slug)
    table = table_for(organization_id=org.pk, user_id=user.pk)
    rows = [
        {"kind": kind, "label": label, "choice": table[kind]} for kind, label in EventKind.choices
    ]
    return render(request, "web/notify/settings.html", {"nav": "inbox", "rows": rows})


# channels (administration)


def _channel_or_404(request: HttpRequest, pk: int) -> Channel:
    channel = selectors.channel_get(organization=request.org, channel_id=pk)  # type: ignore[attr-defined]
    if channel is None:
        raise Http404
    return channel


def _saved_or_errors(form: ChannelForm, service, **arguments) -> bool:  # type: ignore[no-untyped-def]
    try:
        service(**arguments)
    except ValidationError as exc:
        apply_errors(form, exc)
        return False
    except PermissionDenied as exc:
        form.add_error(None, str(exc) or _("You may not do this."))
        return False
    return True


@admin_page
def channels_admin(request: HttpRequest) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    units = units_in_tree(org)
    form = ChannelForm(request.POST or None, units=units)
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved_or_errors(
            form,
            services.channel_create,
            organization=org,
            actor=request.user,
            **form.changes(),
        )
    ):
        messages.success(request, _("Channel added."))
        return redirect("web:settings-channels", org=org.slug)
    channels = list(selectors.channel_list(organization=org))
    last = selectors.last_deliveries(channels=channels)
    labels = dict(EventKind.choices)
    rows = [
        {"channel": c, "last": last.get(c.pk), "events": [labels.get(e, e) for e in c.events]}
        for c in channels
    ]
    context = {"form": form, "rows": rows}
    return render_admin(request, "web/notify/channels.html", "channels", context)


@admin_page
def channel_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    channel = _channel_or_404(request, pk)
    form = ChannelForm(
        request.POST or None,
        units=units_in_tree(org),
        editing=True,
        initial=ChannelForm.initial_for(channel),
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved_or_errors(
            form,
            services.channel_update,
            channel=_channel_or_404(request, pk),  # a fresh copy: a refused change leaks nowhere
            actor=request.user,
            **form.changes(),
        )
    ):
        messages.success(request, _("Saved."))
        return redirect("web:settings-channel", org=org.slug, pk=pk)
    log = list(selectors.delivery_log(channel=channel)[:LOG_SIZE])
    context = {"form": form, "channel": channel, "log": log, "failed": DeliveryStatus.FAILED}
    return render_admin(request, "web/notify/channel_edit.html", "channels", context)


@admin_page
@require_POST
def channel_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    channel = _channel_or_404(request, pk)
    services.channel_update(channel=channel, actor=request.user, enabled=not channel.enabled)  # type: ignore[arg-type]
    messages.success(request, _("Channel enabled.") if channel.enabled else _("Channel disabled."))
    return redirect("web:settings-channels", org=request.org.slug)  # type: ignore[attr-defined]


@admin_page
@require_POST
def channel_delete(request: HttpRequest, pk: int) -> HttpResponse:
    channel = _channel_or_404(request, pk)
    services.channel_delete(channel=channel, actor=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Channel deleted."))
    return redirect("web:settings-channels", org=request.org.slug)  # type: ignore[attr-defined]


@admin_page
@require_POST
def channel_test(request: HttpRequest, pk: int) -> HttpResponse:
    channel = _channel_or_404(request, pk)
    delivery = services.channel_send_test(channel=channel, actor=request.user)  # type: ignore[arg-type]
    if delivery.status == DeliveryStatus.DELIVERED:
        messages.success(request, _("Test message delivered."))
    else:
        messages.error(
            request, _("The test message failed: %(error)s") % {"error": delivery.last_error}
        )
    return redirect("web:settings-channel", org=request.org.slug, pk=pk)  # type: ignore[attr-defined]
