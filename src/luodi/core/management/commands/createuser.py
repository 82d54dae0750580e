"""`luodi createuser --email E --org SLUG [--role R] [--name N] [--password P]`.

Adds a person to an organization, creating the user when the email is new and the
organization when the slug is new (its first user becomes its owner).
"""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from luodi.accounts.models import User
from luodi.orgs.choices import Role
from luodi.orgs.models import Membership, Organization
from luodi.orgs.services import member_add, organization_create


class Command(BaseCommand):
    help = (
        "Create a user (or take an existing one) and make them a member of an organization. "
        "A new organization is created when the slug is unknown, with this user as its owner. "
        "Without --password the user cannot log in with a password."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True, help="Email address; the login name.")
        parser.add_argument("--org", required=True, metavar="SLUG", help="Organization slug.")
        parser.add_argument(
            "--role",
            choices=Role.values,
            help="Role in an existing organization (default: member). "
            "The user who creates an organization is its owner.",
        )
        parser.add_argument("--name", default="", help="Display name.")
        parser.add_argument("--password", help="Password for a new user.")

    def handle(
        self,
        *args: str,
        email: str,
        org: str,
        role: str | None,
        name: str,
        password: str | None,
        **options: object,
    ) -> None:
        email = email.strip()
        slug = org.strip().lower()
        existing_user = User.objects.filter(email__iexact=email).first()
        try:
            if password is not None:
                self._check_password(password, existing_user)
            with transaction.atomic():
                organization = Organization.objects.filter(slug=slug).first()
                created = organization is None
                if created:
                    membership = self._create_organization(
                        email=email, slug=slug, name=name, password=password, user=existing_user
                    )
                else:
                    membership = member_add(
                        organization=organization,
                        actor=None,
                        email=email,
                        name=name,
                        role=role or Role.MEMBER,
                        password=password,
                    )
        except ValidationError as exc:
            self._report(exc)
            raise CommandError("Nothing was created.", returncode=2) from exc

        if created:
            if role not in (None, Role.OWNER):
                self.stderr.write(
                    f"--role {role} ignored: whoever creates an organization owns it."
                )
            self.stdout.write(
                f"Created organization {membership.organization.slug!r} "
                f"owned by {membership.user.email}."
            )
        else:
            self.stdout.write(
                f"Added {membership.user.email} to {membership.organization.slug!r} "
                f"as {membership.role}."
            )
        if existing_user is not None and password is not None:
            self.stderr.write(f"{existing_user.email} already existed; password left unchanged.")

    def _check_password(self, password: str, user: User | None) -> None:
        try:
            validate_password(password, user=user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc

    def _create_organization(
        self, *, email: str, slug: str, name: str, password: str | None, user: User | None
    ) -> Membership:
        """A new organization whose first member, created here if need be, is its owner."""
        errors: dict[str, list[str]] = {}
        if user is None:
            user = User(email=User.objects.normalize_email(email).lower(), name=name)
            try:
                user.full_clean(exclude=["password"])
            except ValidationError as exc:
                errors.update(exc.message_dict)
        try:
            Organization(name=slug, slug=slug).full_clean(validate_unique=False)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)
        if user.pk is None:
            user.set_password(password)  # None gives an unusable password
            user.save()
        organization = organization_create(name=slug, slug=slug, owner=user)
        return Membership.objects.get(organization=organization, user=user)

    def _report(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for field, messages in exc.message_dict.items():
                label = "error" if field == NON_FIELD_ERRORS else field
                for message in messages:
                    self.stderr.write(f"{label}: {message}")
        else:
            for message in exc.messages:
                self.stderr.write(f"error: {message}")
