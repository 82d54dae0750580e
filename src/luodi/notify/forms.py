"""Forms of the notification pages. They parse and offer choices; the services decide."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from luodi.notify.events import EventKind
from luodi.notify.models import Channel, ChannelKind
from luodi.orgs.models import Unit


class ChannelForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=ChannelKind.choices)
    url = forms.CharField(
        label=_("Webhook URL"),
        max_length=500,
        help_text=_("The address the bot or endpoint gave you (https)."),
    )
    secret = forms.CharField(
        label=_("Secret"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "The bot's signing secret (Feishu, DingTalk) or your webhook secret. "
            "It is never shown again."
        ),
    )
    unit_id = forms.TypedChoiceField(
        label=_("Unit"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Empty: the whole organization. A unit: events of that unit and below."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=EventKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    def __init__(self, *args: Any, units: Iterable[Unit], editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["unit_id"].choices = [("", _("Whole organization"))] + [
            (u.pk, u.name) for u in units
        ]
        if editing:
            self.fields["secret"].help_text = _(
                "Leave empty to keep the current secret. It is never shown again."
            )
            self.fields["clear_secret"] = forms.BooleanField(
                label=_("Remove the secret"), required=False
            )

    @staticmethod
    def initial_for(channel: Channel) -> dict[str, Any]:
        return {
            "name": channel.name,
            "kind": channel.kind,
            "url": channel.url,
            "unit_id": channel.unit_id,
            "events": list(channel.events),
            "enabled": channel.enabled,
        }

    def changes(self) -> dict[str, Any]:
        """The service's arguments: the secret only when typed (or removed)."""
        data = dict(self.cleaned_data)
        clear = data.pop("clear_secret", False)
        if clear:
            data["secret"] = ""
        elif not data.get("secret"):
            data["secret"] = None
        return data
