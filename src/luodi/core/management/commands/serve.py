"""`luodi serve`: a single development-grade web process (use gunicorn in production)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Serve Luodi with Django's development server, no auto-reload. Static files are "
        "served by WhiteNoise. For production run `gunicorn luodi.wsgi`. Hosts other than "
        "127.0.0.1/localhost must be listed in LUODI_ALLOWED_HOSTS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to bind (127.0.0.1).")
        parser.add_argument("--port", type=int, default=8000, help="Port to bind (8000).")

    def handle(self, *args: str, host: str, port: int, **options: object) -> None:
        ipv6 = ":" in host
        if ipv6 and not host.startswith("["):
            host = f"[{host}]"
        # WhiteNoise warns at start-up when STATIC_ROOT is missing; files come from the finders.
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        call_command(
            "runserver",
            f"{host}:{port}",
            use_reloader=False,
            use_threading=True,
            use_ipv6=ipv6,
            # WhiteNoise (WHITENOISE_USE_FINDERS) serves static files, as under gunicorn.
            use_static_handler=False,
        )
