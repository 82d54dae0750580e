"""`luodi bench generate --users N` and `luodi bench run`: the scale benchmark.

generate builds a realistic organization in the configured database (see
`luodi.bench.generate`); run measures the main pages and endpoints on it (see
`luodi.bench.runner`) and writes var/bench/latest.json.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from luodi.orgs.models import Organization


class Command(BaseCommand):
    help = "Generate a large organization (generate) or measure pages and endpoints on it (run)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        gen = sub.add_parser("generate", help="Build an organization of N people in bulk.")
        gen.add_argument("--users", type=int, required=True, help="Number of people (≥ 10).")
        gen.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        gen.add_argument("--slug", default="bench", help="Organization slug (default bench).")
        run = sub.add_parser("run", help="Measure p50/p95, queries and SQL floor per scenario.")
        run.add_argument("--slug", default="bench", help="Organization slug (default bench).")
        run.add_argument("--repeat", type=int, default=30, help="Measured requests per scenario.")
        run.add_argument("--warmup", type=int, default=3, help="Unmeasured requests first.")
        run.add_argument("--output", default=None, help="JSON file to write.")
        run.add_argument("--only", default=None, help="Comma-separated scenario names.")
        run.add_argument(
            "--show-slowest",
            type=int,
            default=0,
            metavar="K",
            help="Instead of measuring, print each scenario's K slowest SQL statements.",
        )

    def handle(self, *args: str, action: str, **options: object) -> None:
        if action == "generate":
            self._generate(**options)
        else:
            from luodi.bench.runner import run_from_command

            run_from_command(self, **options)

    def _generate(self, *, users: int, seed: int, slug: str, **_options: object) -> None:
        from luodi.bench.generate import generate

        if users < 10:
            raise CommandError("--users must be at least 10.", returncode=2)
        if Organization.objects.filter(slug=slug).exists():
            raise CommandError(
                f"An organization with slug {slug!r} exists already; use another --slug "
                "or a fresh database.",
                returncode=2,
            )
        started = time.monotonic()
        summary = generate(users=users, seed=seed, slug=slug, log=self._progress)
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Generated {slug}: {summary.users} people, {summary.units} units, "
            f"{summary.objectives} objectives, {summary.key_results} key results, "
            f"{summary.alignments} alignments, {summary.checkins} check-ins in {elapsed:.1f} s."
        )

    def _progress(self, message: str) -> None:
        self.stdout.write(f"  {message}")
        self.stdout.flush()
