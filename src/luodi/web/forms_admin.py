"""Forms of the administration pages. They parse and offer choices; services decide."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from luodi.orgs.choices import CycleState, PolicyMode, Role, ThemeKind, UnitKind
from luodi.orgs.models import Cycle, Membership, Organization, Theme, Unit

# Common IANA zones, grouped by region; an organization's current zone is always offered.
TIMEZONES: dict[str, tuple[str, ...]] = {
    "Asia": (
        "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Asia/Tokyo",
        "Asia/Seoul", "Asia/Bangkok", "Asia/Jakarta", "Asia/Kolkata", "Asia/Dubai",
    ),
    "UTC": ("UTC",),
    "Europe": (
        "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin",
        "Europe/Amsterdam", "Europe/Brussels", "Europe/Madrid", "Europe/Rome", "Europe/Zurich",
        "Europe/Vienna", "Europe/Stockholm", "Europe/Warsaw", "Europe/Prague", "Europe/Athens",
        "Europe/Helsinki", "Europe/Istanbul", "Europe/Moscow",
    ),
    "America": (
        "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
        "America/Los_Angeles", "America/Anchorage", "America/Toronto", "America/Vancouver",
        "America/Mexico_City", "America/Bogota", "America/Lima", "America/Santiago",
        "America/Sao_Paulo", "America/Argentina/Buenos_Aires",
    ),
    "Africa": ("Africa/Cairo", "Africa/Lagos", "Africa/Nairobi", "Africa/Johannesburg"),
    "Oceania": ("Australia/Perth", "Australia/Sydney", "Pacific/Auckland"),
}  # fmt: skip

NONE_CHOICE = ("", "—")


def timezone_choices(current: str = "") -> list:
    groups: list = [(region, [(z, z) for z in zones]) for region, zones in TIMEZONES.items()]
    known = {z for zones in TIMEZONES.values() for z in zones}
    if current and current not in known:
        groups.insert(0, (current, [(current, current)]))
    return groups


def _optional_id(label: str, choices: Sequence[tuple[object, str]]) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[NONE_CHOICE, *choices],
        coerce=int,
        empty_value=None,
        required=False,
    )


def member_choices(memberships: Iterable[Membership]) -> list[tuple[int, str]]:
    return [(m.user_id, m.user.display_name) for m in memberships]


def unit_choices(units: Iterable[Unit], exclude: set[int] = frozenset()) -> list[tuple[int, str]]:
    """Units indented by depth (units fetched with tree fields)."""
    indent = "\u2003"  # an em space per level
    return [
        (u.pk, indent * getattr(u, "tree_depth", 0) + u.name) for u in units if u.pk not in exclude
    ]


def role_choices(actor_role: str) -> list[tuple[str, str]]:
    """Owners may hand out every role; admins every role but owner."""
    return [(v, label) for v, label in Role.choices if actor_role == Role.OWNER or v != Role.OWNER]


class OrganizationSettingsForm(forms.Form):
    name = forms.CharField(label=_("Organization name"), max_length=200)
    locale = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        help_text=_("Used for invitations and notifications."),
    )
    timezone = forms.ChoiceField(label=_("Time zone"))
    checkin_weekday = forms.TypedChoiceField(
        label=_("Check-in day"),
        choices=sorted(WEEKDAYS.items()),
        coerce=int,
        help_text=_("The day people are reminded to check in."),
    )
    status_tolerance = forms.DecimalField(
        label=_("Status tolerance"),
        max_digits=4,
        decimal_places=3,
        help_text=_(
            "How far behind the expected progress a key result may be and still be on "
            "track: 0.10 means 10 percentage points. Between 0 and 0.5."
        ),
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )
    policy_mode = forms.ChoiceField(
        label=_("When the recommended numbers are not met"),
        choices=PolicyMode.choices,
        widget=forms.RadioSelect,
    )
    # Shown in pairs under "Objectives per owner" and "Key results per objective".
    policy_objectives_min = forms.IntegerField(label=_("At least"))
    policy_objectives_max = forms.IntegerField(label=_("At most"))
    policy_key_results_min = forms.IntegerField(label=_("At least"))
    policy_key_results_max = forms.IntegerField(label=_("At most"))
    requires_approval = forms.BooleanField(
        label=_("Members' new objectives need approval"),
        required=False,
        help_text=_("They start as drafts until their unit's leader or an admin approves them."),
    )

    def __init__(self, *args: object, organization: Organization, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["timezone"].choices = timezone_choices(organization.timezone)
        for name in (
            "policy_objectives_min",
            "policy_objectives_max",
            "policy_key_results_min",
            "policy_key_results_max",
        ):
            self.fields[name].widget.attrs.update(min="0", max="50")

    @staticmethod
    def initial_for(organization: Organization) -> dict:
        from luodi.orgs.services import ORG_SETTINGS_FIELDS

        initial = {field: getattr(organization, field) for field in ORG_SETTINGS_FIELDS}
        tolerance = organization.status_tolerance
        if tolerance == tolerance.quantize(Decimal("0.01")):
            initial["status_tolerance"] = tolerance.quantize(Decimal("0.01"))  # 0.10, not 0.100
        return initial


class UnitForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)

    def __init__(
        self,
        *args: object,
        units: Iterable[Unit],
        memberships: Iterable[Membership],
        exclude: set[int] = frozenset(),
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["parent_id"] = _optional_id(_("Inside"), unit_choices(units, exclude))
        self.fields["leader_id"] = _optional_id(_("Leader"), member_choices(memberships))

    @staticmethod
    def initial_for(unit: Unit) -> dict:
        return {
            "name": unit.name,
            "kind": unit.kind,
            "parent_id": unit.parent_id,
            "leader_id": unit.leader_id,
        }


class MemberForm(forms.Form):
    def __init__(
        self,
        *args: object,
        actor_role: str,
        units: Iterable[Unit],
        memberships: Iterable[Membership],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["role"] = forms.ChoiceField(label=_("Role"), choices=role_choices(actor_role))
        self.fields["unit_id"] = _optional_id(_("Unit"), unit_choices(units))
        self.fields["manager_id"] = _optional_id(_("Manager"), member_choices(memberships))


class InvitationForm(MemberForm):
    email = forms.EmailField(label=_("Email"), max_length=254)
    name = forms.CharField(label=_("Name"), max_length=150, required=False)
    field_order = ("email", "name", "role", "unit_id", "manager_id")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.order_fields(self.field_order)
        self.fields["role"].initial = Role.MEMBER


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class CycleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("For example 2026 Q4."))
    start_date = forms.DateField(label=_("Starts"), widget=DateInput())
    end_date = forms.DateField(label=_("Ends"), widget=DateInput())
    state = forms.ChoiceField(label=_("State"), choices=CycleState.choices)

    @staticmethod
    def initial_for(cycle: Cycle) -> dict:
        return {
            "name": cycle.name,
            "start_date": cycle.start_date,
            "end_date": cycle.end_date,
            "state": cycle.state,
        }


class ThemeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=ThemeKind.choices, initial=ThemeKind.MID_TERM)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    @staticmethod
    def initial_for(theme: Theme) -> dict:
        return {"title": theme.title, "kind": theme.kind, "description": theme.description}
