"""Writes to organizations, members, units, themes and cycles. One transaction each."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from luodi.accounts.models import User
from luodi.core.validation import full_clean_or_raise
from luodi.orgs.choices import CycleState, Role, UnitKind
from luodi.orgs.models import Cycle, Membership, Organization, Theme, Unit
from luodi.orgs.permissions import require_admin

ORG_SETTINGS_FIELDS = (
    "name",
    "locale",
    "timezone",
    "checkin_weekday",
    "status_tolerance",
    "policy_mode",
    "policy_objectives_min",
    "policy_objectives_max",
    "policy_key_results_min",
    "policy_key_results_max",
    "requires_approval",
)


@transaction.atomic
def organization_create(*, name: str, slug: str, owner: User) -> Organization:
    slug = (slug or "").strip().lower()
    if Organization.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": [_("This slug is already taken.")]})
    org = Organization(name=(name or "").strip(), slug=slug)
    full_clean_or_raise(org)
    org.save()
    Membership.objects.create(organization=org, user=owner, role=Role.OWNER)
    return org


@transaction.atomic
def organization_update(*, organization: Organization, actor: User, **changes: Any) -> Organization:
    require_admin(organization, actor)
    unknown = set(changes) - set(ORG_SETTINGS_FIELDS)
    if unknown:
        raise ValidationError({field: [_("This field cannot be changed.")] for field in unknown})
    for field, value in changes.items():
        setattr(organization, field, value)
    full_clean_or_raise(organization, exclude=["slug"])
    _check_settings(organization)
    if organization.policy_objectives_min > organization.policy_objectives_max:
        raise ValidationError({"policy_objectives_min": [_("Minimum is above maximum.")]})
    if organization.policy_key_results_min > organization.policy_key_results_max:
        raise ValidationError({"policy_key_results_min": [_("Minimum is above maximum.")]})
    organization.save()
    return organization


POLICY_COUNT_FIELDS = (
    "policy_objectives_min",
    "policy_objectives_max",
    "policy_key_results_min",
    "policy_key_results_max",
)
POLICY_COUNT_MAX = 100


def _check_settings(organization: Organization) -> None:
    for field in POLICY_COUNT_FIELDS:
        if not 0 <= getattr(organization, field) <= POLICY_COUNT_MAX:
            raise ValidationError({field: [_("Use a whole number from 0 to 100.")]})
    if organization.locale not in dict(settings.LANGUAGES):
        raise ValidationError({"locale": [_("Unknown language.")]})
    try:
        ZoneInfo(organization.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError({"timezone": [_("Unknown time zone.")]}) from None


def _member_of(organization: Organization, user_id: int | None, field: str) -> User | None:
    if user_id is None:
        return None
    membership = (
        Membership.objects.filter(organization=organization, user_id=user_id)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise ValidationError({field: [_("No such member in this organization.")]})
    return membership.user


def _unit_of(
    organization: Organization, unit_id: int | None, field: str = "unit_id"
) -> Unit | None:
    if unit_id is None:
        return None
    unit = Unit.objects.filter(organization=organization, pk=unit_id).first()
    if unit is None:
        raise ValidationError({field: [_("No such unit in this organization.")]})
    return unit


@transaction.atomic
def member_add(
    *,
    organization: Organization,
    actor: User | None,
    email: str,
    name: str = "",
    role: str = Role.MEMBER,
    unit: Unit | None = None,
    manager: User | None = None,
    password: str | None = None,
    unit_id: int | None = None,
    manager_id: int | None = None,
) -> Membership:
    """Add a person to the organization, creating their account when it does not exist.

    The unit and the manager may be given as objects or, from the API, as ids.
    """
    if actor is not None:
        require_admin(organization, actor)
    if unit_id is not None:
        unit = _unit_of(organization, unit_id)
    if manager_id is not None:
        manager = _member_of(organization, manager_id, "manager_id")
    email = (email or "").strip().lower()
    errors: dict[str, list[str]] = {}
    if role not in Role.values:
        errors["role"] = [_("Unknown role.")]
    elif role == Role.OWNER and actor is not None and not _is_owner(organization, actor):
        errors["role"] = [_("Only an owner can add another owner.")]
    if unit is not None and unit.organization_id != organization.pk:
        errors["unit_id"] = [_("No such unit in this organization.")]
    if (
        manager is not None
        and not Membership.objects.filter(organization=organization, user=manager).exists()
    ):
        errors["manager_id"] = [_("No such member in this organization.")]
    if len(name or "") > 150:
        errors["name"] = [_("At most 150 characters.")]
    user = User.objects.filter(email=email).first()
    if user is None:
        candidate = User(email=email, name=name or "")
        try:
            candidate.full_clean(exclude=["password"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    elif Membership.objects.filter(organization=organization, user=user).exists():
        errors["email"] = [_("This person is already a member.")]
    if errors:
        raise ValidationError(errors)
    if user is None:
        user = User.objects.create_user(email=email, password=password, name=name or "")
    return Membership.objects.create(
        organization=organization, user=user, role=role, unit=unit, manager=manager
    )


def _is_owner(organization: Organization, user: User) -> bool:
    return Membership.objects.filter(organization=organization, user=user, role=Role.OWNER).exists()


@transaction.atomic
def member_update(*, membership: Membership, actor: User, **changes: Any) -> Membership:
    organization = membership.organization
    require_admin(organization, actor)
    if "role" in changes:
        if changes["role"] not in Role.values:
            raise ValidationError({"role": [_("Unknown role.")]})
        touches_owner = Role.OWNER in (changes["role"], membership.role)
        if touches_owner and not _is_owner(organization, actor):
            raise PermissionDenied(_("Only an owner can change an owner."))
        if membership.role == Role.OWNER and changes["role"] != Role.OWNER:
            others = Membership.objects.filter(organization=organization, role=Role.OWNER)
            if not others.exclude(pk=membership.pk).exists():
                raise ValidationError({"role": [_("The organization needs at least one owner.")]})
        membership.role = changes["role"]
    if "unit_id" in changes:
        membership.unit = _unit_of(organization, changes["unit_id"])
    if "manager_id" in changes:
        manager = _member_of(organization, changes["manager_id"], "manager_id")
        if manager is not None and manager.pk == membership.user_id:
            raise ValidationError({"manager_id": [_("Nobody can be their own manager.")]})
        if manager is not None and _manages_transitively(
            organization, membership.user_id, manager.pk
        ):
            raise ValidationError({"manager_id": [_("This would make a management loop.")]})
        membership.manager = manager
    membership.save()
    return membership


def _manages_transitively(organization: Organization, boss_id: int, user_id: int) -> bool:
    """True when boss_id is somewhere above user_id in the management chain."""
    managers = dict(
        Membership.objects.filter(organization=organization).values_list("user_id", "manager_id")
    )
    seen: set[int] = set()
    current = managers.get(user_id)
    while current is not None and current not in seen:
        if current == boss_id:
            return True
        seen.add(current)
        current = managers.get(current)
    return False


@transaction.atomic
def unit_create(
    *,
    organization: Organization,
    actor: User,
    name: str,
    kind: str,
    parent_id: int | None = None,
    leader_id: int | None = None,
) -> Unit:
    require_admin(organization, actor)
    parent = _unit_of(organization, parent_id, "parent_id")
    leader = _member_of(organization, leader_id, "leader_id")
    unit = Unit(
        organization=organization,
        name=(name or "").strip(),
        kind=kind,
        parent=parent,
        leader=leader,
    )
    full_clean_or_raise(unit, exclude=["parent", "leader", "organization"])
    if kind not in UnitKind.values:
        raise ValidationError({"kind": [_("Unknown unit kind.")]})
    unit.save()
    return unit


@transaction.atomic
def unit_update(*, unit: Unit, actor: User, **changes: Any) -> Unit:
    organization = unit.organization
    require_admin(organization, actor)
    if "name" in changes:
        unit.name = (changes["name"] or "").strip()
    if "kind" in changes:
        unit.kind = changes["kind"]
    if "leader_id" in changes:
        unit.leader = _member_of(organization, changes["leader_id"], "leader_id")
    if "parent_id" in changes:
        parent = _unit_of(organization, changes["parent_id"], "parent_id")
        if parent is not None and (
            parent.pk == unit.pk or unit.descendants().filter(pk=parent.pk).exists()
        ):
            raise ValidationError({"parent_id": [_("A unit cannot sit under itself.")]})
        unit.parent = parent
    full_clean_or_raise(unit, exclude=["parent", "leader", "organization"])
    unit.save()
    return unit


@transaction.atomic
def theme_create(
    *,
    organization: Organization,
    actor: User,
    title: str,
    description: str = "",
    kind: str = "mid_term",
) -> Theme:
    require_admin(organization, actor)
    last = Theme.objects.filter(organization=organization).order_by("-position").first()
    theme = Theme(
        organization=organization,
        title=(title or "").strip(),
        description=description or "",
        kind=kind,
        position=last.position + 1 if last else 0,  # new themes go last
    )
    full_clean_or_raise(theme, exclude=["organization"])
    theme.save()
    return theme


@transaction.atomic
def theme_update(*, theme: Theme, actor: User, **changes: Any) -> Theme:
    require_admin(theme.organization, actor)
    unknown = set(changes) - {"title", "description", "kind", "position"}
    if unknown:
        raise ValidationError({field: [_("This field cannot be changed.")] for field in unknown})
    for field, value in changes.items():
        setattr(theme, field, value.strip() if field == "title" and value else value)
    full_clean_or_raise(theme, exclude=["organization"])
    theme.save()
    return theme


@transaction.atomic
def theme_delete(*, theme: Theme, actor: User) -> None:
    """Remove a theme; objectives linked to it simply lose the link."""
    require_admin(theme.organization, actor)
    theme.delete()


@transaction.atomic
def cycle_create(
    *,
    organization: Organization,
    actor: User,
    name: str,
    start_date: date,
    end_date: date,
    state: str = CycleState.PLANNING,
) -> Cycle:
    require_admin(organization, actor)
    cycle = Cycle(
        organization=organization,
        name=(name or "").strip(),
        start_date=start_date,
        end_date=end_date,
        state=state,
    )
    _validate_cycle(cycle)
    cycle.save()
    return cycle


def _validate_cycle(cycle: Cycle) -> None:
    full_clean_or_raise(cycle, exclude=["organization"])
    if cycle.end_date <= cycle.start_date:
        raise ValidationError({"end_date": [_("The end must be after the start.")]})


@transaction.atomic
def cycle_update(*, cycle: Cycle, actor: User, **changes: Any) -> Cycle:
    require_admin(cycle.organization, actor)
    for field in ("name", "start_date", "end_date", "state"):
        if field in changes:
            setattr(cycle, field, changes[field])
    _validate_cycle(cycle)
    cycle.save()
    return cycle


@transaction.atomic
def unit_delete(*, unit: Unit, actor: User) -> None:
    """Delete a unit only when it is empty: no sub-units, no members, no objectives."""
    require_admin(unit.organization, actor)
    reasons = []
    if Unit.objects.filter(organization=unit.organization, parent=unit).exists():
        reasons.append(_("It still has sub-units; move or delete them first."))
    if Membership.objects.filter(organization=unit.organization, unit=unit).exists():
        reasons.append(_("People still belong to it; move them to another unit first."))
    if unit.objectives.exists():
        reasons.append(_("Objectives still belong to it."))
    if reasons:
        raise ValidationError({"__all__": reasons})
    unit.delete()


@transaction.atomic
def member_remove(*, membership: Membership, actor: User) -> None:
    """Take a person out of the organization. Their account and their OKRs stay.

    Only owners remove owners; the last owner stays; nobody removes themselves here.
    People they managed lose that manager and units they led lose that leader.
    """
    organization = membership.organization
    require_admin(organization, actor)
    if membership.user_id == actor.pk:
        raise ValidationError({"__all__": [_("You cannot remove yourself.")]})
    if membership.role == Role.OWNER:
        if not _is_owner(organization, actor):
            raise PermissionDenied(_("Only an owner can change an owner."))
        if not (
            Membership.objects.filter(organization=organization, role=Role.OWNER)
            .exclude(pk=membership.pk)
            .exists()
        ):
            raise ValidationError({"__all__": [_("The organization needs at least one owner.")]})
    Membership.objects.filter(organization=organization, manager_id=membership.user_id).update(
        manager=None
    )
    Unit.objects.filter(organization=organization, leader_id=membership.user_id).update(leader=None)
    membership.delete()


@transaction.atomic
def theme_move(*, theme: Theme, actor: User, offset: int) -> Theme:
    """Move a theme up (offset −1) or down (+1) in its organization's order."""
    require_admin(theme.organization, actor)
    if offset not in (-1, 1):
        raise ValidationError({"offset": [_("Move by one place up or down.")]})
    themes = list(Theme.objects.filter(organization=theme.organization).order_by("position", "id"))
    index = next(i for i, t in enumerate(themes) if t.pk == theme.pk)
    other = index + offset
    if 0 <= other < len(themes):
        themes[index], themes[other] = themes[other], themes[index]
    for position, item in enumerate(themes):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])
    return next(t for t in themes if t.pk == theme.pk)
