"""`luodi bench run`: p50/p95, SQL queries and the SQL floor of the main pages and endpoints.

Every request goes through the whole Django stack (middleware, sessions, URL routing,
views, templates, django-ninja) with the test client, in this process, on the configured
database. Each scenario is warmed up, then repeated; the times are wall-clock per request.

The floor is the time the database needs for exactly the SQL one request ran: the
statements are recorded with their parameters, then replayed on a bare cursor (fetching
every row) inside a transaction that is rolled back. p50 ÷ floor says how much of a
request is Python (ORM, rules, templates) rather than SQL.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings

from luodi.bench.subjects import Subjects, find_subjects
from luodi.okrs.models import Objective
from luodi.okrs.selectors import Clock
from luodi.okrs.services import objective_update
from luodi.orgs.models import Organization
from luodi.reports import parts
from luodi.web.cycles import current_cycle, cycles_of

# Relative to the working directory: `make bench` runs from the repository root.
DEFAULT_OUTPUT = Path("var") / "bench" / "latest.json"
TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT")


@dataclass
class Statement:
    sql: str
    params: Any
    many: bool


@dataclass
class Recorder:
    """A `connection.execute_wrapper` that keeps every statement a request runs."""

    statements: list[Statement] = field(default_factory=list)

    def __call__(self, execute, sql, params, many, context):
        self.statements.append(Statement(sql, params, many))
        return execute(sql, params, many, context)


@dataclass
class Scenario:
    name: str
    request: Callable[[], Any]  # returns the response
    expect: int = 200
    before: Callable[[], Any] | None = None  # run before each request, not timed


@dataclass
class Result:
    name: str
    p50_ms: float
    p95_ms: float
    queries: int
    floor_ms: float

    @property
    def ratio(self) -> float:
        return self.p50_ms / self.floor_ms if self.floor_ms else float("inf")


def percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest sample with at least `share` of samples ≤ it."""
    ordered = sorted(samples)
    rank = max(1, -(-int(share * 1000) * len(ordered) // 1000))
    return ordered[min(rank, len(ordered)) - 1]


def scenarios(subjects: Subjects) -> list[Scenario]:
    slug = subjects.organization.slug
    ceo = _client(subjects.ceo)
    leader = _client(subjects.department_leader)
    person = _client(subjects.person)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {subjects.person_token}")
    values = iter(range(10**9))

    def checkin_post() -> Any:
        value = subjects.checkin_start + (next(values) % 50)
        return api.post(
            f"/api/v1/orgs/{slug}/key-results/{subjects.checkin_key_result}/check-ins",
            data=json.dumps({"value": str(value), "confidence": 7, "note": "bench"}),
            content_type="application/json",
        )

    edited = Objective.objects.get(pk=subjects.objective)

    def rename() -> None:
        title = f"{edited.title.split(' #')[0]} #{next(values)}"
        objective_update(objective=edited, actor=subjects.ceo, title=title)

    base = f"/o/{slug}/"
    return [
        Scenario("company dashboard", lambda: ceo.get(base + "dashboard/")),
        # A busy check-in day: someone has just checked in (its chain voids the stored
        # dashboard parts of its department and the units above, reports.parts).
        Scenario(
            "dashboard after check-in",
            lambda: ceo.get(base + "dashboard/"),
            before=lambda: _checked(Scenario("check-in", checkin_post, expect=201)),
        ),
        Scenario(
            "department dashboard",
            lambda: leader.get(base + f"dashboard/?unit={subjects.department}"),
        ),
        Scenario("company map", lambda: ceo.get(base + "map/")),
        # Someone has just edited an objective: the stored map frame (web.map_frames) is
        # void and this view places the whole map again, then stores it.
        Scenario("map after an edit", lambda: ceo.get(base + "map/"), before=rename),
        Scenario("map expand step", lambda: ceo.get(base + f"map/?expand={subjects.expand}")),
        Scenario("my okrs", lambda: person.get(base)),
        Scenario("objective page", lambda: person.get(base + f"objectives/{subjects.objective}/")),
        Scenario("weekly check-in page", lambda: person.get(base + "checkin/")),
        Scenario(
            "api objective list",
            lambda: api.get(f"/api/v1/orgs/{slug}/objectives?limit=100"),
        ),
        Scenario("check-in post", checkin_post, expect=201),
    ]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def measure(scenario: Scenario, *, repeat: int, warmup: int) -> Result:
    for _ in range(warmup):
        if scenario.before is not None:
            scenario.before()
        _checked(scenario)
    samples = []
    recorder = Recorder()
    for i in range(repeat):
        if scenario.before is not None:
            scenario.before()
        if i == 0:
            with connection.execute_wrapper(recorder):
                started = time.perf_counter()
                _checked(scenario)
        else:
            started = time.perf_counter()
            _checked(scenario)
        samples.append((time.perf_counter() - started) * 1000)
    floor = statistics.median(_replay(recorder.statements) for _ in range(max(3, repeat // 3)))
    return Result(
        name=scenario.name,
        p50_ms=round(percentile(samples, 0.50), 1),
        p95_ms=round(percentile(samples, 0.95), 1),
        queries=len(recorder.statements),
        floor_ms=round(floor, 1),
    )


def _checked(scenario: Scenario) -> None:
    response = scenario.request()
    if response.status_code != scenario.expect:
        raise CommandError(
            f"{scenario.name}: HTTP {response.status_code}, expected {scenario.expect}: "
            f"{response.content[:300]!r}"
        )


def _replay(statements: list[Statement]) -> float:
    """Milliseconds to run the statements on a bare cursor; the changes are rolled back."""
    return sum(ms for ms, _statement in replay_each(statements))


def replay_each(statements: list[Statement]) -> list[tuple[float, Statement]]:
    """Each statement with the milliseconds it took, replayed and then rolled back."""
    timings = []
    with transaction.atomic():
        with connection.cursor() as cursor:
            for statement in statements:
                if statement.sql.lstrip().upper().startswith(TRANSACTION_CONTROL):
                    continue
                started = time.perf_counter()
                if statement.many:
                    cursor.executemany(statement.sql, statement.params)
                else:
                    cursor.execute(statement.sql, statement.params)
                if cursor.description is not None:
                    cursor.fetchall()
                timings.append(((time.perf_counter() - started) * 1000, statement))
        transaction.set_rollback(True)
    return timings


def slowest(scenario: Scenario, count: int) -> list[tuple[float, Statement]]:
    """The statements of one request that take the database longest, slowest first."""
    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        _checked(scenario)
    return sorted(replay_each(recorder.statements), key=lambda pair: -pair[0])[:count]


def _print_slowest(command: BaseCommand, *, slug: str, only: set[str] | None, count: int) -> None:
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        subjects = find_subjects(_organization(slug))
        for scenario in scenarios(subjects):
            if only is not None and scenario.name not in only:
                continue
            command.stdout.write(f"== {scenario.name}")
            for ms, statement in slowest(scenario, count):
                command.stdout.write(f"{ms:9.1f} ms  {statement.sql[:400]}")


def _organization(slug: str) -> Organization:
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        raise CommandError(
            f"No organization {slug!r}: run `luodi bench generate --users N` first.", returncode=2
        )
    return organization


def run(
    *, slug: str, repeat: int, warmup: int, only: set[str] | None = None
) -> tuple[Subjects, list[Result]]:
    organization = _organization(slug)
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    with override_settings(ALLOWED_HOSTS=hosts, DEBUG=False):
        subjects = find_subjects(organization)
        fill_dashboard_parts(organization)
        results = [
            measure(scenario, repeat=repeat, warmup=warmup)
            for scenario in scenarios(subjects)
            if only is None or scenario.name in only
        ]
    return subjects, results


def fill_dashboard_parts(organization: Organization) -> None:
    """What `luodi worker` does after the first dashboard view of a day (reports.parts):
    the bench runs no worker, so it stores the parts itself before measuring."""
    clock = Clock.for_org(organization)
    cycle = current_cycle(cycles_of(organization), clock.today)
    if cycle is not None:
        parts.fill(organization, cycle, clock)


def table(results: list[Result]) -> str:
    head = (
        f"{'scenario':<24} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'floor ms':>9} {'ratio':>7}"
    )
    lines = [head, "-" * len(head)]
    for r in results:
        lines.append(
            f"{r.name:<24} {r.p50_ms:>8.1f} {r.p95_ms:>8.1f} {r.queries:>8} "
            f"{r.floor_ms:>9.1f} {r.ratio:>6.1f}x"
        )
    return "\n".join(lines)


def report(subjects: Subjects, results: list[Result]) -> dict[str, Any]:
    return {
        "database": connection.vendor,
        "users": subjects.users,
        "results": [asdict(r) for r in results],
    }


def run_from_command(
    command: BaseCommand,
    *,
    slug: str,
    repeat: int,
    warmup: int,
    output: str | None,
    only: str | None,
    show_slowest: int = 0,
    **_options: object,
) -> None:
    if repeat < 1 or warmup < 0:
        raise CommandError("--repeat must be ≥ 1 and --warmup ≥ 0.", returncode=2)
    wanted = {name.strip() for name in only.split(",")} if only else None
    if show_slowest:
        _print_slowest(command, slug=slug, only=wanted, count=show_slowest)
        return
    subjects, results = run(slug=slug, repeat=repeat, warmup=warmup, only=wanted)
    command.stdout.write(
        f"{connection.vendor}, {subjects.users} people, {repeat} requests per scenario "
        f"after {warmup} warm-up\n"
    )
    command.stdout.write(table(results))
    path = Path(output) if output else DEFAULT_OUTPUT
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report(subjects, results), indent=2) + "\n", encoding="utf-8")
    command.stdout.write(f"\nwrote {path}")
