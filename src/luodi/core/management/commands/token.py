"""`luodi token create --email E [--name N]`: issue a personal API token."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from luodi.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Manage personal API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        create = actions.add_parser(
            "create",
            help="Issue a token for a user and print it (shown only once).",
            description="Issue an API token. Only the raw token is printed on stdout; "
            "send it as `Authorization: Bearer <token>`.",
        )
        create.add_argument("--email", required=True, help="The user's email address.")
        create.add_argument("--name", default="", help="A label for the token, e.g. 'ci'.")

    def handle(self, *args: str, action: str, **options: str) -> None:
        if action == "create":
            self._create(email=options["email"], name=options["name"])

    def _create(self, *, email: str, name: str) -> None:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user with email {email!r}.", returncode=2)
        if not user.is_active:
            raise CommandError(f"User {user.email!r} is deactivated.", returncode=2)
        _token, raw = ApiToken.issue(user=user, name=name)
        self.stdout.write(raw)
