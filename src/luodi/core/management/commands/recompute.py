"""`luodi recompute [--org SLUG] [--check]`: rebuild progress from the check-ins.

Recomputes every key result and objective of one organization (or of all) from the
append-only check-ins and the alignment graph, with the same rules the check-in path uses,
and reports every stored value that differs. Without --check the differences are repaired
(one transaction per organization); with --check nothing changes and the exit status is 1
when anything differs, so it can run as a monitoring job.

Exit status: 0 clean (or repaired), 1 differences found with --check, 2 bad arguments.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from luodi.okrs.models import KeyResult, Objective
from luodi.okrs.rebuild import RebuildResult, rebuild
from luodi.orgs.models import Organization

SHOWN_DIFFERENCES = 50


class Command(BaseCommand):
    help = (
        "Rebuild the progress of key results and objectives from their check-ins and report "
        "every difference from the stored values. With --check, change nothing and exit 1 "
        "when anything differs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--org", metavar="SLUG", help="Only this organization (default: every organization)."
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Report differences without repairing them; exit status 1 if any.",
        )

    def handle(self, *args: str, org: str | None, check: bool, **options: object) -> None:
        organizations = self._organizations(org)
        total_differences = 0
        total_krs = total_objectives = 0
        for organization in organizations:
            result = self._one(organization, check=check)
            total_differences += len(result.differences)
            total_krs += result.key_results
            total_objectives += result.objectives
        verb = "found" if check else "repaired"
        summary = (
            f"{len(organizations)} organization(s), {total_krs} key results and "
            f"{total_objectives} objectives checked; {total_differences} difference(s) {verb}."
        )
        if check and total_differences:
            raise CommandError(summary, returncode=1)
        self.stdout.write(summary)

    def _organizations(self, slug: str | None) -> list[Organization]:
        if slug is None:
            return list(Organization.objects.order_by("slug"))
        organization = Organization.objects.filter(slug=slug.strip().lower()).first()
        if organization is None:
            raise CommandError(f"No organization with slug {slug!r}.", returncode=2)
        return [organization]

    def _one(self, organization: Organization, *, check: bool) -> RebuildResult:
        # Counted first so that a big organization shows what it is working on.
        krs = KeyResult.objects.filter(organization=organization).count()
        objectives = Objective.objects.filter(organization=organization).count()
        self.stdout.write(
            f"org {organization.slug}: {krs} key results, {objectives} objectives…", ending="\n"
        )
        self.stdout.flush()
        started = time.monotonic()
        result = rebuild(organization=organization, write=not check)
        for difference in result.differences[:SHOWN_DIFFERENCES]:
            self.stdout.write(f"  {difference}")
        hidden = len(result.differences) - SHOWN_DIFFERENCES
        if hidden > 0:
            self.stdout.write(f"  … and {hidden} more")
        state = "differ" if check else "repaired"
        self.stdout.write(
            f"org {organization.slug}: {result.key_results} key results, "
            f"{result.objectives} objectives checked, {len(result.differences)} {state} "
            f"({time.monotonic() - started:.1f}s)"
        )
        return result
