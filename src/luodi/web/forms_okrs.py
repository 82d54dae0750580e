"""Forms for objectives and key results.

The forms only parse what the page posts (types, required fields, list rows); the services
decide everything else and raise field errors, which `apply_service_errors` puts beside the
right field or row. Repeating rows (alignments, milestones, phased targets) are posted as
`<prefix>-<n>-<name>`; gaps in n are fine (rows removed in the browser).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext_lazy

from luodi.accounts.models import User
from luodi.okrs.choices import (
    AlignmentType,
    KeyResultKind,
    KeyResultState,
    Level,
    ObjectiveState,
    Visibility,
)
from luodi.orgs.models import Cycle, Membership, Theme, Unit

POLICY_CODES = ("too_many_objectives", "too_many_key_results")
MAX_ROWS = 60
ROW_KEY = re.compile(r"^(?P<prefix>[a-z]+)-(?P<n>\d{1,4})-(?P<name>[a-z_]+)$")
INDEXED_KEY = re.compile(r"^(?P<name>\w+)\[(?P<i>\d+)\](?:\.(?P<part>\w+))?$")


# --- repeating rows ------------------------------------------------------------------------


def posted_rows(data: Mapping[str, Any], prefix: str) -> list[dict[str, str]]:
    """Rows `prefix-n-name` from posted data, in n order, each with its n as "n"."""
    rows: dict[int, dict[str, str]] = {}
    for key in data:
        match = ROW_KEY.match(key)
        if match and match["prefix"] == prefix:
            n = int(match["n"])
            rows.setdefault(n, {"n": str(n)})[match["name"]] = (data.get(key) or "").strip()
    return [rows[n] for n in sorted(rows)][:MAX_ROWS]


def posted_action(data: Mapping[str, Any]) -> tuple[str, str, int | None]:
    """The `_action` button pressed without JavaScript: ("add"|"remove"|"search", prefix, n)."""
    raw = (data.get("_action") or "").strip()
    parts = raw.split(":")
    if parts[0] == "add" and len(parts) == 2:
        return "add", parts[1], None
    if parts[0] == "remove" and len(parts) == 3 and parts[2].isdecimal():
        return "remove", parts[1], int(parts[2])
    if parts[0] == "search":
        return "search", "al", None
    return "", "", None


def next_index(rows: Sequence[Any]) -> int:
    return max((row.n for row in rows), default=-1) + 1


@dataclass
class Row:
    """One repeating row as the template shows it, with its errors."""

    n: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    info: Any = None  # what the page shows about the row (an alignment's parent)

    def __getattr__(self, name: str) -> str:  # row.title, row.weight … in templates
        try:
            return self.__dict__["values"].get(name, "")
        except KeyError as exc:  # during unpickling/copy
            raise AttributeError(name) from exc


def rows_of(data: Mapping[str, Any], prefix: str) -> list[Row]:
    return [Row(int(r.pop("n")), r) for r in posted_rows(data, prefix)]


def apply_row_action(rows: list[Row], data: Mapping[str, Any], prefix: str, blank: dict) -> bool:
    """Apply an add/remove button pressed without JavaScript; True when one was pressed."""
    action, target, n = posted_action(data)
    if target != prefix or action not in ("add", "remove"):
        return False
    if action == "remove":
        rows[:] = [row for row in rows if row.n != n]
    else:
        rows.append(Row(next_index(rows), dict(blank)))
    return True


# --- alignment rows ------------------------------------------------------------------------


def parent_ref(value: str) -> tuple[str, int] | None:
    """ "o12" → ("o", 12), "k34" → ("k", 34); anything else None."""
    if len(value) > 1 and value[0] in "ok" and value[1:].isdecimal():
        return value[0], int(value[1:])
    return None


def alignment_rows_from_links(links: Iterable[Any]) -> list[Row]:
    rows = []
    for n, link in enumerate(links):
        ref = (
            f"o{link.parent_objective_id}"
            if link.parent_objective_id
            else f"k{link.parent_key_result_id}"
        )
        rows.append(Row(n, {"parent": ref, "type": link.type, "weight": _number_text(link.weight)}))
    return rows


def alignment_payload(rows: list[Row]) -> tuple[list[dict], list[Row]]:
    """The service's alignment list and the rows it came from (same order), or row errors.

    Rows with an unknown parent reference are dropped (they cannot come from the page).
    """
    specs, used = [], []
    for row in rows:
        ref = parent_ref(row.parent)
        if ref is None:
            continue
        weight = _decimal(row.weight or "1")
        if weight is None or weight < 0:
            row.errors.append(_("Enter a weight of zero or more."))
        spec = {
            "parent_objective_id" if ref[0] == "o" else "parent_key_result_id": ref[1],
            "type": row.type if row.type in AlignmentType.values else AlignmentType.CONTRIBUTES,
            "weight": weight if weight is not None else Decimal(1),
        }
        specs.append(spec)
        used.append(row)
    return specs, used


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def _number_text(value: Decimal | None) -> str:
    if value is None:
        return ""
    normalized = value.normalize()
    if normalized == normalized.to_integral():
        normalized = normalized.quantize(Decimal(1))
    return format(normalized, "f")


# --- choices from the organization ---------------------------------------------------------


@dataclass
class OrgChoices:
    cycles: list[Cycle]
    units: list[Unit]
    members: list[Membership]
    themes: list[Theme]

    def member_choices(self) -> list[tuple[Any, str]]:
        return [(m.user_id, m.user.display_name) for m in self.members]

    def unit_choices(self) -> list[tuple[Any, str]]:
        return [(u.pk, u.name) for u in self.units]


def _blank(label: str) -> list[tuple[str, str]]:
    return [("", label)]


# --- objective -----------------------------------------------------------------------------


class ObjectiveForm(forms.Form):
    cycle = forms.TypedChoiceField(label=_lazy("Cycle"), coerce=int)
    title = forms.CharField(label=_lazy("Objective"), max_length=300)
    description = forms.CharField(
        label=_lazy("Description"), required=False, max_length=10000, widget=forms.Textarea
    )
    level = forms.ChoiceField(label=_lazy("Level"), choices=Level.choices, widget=forms.RadioSelect)
    unit = forms.TypedChoiceField(label=_lazy("Unit"), coerce=int, required=False, empty_value=None)
    owner = forms.TypedChoiceField(
        label=pgettext_lazy("person responsible", "Owner"),
        coerce=int,
        required=False,
        empty_value=None,
    )
    weight = forms.DecimalField(
        label=_lazy("Weight"), min_value=0, max_digits=12, decimal_places=4, initial=1
    )
    visibility = forms.ChoiceField(
        label=_lazy("Who can see it"), choices=Visibility.choices, widget=forms.RadioSelect
    )
    themes = forms.TypedMultipleChoiceField(
        label=_lazy("Strategic themes"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    state = forms.ChoiceField(label=_lazy("State"), choices=ObjectiveState.choices)
    reason = forms.CharField(
        label=_lazy("Reason for the change"), required=False, max_length=2000, widget=forms.Textarea
    )

    # service field → form field
    FIELD_MAP = {
        "cycle_id": "cycle",
        "unit_id": "unit",
        "owner_id": "owner",
        "theme_ids": "themes",
        "alignments": "__alignments__",
    }

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        choices: OrgChoices,
        editing: bool,
        state_choices: Sequence[tuple[str, Any]] = (),
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=initial, prefix=None)
        self.editing = editing
        self.alignment_errors: list[str] = []
        open_cycles = [c for c in choices.cycles if c.state != "closed"]
        self.fields["cycle"].choices = [(c.pk, c.name) for c in open_cycles]
        self.fields["unit"].choices = _blank(_("— none —")) + choices.unit_choices()
        self.fields["owner"].choices = _blank(_("— nobody —")) + choices.member_choices()
        self.fields["themes"].choices = [(t.pk, t.title) for t in choices.themes]
        self.fields["description"].widget.attrs["rows"] = 3
        self.fields["reason"].widget.attrs["rows"] = 2
        self.fields["title"].widget.attrs.update(
            placeholder=_("What do you want to achieve? e.g. Delight our first 100 customers"),
            autocomplete="off",
        )
        self.fields["weight"].widget.attrs.update(step="any", min="0", inputmode="decimal")
        if editing:
            del self.fields["cycle"]
            self.fields["state"].choices = list(state_choices)
        else:
            del self.fields["state"]
            del self.fields["reason"]

    def service_fields(self, alignments: list[dict]) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {
            "title": data["title"],
            "description": data["description"],
            "level": data["level"],
            "unit_id": data["unit"],
            "owner_id": data["owner"],
            "weight": data["weight"],
            "visibility": data["visibility"],
            "theme_ids": list(data["themes"]),
            "alignments": alignments,
        }
        if not self.editing:
            fields["cycle_id"] = data["cycle"]
        else:
            fields["state"] = data["state"]
        return fields


def objective_changes(fields: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    """Only what differs from the objective as it was (PATCH semantics)."""
    changes = {}
    for name, value in fields.items():
        old = before.get(name)
        if name == "alignments":
            if _specs_key(value) != _specs_key(old or []):
                changes[name] = value
        elif name == "theme_ids":
            if sorted(value) != sorted(old or []):
                changes[name] = value
        elif value != old:
            changes[name] = value
    return changes


def _specs_key(specs: Iterable[dict]) -> list[tuple]:
    return [
        (
            s.get("parent_objective_id"),
            s.get("parent_key_result_id"),
            s.get("type"),
            Decimal(str(s.get("weight", 1))),
        )
        for s in specs
    ]


# --- key result ----------------------------------------------------------------------------


METRIC_KINDS = (KeyResultKind.METRIC, KeyResultKind.PERCENTAGE)
VALUE_KINDS = (*METRIC_KINDS, KeyResultKind.THRESHOLD)


class KeyResultForm(forms.Form):
    title = forms.CharField(label=_lazy("Key result"), max_length=300)
    kind = forms.ChoiceField(label=_lazy("How it is measured"), choices=KeyResultKind.choices)
    start = forms.CharField(label=_lazy("Start value"), required=False, max_length=40)
    target = forms.CharField(label=_lazy("Target value"), required=False, max_length=40)
    unit = forms.CharField(label=_lazy("Unit of measure"), required=False, max_length=30)
    direction = forms.ChoiceField(
        label=_lazy("Direction"),
        required=False,
        choices=[
            ("", _lazy("From start and target")),
            ("increase", _lazy("Higher is better")),
            ("decrease", _lazy("Lower is better")),
        ],
    )
    threshold_direction = forms.ChoiceField(
        label=_lazy("Condition"),
        required=False,
        choices=[
            ("at_least", _lazy("Stay at or above")),
            ("at_most", _lazy("Stay at or below")),
        ],
    )
    weight = forms.DecimalField(
        label=_lazy("Weight"), min_value=0, max_digits=12, decimal_places=4, initial=1
    )
    owner = forms.TypedChoiceField(
        label=pgettext_lazy("person responsible", "Owner"),
        coerce=int,
        required=False,
        empty_value=None,
    )
    contributors = forms.TypedMultipleChoiceField(
        label=_lazy("Contributors"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    start_date = forms.DateField(
        label=_lazy("Start date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    due_date = forms.DateField(
        label=_lazy("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    state = forms.ChoiceField(label=_lazy("State"), choices=KeyResultState.choices)
    reason = forms.CharField(
        label=_lazy("Why does the start or target change?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    FIELD_MAP = {
        "owner_id": "owner",
        "contributor_ids": "contributors",
        "measure_unit": "unit",
        "milestones": "__milestones__",
        "phases": "__phases__",
    }

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        choices: OrgChoices,
        editing: bool,
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        self.editing = editing
        self.milestone_errors: list[str] = []
        self.phase_errors: list[str] = []
        self.fields["owner"].choices = _blank(_("— objective owner —")) + (choices.member_choices())
        self.fields["contributors"].choices = choices.member_choices()
        self.fields["title"].widget.attrs.update(
            placeholder=_("A measurable result, e.g. NPS from 20 to 40"), autocomplete="off"
        )
        for name in ("start", "target"):
            self.fields[name].widget.attrs.update(inputmode="decimal", autocomplete="off")
        self.fields["unit"].widget.attrs["placeholder"] = _("e.g. users, ¥, %")
        self.fields["weight"].widget.attrs.update(step="any", min="0", inputmode="decimal")
        if not editing:
            del self.fields["state"]

    def clean(self) -> dict[str, Any]:
        """Surface the values a kind cannot do without together with the other field errors
        (the service checks them too, and everything else)."""
        data = super().clean()
        kind = data.get("kind")
        if kind == KeyResultKind.METRIC:
            if not data.get("start"):
                self.add_error("start", _("A metric needs a start value."))
            if not data.get("target"):
                self.add_error("target", _("A metric needs a target value."))
        if kind == KeyResultKind.THRESHOLD and not data.get("target"):
            self.add_error("target", _("A threshold needs a level to stay at or beyond."))
        return data

    def direction_field(self) -> str:
        return "threshold_direction" if self.data.get("kind") == "threshold" else "direction"

    def service_fields(
        self, milestones: list[Row], phases: list[Row]
    ) -> tuple[dict[str, Any], list[Row], list[Row]]:
        """Fields for key_result_create/update, normalized to the kind, and the milestone
        and phase rows in the order the service sees them (for its indexed errors)."""
        data = self.cleaned_data
        kind = data["kind"]
        fields: dict[str, Any] = {
            "title": data["title"],
            "kind": kind,
            "weight": data["weight"],
            "owner_id": data["owner"],
            "contributor_ids": list(data["contributors"]),
            "start_date": data["start_date"],
            "due_date": data["due_date"],
            "start": None,
            "target": None,
            "unit": "",
            "direction": "",
            "phases": [],
            "milestones": [],
        }
        if "state" in data:
            fields["state"] = data["state"]
        used_milestones: list[Row] = []
        used_phases: list[Row] = []
        if kind in VALUE_KINDS:
            fields["target"] = data["target"] or None
            fields["unit"] = data["unit"]
        if kind in METRIC_KINDS:
            fields["start"] = data["start"] or None
            fields["direction"] = data["direction"]
            used_phases = [row for row in phases if row.date or row.target]
            fields["phases"] = [{"date": row.date, "target": row.target} for row in used_phases]
        if kind == KeyResultKind.THRESHOLD:
            fields["direction"] = data["threshold_direction"] or "at_least"
        if kind == KeyResultKind.MILESTONE:
            used_milestones = [row for row in milestones if row.title]
            fields["milestones"] = [
                {
                    "id": int(row.id) if row.id.isdecimal() else None,
                    "title": row.title,
                    "weight": row.weight or "1",
                }
                for row in used_milestones
            ]
        return fields, used_milestones, used_phases


def key_result_initial(kr: Any) -> dict[str, Any]:
    """Form values of a saved key result."""
    is_threshold = kr.kind == KeyResultKind.THRESHOLD
    return {
        "title": kr.title,
        "kind": kr.kind,
        "start": _number_text(kr.start),
        "target": _number_text(kr.target),
        "unit": kr.measure_unit,
        # a metric's direction follows from start and target unless they are equal
        "direction": kr.direction if kr.kind in METRIC_KINDS and kr.start == kr.target else "",
        "threshold_direction": kr.direction if is_threshold else "at_least",
        "weight": _number_text(kr.weight),
        "owner": kr.owner_id,
        "contributors": [link.user_id for link in getattr(kr, "contributor_links", [])],
        "start_date": kr.start_date,
        "due_date": kr.due_date,
        "state": kr.state,
    }


def milestone_rows_of(kr: Any) -> list[Row]:
    return [
        Row(n, {"id": str(m.pk), "title": m.title, "weight": _number_text(m.weight)})
        for n, m in enumerate(kr.milestones.all())
    ]


def phase_rows_of(kr: Any) -> list[Row]:
    return [
        Row(n, {"date": p.date.isoformat(), "target": _number_text(p.target)})
        for n, p in enumerate(kr.phases.all())
    ]


def mark_invalid(form: forms.Form) -> None:
    """aria-invalid and aria-describedby on the inputs that have errors."""
    if not form.is_bound:
        return
    for name in form.errors:
        if name in form.fields:
            form.fields[name].widget.attrs.update(
                {"aria-invalid": "true", "aria-describedby": f"{form[name].auto_id}-error"}
            )


# --- errors from the services --------------------------------------------------------------


def apply_service_errors(
    form: forms.Form,
    exc: ValidationError,
    rows: Mapping[str, list[Row]],
    *,
    field_map: Mapping[str, str],
    list_errors: Mapping[str, list[str]],
) -> None:
    """Put each service error beside its field or row; unknown keys above the form.

    `rows` maps a list field of the service ("alignments", "milestones", "phases") to the
    rows it came from, in order; `list_errors` to where errors about the whole list go.
    """
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for key, errors in exc.error_dict.items():
        for error in errors:
            message = " ".join(str(m) for m in error.messages)
            _place_error(form, key, message, error.code, rows, field_map, list_errors)


def _place_error(
    form: forms.Form,
    key: str,
    message: str,
    code: str | None,
    rows: Mapping[str, list[Row]],
    field_map: Mapping[str, str],
    list_errors: Mapping[str, list[str]],
) -> None:
    if code in POLICY_CODES:
        form.add_error(
            None, _("The organization's OKR policy refuses this: %(reason)s") % {"reason": message}
        )
        return
    indexed = INDEXED_KEY.match(key)
    if indexed and indexed["name"] in rows:
        index = int(indexed["i"])
        listed = rows[indexed["name"]]
        if index < len(listed):
            listed[index].errors.append(message)
            return
        key = indexed["name"]
    name = field_map.get(key, key)
    if name in list_errors:
        list_errors[name].append(message)
    elif name in form.fields:
        form.add_error(name, message)
    else:
        form.add_error(None, message)


def members_with_users(members: Iterable[Membership]) -> list[Membership]:
    return sorted(members, key=lambda m: (m.user.display_name.lower(), m.user_id))


def users_named(members: Iterable[Membership]) -> dict[int, User]:
    return {m.user_id: m.user for m in members}
