"""`luodi worker`: the background task consumer (huey, on SQLite or Redis)."""

from __future__ import annotations

import logging

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Run the huey consumer for background tasks. The queue lives in the data directory "
        "(SQLite) unless LUODI_REDIS_URL is set."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "-w", "--workers", type=int, help="Number of workers (huey's default: 1)."
        )
        parser.add_argument(
            "-k",
            "--worker-type",
            choices=["thread", "process", "greenlet"],
            help="Worker type (huey's default: thread).",
        )

    def handle(
        self, *args: str, workers: int | None, worker_type: str | None, **options: object
    ) -> None:
        consumer_options: dict[str, object] = {}
        if workers is not None:
            consumer_options["workers"] = workers
        if worker_type is not None:
            consumer_options["worker_type"] = worker_type
        # run_huey gives the "huey" logger its own handler; without this every line would be
        # printed a second time by the root handler from settings.LOGGING.
        logging.getLogger("huey").propagate = False
        call_command("run_huey", **consumer_options)
