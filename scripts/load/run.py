"""`make load`: gunicorn on PostgreSQL under 50 simulated people doing the weekly mix.

Steps: create the database if it is missing, migrate, generate the bench organization if it
is missing (LOAD_USERS people, default 10,000: ~7 min on PostgreSQL, so existing data is
reused), start gunicorn on a free port and `luodi worker`, run locust headless
(scripts/load/locustfile.py), stop both, print throughput, p95 per request type and
errors, check that every check-in sent is in the database once, and run `luodi recompute
--check`.

Exits non-zero if a request failed, a check-in is missing or doubled, or recompute found
stored progress that differs from a rebuild. Writes var/load/latest.json.

Environment: LUODI_LOAD_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/luodi_load),
LOAD_USERS (10000), LOAD_SPAWN_USERS (50), LOAD_SPAWN_RATE (10), LOAD_SECONDS (60),
LOAD_WORKERS (4), LOAD_THREADS (2), LOAD_SLUG (bench), and the locustfile's LOAD_* settings.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
OUT = ROOT / "var" / "load"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/luodi_load"


def setting(name: str, default: str) -> str:
    return os.environ.get(name) or default


def main() -> int:
    url = setting("LUODI_LOAD_DATABASE_URL", DEFAULT_URL)
    slug = setting("LOAD_SLUG", "bench")
    run_id = uuid.uuid4().hex[:8]
    OUT.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "LUODI_DATABASE_URL": url,
        # Secret key and job queue of the load run, apart from the developer's var/.
        "LUODI_DATA_DIR": str(OUT / "data"),
        "LUODI_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LUODI_DEBUG": "false",
        "LOAD_SLUG": slug,
        "LOAD_RUN_ID": run_id,
        "LOAD_REPORT_FILE": str(OUT / "locust_report.json"),
        "LOAD_MEASURE": setting("LOAD_SECONDS", "60"),
    }
    # libpq reads PGAPPNAME: the server's connections are named, to cancel what outlives it.
    app_name = f"luodi-load-{run_id}"
    create_database(url)
    luodi(env, "migrate", "--noinput")
    if not organization_exists(url, slug):
        users = setting("LOAD_USERS", "10000")
        print(f"No organization {slug!r}: generating {users} people (minutes at 10,000).")
        luodi(env, "bench", "generate", "--users", users, "--slug", slug)
    analyze(url)
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    started = datetime.now(UTC)
    server = start_gunicorn({**env, "PGAPPNAME": app_name}, port)
    # The background worker, as in production: e-mails and channel deliveries, the
    # dashboard parts the first views ask for, the trend's sweeps.
    worker = start_worker({**env, "PGAPPNAME": app_name})
    try:
        wait_healthy(host, server)
        locust_rc = run_locust(env, host)
    finally:
        stop(server)
        stop(worker)
        cancel_leftovers(url, app_name)
    stats = read_stats(OUT / "locust_stats.csv")
    failures = read_failures(OUT / "locust_failures.csv")
    report_file = OUT / "locust_report.json"
    report = json.loads(report_file.read_text()) if report_file.exists() else {}
    sent, warmup = report.get("sent", {}), report.get("warmup", {})
    stored = stored_checkins(url, slug, f"load {run_id}")
    confirmed = sent.get("web rows", 0) + sent.get("api", 0)
    attempted = sent.get("web rows attempted", 0) + sent.get("api attempted", 0)
    consistent = confirmed <= stored <= attempted
    print_report(stats, failures, sent, stored, warmup)
    print(f"\nluodi recompute --check --org {slug}")
    check = subprocess.run(
        [BIN / "luodi", "recompute", "--check", "--org", slug],
        env=env,
        capture_output=True,
        text=True,
    )
    print((check.stdout + check.stderr).strip()[-4000:] or f"exit {check.returncode}")
    errors = sum(int(row["Failure Count"]) for row in stats if row["Name"] != "Aggregated")
    errors += sum(int(entry["failures"]) for entry in warmup.get("entries", []))
    summary = {
        "run_id": run_id,
        "started_at": started.isoformat(),
        "database": redact(url),
        "users": int(setting("LOAD_SPAWN_USERS", "50")),
        "measured_seconds": int(setting("LOAD_SECONDS", "60")),
        "gunicorn": {"workers": workers(), "threads": threads()},
        "requests": {row["Name"]: row_summary(row) for row in stats},
        "errors": errors,
        "failures": failures,
        "warmup": warmup,
        "checkins_sent": sent,
        "checkins_stored": stored,
        "checkins_consistent": consistent,
        "recompute_check": {"exit": check.returncode, "output": check.stdout[-2000:]},
        "locust_exit": locust_rc,
    }
    (OUT / "latest.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwrote {OUT / 'latest.json'}")
    ok = bool(stats) and errors == 0 and consistent and check.returncode == 0
    if not consistent:
        print(
            f"LOST OR DOUBLED CHECK-INS: {confirmed} confirmed, {attempted} attempted, "
            f"{stored} stored"
        )
    print("load: OK" if ok else "load: FAILED")
    return 0 if ok else 1


# --- database ----------------------------------------------------------------------------------


def create_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        print(f"Creating database {name}")
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def analyze(url: str) -> None:
    """Fresh planner statistics. Bulk-written tables have none until autovacuum analyzes
    them (never, where it is off): the planner then takes 27,000 key results for 25 and
    picks plans a thousand times slower (dashboard trend: 80 s instead of 75 ms at 500)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")


def organization_exists(url: str, slug: str) -> bool:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT 1 FROM orgs_organization WHERE slug = %s", [slug]).fetchone()
    return row is not None


def stored_checkins(url: str, slug: str, note: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM checkins_checkin c JOIN orgs_organization o"
            " ON o.id = c.organization_id WHERE o.slug = %s AND c.note = %s",
            [slug, note],
        ).fetchone()
    return int(row[0]) if row else 0


def cancel_leftovers(url: str, app_name: str) -> None:
    """End the queries of requests the server was still running when it was stopped."""
    with psycopg.connect(url, autocommit=True) as conn:
        ended = conn.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = %s",
            [app_name],
        ).fetchone()
    if ended and ended[0]:
        print(f"ended {ended[0]} database session(s) the server left running")


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        parts = parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@"))
    return urlunsplit(parts)


# --- processes ---------------------------------------------------------------------------------


def luodi(env: dict[str, str], *args: str) -> None:
    subprocess.run([BIN / "luodi", *args], env=env, check=True)


def workers() -> int:
    return int(setting("LOAD_WORKERS", "4"))


def threads() -> int:
    return int(setting("LOAD_THREADS", "2"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(env: dict[str, str], port: int) -> subprocess.Popen:
    log = (OUT / "gunicorn.log").open("w")
    (OUT / "access.log").write_text("")  # gunicorn appends
    command = [
        BIN / "gunicorn",
        "luodi.wsgi",
        *("--bind", f"127.0.0.1:{port}"),
        *("--workers", str(workers()), "--threads", str(threads())),
        *("--worker-class", "gthread", "--timeout", "120", "--graceful-timeout", "10"),
        # Longer than any think time: with gunicorn's 2 s, a browser reusing a connection
        # the server is closing at that moment gets "connection reset" (a proxy in front
        # would hide that race; here there is none).
        *("--keep-alive", "75"),
        *("--access-logfile", str(OUT / "access.log")),
        # The default format plus the time taken, in microseconds.
        *("--access-logformat", '%(h)s "%(r)s" %(s)s %(b)s %(D)sus'),
    ]
    print(f"gunicorn: {workers()} workers x {threads()} threads on 127.0.0.1:{port}")
    # A session of its own: stop() can end the master and its workers together.
    return subprocess.Popen(
        command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def start_worker(env: dict[str, str]) -> subprocess.Popen:
    log = (OUT / "worker.log").open("w")
    print("worker: luodi worker (1 thread)")
    return subprocess.Popen(
        [BIN / "luodi", "worker"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_healthy(host: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited ({server.returncode}); see {OUT / 'gunicorn.log'}")
        try:
            with urllib.request.urlopen(host + "/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer /healthz in {seconds:.0f} s")


def stop(server: subprocess.Popen) -> None:
    """Graceful stop (gunicorn waits --graceful-timeout for running requests), then kill
    whatever is left of the server's process group."""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=15)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait()


def run_locust(env: dict[str, str], host: str) -> int:
    for old in [*OUT.glob("locust_*.csv"), *OUT.glob("locust_report.json")]:
        old.unlink()
    command = [
        BIN / "locust",
        *("-f", str(ROOT / "scripts" / "load" / "locustfile.py")),
        "--headless",
        "--only-summary",
        *("--host", host),
        *("-u", setting("LOAD_SPAWN_USERS", "50"), "-r", setting("LOAD_SPAWN_RATE", "10")),
        # The locustfile ends the run LOAD_SECONDS after the last sign-in; -t is a backstop.
        # Users finish the task they are in (a request times out after LOAD_TIMEOUT).
        *("-t", f"{int(setting('LOAD_SECONDS', '60')) + 600}s", "--stop-timeout", "70"),
        *("--csv", str(OUT / "locust"), "--html", str(OUT / "report.html")),
        *("--loglevel", "WARNING"),
    ]
    return subprocess.run(command, env=env).returncode


# --- report ------------------------------------------------------------------------------------


def read_stats(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def read_failures(path: Path) -> list[dict[str, str]]:
    return read_stats(path)


def row_summary(row: dict[str, str]) -> dict[str, float | None]:
    return {
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "rps": number(row["Requests/s"]),
        "p50_ms": number(row["50%"]),
        "p95_ms": number(row["95%"]),
        "p99_ms": number(row["99%"]),
        "max_ms": number(row["Max Response Time"]),
    }


def number(text: str) -> float | None:
    """Locust writes N/A where a request type has no successful sample."""
    try:
        return round(float(text), 2)
    except ValueError:
        return None


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def print_report(
    stats: list[dict[str, str]],
    failures: list[dict[str, str]],
    sent: dict,
    stored: int,
    warmup: dict,
) -> None:
    print(f"\nwarm-up ({warmup.get('seconds', '?')} s, until everybody had signed in):")
    for entry in warmup.get("entries", []):
        print(
            f"  {entry['name']:<20} {entry['requests']:>6} requests, {entry['failures']} failed, "
            f"p50 {ms(entry['p50_ms'])} ms, p95 {ms(entry['p95_ms'])} ms"
        )
    for failure in warmup.get("failures", []):
        print(f"  FAILED {failure['occurrences']}x {failure['name']}: {failure['error'][:300]}")
    seconds = setting("LOAD_SECONDS", "60")
    print(f"\nmeasured ({seconds} s from the last sign-in):")
    head = f"{'request':<22} {'count':>6} {'fail':>5} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8}"
    print("\n" + head + "\n" + "-" * len(head))
    for row in stats:
        s = row_summary(row)
        name = "all" if row["Name"] == "Aggregated" else row["Name"]
        print(
            f"{name:<22} {s['requests']:>6} {s['failures']:>5} {s['rps'] or 0:>7.2f} "
            f"{ms(s['p50_ms']):>8} {ms(s['p95_ms']):>8}"
        )
    for failure in failures:
        print(f"FAILED {failure['Occurrences']}x {failure['Name']}: {failure['Error'][:300]}")
    print(
        f"\ncheck-ins confirmed: {sent.get('web rows', 0)} rows through the weekly form "
        f"({sent.get('web rows attempted', 0)} sent), {sent.get('api', 0)} through the API "
        f"({sent.get('api attempted', 0)} sent); stored with this run's note: {stored}"
    )


if __name__ == "__main__":
    sys.exit(main())
