"""One key result's check-in as a form: the weekly page shows one per row, the objective
page one per dialog. The form only parses; `checkin_submit` decides."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from luodi.okrs.choices import KeyResultKind
from luodi.okrs.models import KeyResult

VALUE_KINDS = (KeyResultKind.METRIC, KeyResultKind.PERCENTAGE, KeyResultKind.THRESHOLD)
CONFIDENCE_ERROR = _("Confidence is a whole number from 0 to 10.")
NOTE_PLACEHOLDER = _("Progress, blockers, next steps")
# Field names the check-in service reports errors under → the form field showing them.
SERVICE_FIELDS = {
    "value": "value",
    "done": "done",
    "milestone_ids_done": "milestones",
    "confidence": "confidence",
    "note": "note",
}


def value_text(number: Decimal | None) -> str:
    """A decimal as the number input shows it: 12.500000 → "12.5"."""
    if number is None:
        return ""
    return format(number.normalize(), "f")


class CheckinForm(forms.Form):
    """Fields depend on the key result's kind.

    `bulk=True` (the weekly page): every field keeps its initial value in a hidden input,
    so `has_changed()` tells an untouched row from a touched one against what the person
    saw, and a value is required only once the row is touched.
    """

    confidence = forms.IntegerField(
        label=_("Confidence"),
        required=False,
        min_value=0,
        max_value=10,
        error_messages={
            "invalid": CONFIDENCE_ERROR,
            "min_value": CONFIDENCE_ERROR,
            "max_value": CONFIDENCE_ERROR,
        },
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 1, "placeholder": NOTE_PLACEHOLDER}),
    )

    def __init__(self, *args: Any, key_result: KeyResult, bulk: bool = False, **kwargs: Any):
        kr = key_result
        kwargs.setdefault("initial", initial_for(kr))
        super().__init__(*args, **kwargs)
        self.key_result = kr
        self.bulk = bulk
        if kr.kind in VALUE_KINDS:
            self.fields["value"] = forms.DecimalField(
                label=_("New value"),
                required=False,
                max_digits=24,
                decimal_places=6,
                widget=forms.NumberInput(
                    attrs={"step": "any", "inputmode": "decimal", "class": "ci-value"}
                ),
                error_messages={"invalid": _("Enter a number.")},
            )
            self.order_fields(["value"])
        elif kr.kind == KeyResultKind.MILESTONE:
            self.fields["milestones"] = forms.TypedMultipleChoiceField(
                label=_("Milestones done"),
                required=False,
                coerce=int,
                choices=[(m.pk, m.title) for m in kr.milestones.all()],
                widget=forms.CheckboxSelectMultiple,
            )
            self.order_fields(["milestones"])
        elif kr.kind == KeyResultKind.BOOLEAN:
            self.fields["done"] = forms.BooleanField(label=_("Done"), required=False)
            self.order_fields(["done"])
        for field in self.fields.values():
            field.show_hidden_initial = bulk
            if bulk:  # each input's description names its key result
                field.widget.attrs["aria-describedby"] = f"ci-title-{kr.pk}"
        self.fields["confidence"].widget.attrs.update(
            {"class": "ci-confidence", "inputmode": "numeric", "step": "1"}
        )
        self.fields["note"].widget.attrs["class"] = "ci-note"

    @property
    def value_field(self) -> forms.BoundField | None:
        """The field that carries the new measurement (value, milestones or done)."""
        for name in ("value", "milestones", "done"):
            if name in self.fields:
                return self[name]
        return None

    @property
    def milestones_initial(self) -> str:
        """The hidden initial of the milestone checkboxes, which templates draw one by one."""
        if not self.bulk or "milestones" not in self.fields:
            return ""
        return self["milestones"].as_hidden(only_initial=True)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "value" in self.fields and "value" not in self.errors:
            must = not self.bulk or self.has_changed()
            if must and cleaned.get("value") is None:
                self.add_error("value", gettext("Enter the new value."))
        return cleaned

    def service_kwargs(self) -> dict[str, Any]:
        """Arguments for checkin_submit from the cleaned data."""
        data = self.cleaned_data
        kwargs: dict[str, Any] = {
            "confidence": data.get("confidence"),
            "note": data.get("note") or "",
        }
        if "value" in self.fields:
            kwargs["value"] = data.get("value")
        elif "milestones" in self.fields:
            kwargs["milestone_ids_done"] = list(data.get("milestones") or [])
        elif "done" in self.fields:
            kwargs["done"] = bool(data.get("done"))
        return kwargs

    def add_service_error(self, error: ValidationError) -> None:
        """Show a service's field errors beside the fields; the rest above the row."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for name, messages in error.message_dict.items():
            field = SERVICE_FIELDS.get(name)
            self.add_error(field if field in self.fields else None, messages)


def initial_for(kr: KeyResult) -> dict[str, Any]:
    """What the form shows before anyone types: the key result as it stands."""
    initial: dict[str, Any] = {"confidence": kr.last_confidence, "note": ""}
    if kr.kind in VALUE_KINDS:
        initial["value"] = value_text(kr.current)
    elif kr.kind == KeyResultKind.MILESTONE:
        initial["milestones"] = [m.pk for m in kr.milestones.all() if m.done]
    elif kr.kind == KeyResultKind.BOOLEAN:
        initial["done"] = kr.current is not None and kr.current >= 1
    return initial
