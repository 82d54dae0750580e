"""`luodi demo [--host H] [--port P] [--no-serve] [--lang zh-hans|en]`.

Migrates the default database, loads the demo organization when it is not there yet,
prints where to sign in and the demo accounts, then serves.
"""

from __future__ import annotations

import argparse

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from luodi.demo.content import DEMO_COMPANY
from luodi.demo.loader import DemoResult, load_demo
from luodi.demo.spec import normalize_lang
from luodi.orgs.models import Organization

WILDCARD_HOSTS = {"", "0.0.0.0", "::", "[::]"}


def _language(value: str) -> str:
    try:
        return normalize_lang(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def base_url(host: str, port: int) -> str:
    """Where a browser on this machine reaches the server."""
    if host in WILDCARD_HOSTS:
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}/"


class Command(BaseCommand):
    help = (
        "Set up a demo: apply migrations, load the demo company (Starlight Mall, in Chinese "
        "or English) unless it is already there, print the sign-in URL and the demo "
        "accounts, then serve."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to bind (127.0.0.1).")
        parser.add_argument("--port", type=int, default=8000, help="Port to bind (8000).")
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="Load and print the accounts, but do not start the server.",
        )
        parser.add_argument(
            "--lang",
            type=_language,
            default="zh-hans",
            metavar="{zh-hans,en}",
            help="Language of the demo content (zh-hans). Only used when loading it.",
        )

    def handle(
        self, *args: str, host: str, port: int, no_serve: bool, lang: str, **options: object
    ) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if not Organization.objects.filter(slug=DEMO_COMPANY.slug).exists():
            self.stdout.write(_("Loading the demo organization; this takes a few seconds…"))
            self.stdout.flush()
        result = load_demo(lang=lang)
        self._report(result, base_url(host, port))
        if not result.created and result.lang != lang:
            self.stdout.write(
                _(
                    "The demo is already loaded in %(loaded)s, so --lang %(lang)s changes "
                    "nothing; start from an empty database to switch languages."
                )
                % {"loaded": result.lang, "lang": lang}
            )
        if not no_serve:
            self.stdout.flush()
            call_command("serve", host=host, port=port)

    def _report(self, result: DemoResult, url: str) -> None:
        org = result.organization
        if result.created:
            self.stdout.write(
                _(
                    "Loaded the demo organization %(name)s (%(slug)s): %(objectives)d "
                    "objectives, %(key_results)d key results, %(checkins)d check-ins."
                )
                % {
                    "name": org.name,
                    "slug": org.slug,
                    "objectives": len(result.objectives),
                    "key_results": len(result.key_results),
                    "checkins": result.checkins,
                }
            )
        else:
            self.stdout.write(
                _("The demo organization %(name)s (%(slug)s) is already there; nothing changed.")
                % {"name": org.name, "slug": org.slug}
            )
        self.stdout.write("")
        self.stdout.write(_("Sign in:  %(url)s") % {"url": url})
        self.stdout.write(_("Admin:    %(url)s") % {"url": url + "admin/"})
        self.stdout.write(_("API docs: %(url)s") % {"url": url + "api/v1/docs"})
        self.stdout.write("")
        self.stdout.write(
            _("Demo accounts (password: %(password)s)") % {"password": result.password}
        )
        width = max(len(a.email) for a in result.accounts)
        for account in result.accounts:
            details = " · ".join(part for part in (account.name, account.unit, account.job) if part)
            self.stdout.write(f"  {account.email:<{width}}  {account.role:<7} {details}")
        self.stdout.write("")
