"""Invitations: an admin invites a person by email; the link lets them join, once.

A link works for settings.INVITATION_DAYS days. Accepting creates the account (or sets the
password of an account that never had one) and the membership through
orgs.services.member_add, so the rules for roles, units and managers live in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from luodi.accounts.models import Invitation, User, hash_token
from luodi.orgs.choices import Role
from luodi.orgs.models import Membership, Organization, Unit
from luodi.orgs.permissions import require_admin, role_of
from luodi.orgs.services import member_add

# Builds the absolute accept URL from a raw token; the web layer knows the host.
LinkBuilder = Callable[[str], str]


class InvitationState:
    VALID = "valid"
    USED = "used"
    REVOKED = "revoked"
    EXPIRED = "expired"


def invitation_for_token(*, raw_token: str) -> Invitation | None:
    if not raw_token or len(raw_token) > 200:
        return None
    return (
        Invitation.objects.filter(token_hash=hash_token(raw_token))
        .select_related("organization", "invited_by")
        .first()
    )


def invitation_state(invitation: Invitation) -> str:
    if invitation.accepted_at is not None:
        return InvitationState.USED
    if invitation.revoked_at is not None:
        return InvitationState.REVOKED
    if invitation.is_expired():
        return InvitationState.EXPIRED
    return InvitationState.VALID


def pending_invitations(*, organization: Organization) -> list[Invitation]:
    return list(
        Invitation.objects.filter(
            organization=organization, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .select_related("unit", "manager", "invited_by")
        .order_by("-created_at", "-id")
    )


@transaction.atomic
def invitation_create(
    *,
    organization: Organization,
    actor: User,
    email: str,
    link_for: LinkBuilder,
    name: str = "",
    role: str = Role.MEMBER,
    unit_id: int | None = None,
    manager_id: int | None = None,
) -> Invitation:
    """Record the invitation and email the link, in the organization's language."""
    require_admin(organization, actor)
    email = (email or "").strip().lower()
    name = (name or "").strip()
    errors = _invitation_errors(organization, actor, email, name, role)
    unit = manager = None
    try:
        unit, manager = _unit_and_manager(organization, unit_id, manager_id)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    # An earlier invitation to the same address gives way to the new one.
    Invitation.objects.filter(
        organization=organization, email=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    raw, digest = Invitation.new_token()
    invitation = Invitation.objects.create(
        organization=organization,
        email=email,
        name=name,
        role=role,
        unit=unit,
        manager=manager,
        token_hash=digest,
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
    )
    _send(invitation, link_for(raw))
    return invitation


def _invitation_errors(
    organization: Organization, actor: User, email: str, name: str, role: str
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Enter a valid email address.")]
    else:
        if Membership.objects.filter(organization=organization, user__email=email).exists():
            errors["email"] = [_("This person is already a member.")]
    if len(name) > 150:
        errors["name"] = [_("At most 150 characters.")]
    if role not in Role.values:
        errors["role"] = [_("Unknown role.")]
    elif role == Role.OWNER and role_of(organization, actor) != Role.OWNER:
        errors["role"] = [_("Only an owner can add another owner.")]
    return errors


def _unit_and_manager(
    organization: Organization, unit_id: int | None, manager_id: int | None
) -> tuple[Unit | None, User | None]:
    errors: dict[str, list[str]] = {}
    unit = manager = None
    if unit_id is not None:
        unit = Unit.objects.filter(organization=organization, pk=unit_id).first()
        if unit is None:
            errors["unit_id"] = [_("No such unit in this organization.")]
    if manager_id is not None:
        membership = (
            Membership.objects.filter(organization=organization, user_id=manager_id)
            .select_related("user")
            .first()
        )
        if membership is None:
            errors["manager_id"] = [_("No such member in this organization.")]
        else:
            manager = membership.user
    if errors:
        raise ValidationError(errors)
    return unit, manager


def _send(invitation: Invitation, link: str) -> None:
    """Email the link. A failure to send rolls the whole operation back."""
    organization = invitation.organization
    context = {
        "invitation": invitation,
        "organization": organization,
        "inviter": invitation.invited_by,
        "link": link,
        "days": settings.INVITATION_DAYS,
    }
    with translation.override(organization.locale or settings.LANGUAGE_CODE):
        subject = render_to_string("registration/invitation_subject.txt", context)
        body = render_to_string("registration/invitation_email.txt", context)
    try:
        send_mail(" ".join(subject.split()), body, None, [invitation.email])
    except OSError:
        raise ValidationError(
            {"email": [_("The email could not be sent. Check the mail settings and try again.")]}
        ) from None
    invitation.sent_at = timezone.now()
    invitation.save(update_fields=["sent_at"])


@transaction.atomic
def invitation_resend(*, invitation: Invitation, actor: User, link_for: LinkBuilder) -> Invitation:
    """A fresh link (the old one stops working) and a fresh expiry, emailed again."""
    require_admin(invitation.organization, actor)
    if not invitation.is_pending:
        raise ValidationError({"__all__": [_("This invitation is no longer pending.")]})
    raw, digest = Invitation.new_token()
    invitation.token_hash = digest
    invitation.expires_at = timezone.now() + timedelta(days=settings.INVITATION_DAYS)
    invitation.save(update_fields=["token_hash", "expires_at"])
    _send(invitation, link_for(raw))
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    require_admin(invitation.organization, actor)
    if not invitation.is_pending:
        raise ValidationError({"__all__": [_("This invitation is no longer pending.")]})
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_needs_password(invitation: Invitation) -> bool:
    """True when accepting must set a password: no account yet, or one never set up."""
    user = User.objects.filter(email=invitation.email).first()
    return user is None or not user.has_usable_password()


@transaction.atomic
def invitation_accept(
    *,
    raw_token: str,
    name: str = "",
    password: str = "",
    signed_in: User | None = None,
) -> Membership:
    """Join the organization; returns the membership.

    A new address gets an account with the name and password given. An account that
    already has a password just joins (the name and password are ignored). Someone signed
    in as a different person may not use another person's link.
    """
    invitation = invitation_for_token(raw_token=raw_token)
    if invitation is None:
        raise ValidationError({"__all__": [_("This invitation link is not valid.")]})
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    state = invitation_state(invitation)
    if state != InvitationState.VALID:
        raise ValidationError({"__all__": [_invalid_message(state)]})
    if signed_in is not None and signed_in.email != invitation.email:
        raise PermissionDenied(_("This invitation was sent to another email address."))
    organization = invitation.organization
    user = User.objects.filter(email=invitation.email).first()
    if user is not None and not user.is_active and user.has_usable_password():
        raise ValidationError({"__all__": [_("This account is deactivated.")]})
    name = (name or "").strip() or invitation.name
    if user is None or not user.has_usable_password():
        _check_new_credentials(email=invitation.email, name=name, password=password)
    manager = invitation.manager
    if (
        manager is not None
        and not Membership.objects.filter(organization=organization, user=manager).exists()
    ):
        manager = None  # the manager left meanwhile
    membership = Membership.objects.filter(organization=organization, user=user).first()
    if membership is None:
        membership = member_add(
            organization=organization,
            actor=None,
            email=invitation.email,
            name=name,
            role=invitation.role,
            unit=invitation.unit,
            manager=manager,
            password=password or None,
        )
    user = membership.user
    if not user.has_usable_password():
        user.set_password(password)
        user.name = name
        user.is_active = True
        user.save(update_fields=["password", "name", "is_active"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership


def _check_new_credentials(*, email: str, name: str, password: str) -> None:
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Tell us your name.")]
    elif len(name) > 150:
        errors["name"] = [_("At most 150 characters.")]
    if not password:
        errors["password"] = [_("Choose a password.")]
    else:
        try:
            validate_password(password, User(email=email, name=name))
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)


def _invalid_message(state: str) -> str:
    if state == InvitationState.USED:
        return _("This invitation has already been used. Sign in instead.")
    if state == InvitationState.REVOKED:
        return _("This invitation was withdrawn. Ask an administrator for a new one.")
    return _("This invitation has expired. Ask an administrator for a new one.")
