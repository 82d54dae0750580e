"""The weekly mix of a generated organization, as 50 people in their browsers.

Each simulated person is a different member of the `luodi bench generate` organization
(user{i}@{slug}.example, consecutive i, so they share teams and the whole alignment chain
above them). They sign in through the login form, then loop with think time over: My OKRs,
the weekly check-in (page, then the form saved with one to three rows changed), the
dashboard, the map, and now and then a check-in through the API with the session cookie.

The measured window starts when the last person has signed in and lasts LOAD_MEASURE
seconds; what came before (the sign-in rush) is reported apart as the warm-up.
Any status other than the expected one, or a page without its landmark, is a failure.
Every check-in row sent carries the note "load <LOAD_RUN_ID>"; at the end the numbers sent
and the warm-up are written to LOAD_REPORT_FILE so the driver (run.py) can count the
check-ins in the database.

Settings (environment): LOAD_SLUG (bench), LOAD_FIRST_USER (0), LOAD_RUN_ID,
LOAD_REPORT_FILE, LOAD_MEASURE (seconds, 60), LOAD_THINK_MIN / LOAD_THINK_MAX (seconds,
1 / 4), LOAD_TIMEOUT (seconds, 60).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser
from pathlib import Path

import gevent
from locust import HttpUser, between, events, task
from locust.env import Environment

SLUG = os.environ.get("LOAD_SLUG", "bench")
PASSWORD = os.environ.get("LOAD_PASSWORD", "luodi-bench")
FIRST_USER = int(os.environ.get("LOAD_FIRST_USER", "0"))
RUN_ID = os.environ.get("LOAD_RUN_ID") or uuid.uuid4().hex[:8]
NOTE = f"load {RUN_ID}"
REPORT_FILE = os.environ.get("LOAD_REPORT_FILE")
MEASURE = float(os.environ.get("LOAD_MEASURE", "60"))
BASE = f"/o/{SLUG}/"
# A request slower than this fails: nobody waits longer for a page.
TIMEOUT = float(os.environ.get("LOAD_TIMEOUT", "60"))

# Landmarks: an element every rendering of the page has.
LANDMARKS = {
    "my okrs": 'id="my-objectives"',
    "check-in page": 'id="checkin-form"',
    "dashboard": 'id="dash-trend"',
    "map": 'id="alignment-chart"',
}

_numbers = itertools.count(FIRST_USER)
# Check-ins confirmed (201, or the redirect after a save) and attempted: a request that
# timed out may still have been saved, so the database must hold between the two.
sent = {"web rows": 0, "api": 0, "web rows attempted": 0, "api attempted": 0}
warmup: dict[str, object] = {}
_signed_in = 0


class FormFields(HTMLParser):
    """The fields of one form as a browser submits them, plus every checkbox offered."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.pairs: list[tuple[str, str]] = []
        self.options: dict[str, list[str]] = {}  # checkbox name → its values, checked or not
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        elif not self.inside or "name" not in a:
            return
        elif tag == "input":
            kind = a.get("type", "text")
            if kind == "checkbox":
                self.options.setdefault(a["name"], []).append(a.get("value", "on"))
                if "checked" in a:
                    self.pairs.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button"):
                self.pairs.append((a["name"], a.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = a["name"], []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            # Browsers drop the newline that follows <textarea>.
            self.pairs.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None


@dataclass
class Row:
    """One editable row of the weekly check-in page."""

    pk: int
    kind: str  # value | done | milestones
    value: str = ""
    done: bool = False
    milestones: list[int] = field(default_factory=list)
    milestones_done: list[int] = field(default_factory=list)


def editable_rows(form: FormFields) -> list[Row]:
    names = {name for name, _ in form.pairs}
    rows = []
    for name in names:
        if not (name.startswith("kr") and name.endswith("-row")):
            continue
        prefix = name.removesuffix("-row")
        pk = int(prefix[2:])
        values = dict(form.pairs)
        if f"{prefix}-value" in names:
            rows.append(Row(pk, "value", value=values[f"{prefix}-value"]))
        elif f"{prefix}-done" in form.options:
            rows.append(Row(pk, "done", done=f"{prefix}-done" in names))
        elif f"{prefix}-milestones" in form.options:
            checked = [int(v) for n, v in form.pairs if n == f"{prefix}-milestones"]
            offered = [int(v) for v in form.options[f"{prefix}-milestones"]]
            rows.append(Row(pk, "milestones", milestones=offered, milestones_done=checked))
    return sorted(rows, key=lambda r: r.pk)


def problem(response: object) -> str:
    """HTTP status, or the client's error when there was no response (timeout, reset)."""
    status = getattr(response, "status_code", 0)
    if status:
        return f"HTTP {status}"
    return f"no response: {getattr(response, 'error', None)!r}"[:300]


def next_value(text: str) -> Decimal:
    """A plausible new measurement near the last one."""
    try:
        last = Decimal(text) if text else Decimal(0)
    except InvalidOperation:
        last = Decimal(0)
    step = max(abs(last) * Decimal("0.03"), Decimal(1))
    return (last + step * Decimal(random.choice((-1, 1, 1, 2)))).quantize(Decimal("0.01"))


def toggled_milestones(row: Row) -> list[int]:
    open_ = [m for m in row.milestones if m not in row.milestones_done]
    if open_:
        return sorted([*row.milestones_done, random.choice(open_)])
    return row.milestones_done[:-1]


class WeeklyUser(HttpUser):
    wait_time = between(
        float(os.environ.get("LOAD_THINK_MIN", "1")), float(os.environ.get("LOAD_THINK_MAX", "4"))
    )

    def on_start(self) -> None:
        self.number = next(_numbers)
        self.email = f"user{self.number}@{SLUG}.example"
        self.rows: list[Row] = []
        self.login()
        self.open_checkin_page()
        signed_in(self.environment)

    # --- helpers -----------------------------------------------------------------------------

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def page(self, path: str, name: str) -> str | None:
        """GET a page; the response must be 200 and hold the page's landmark."""
        with self.client.get(path, name=name, timeout=TIMEOUT, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(problem(response))
                return None
            if LANDMARKS[name] not in response.text:
                response.failure(f"no {LANDMARKS[name]} in the page ({self.email})")
                return None
            response.success()
            return response.text

    def login(self) -> None:
        self.client.get("/accounts/login/", name="login page", timeout=TIMEOUT)
        with self.client.post(
            "/accounts/login/",
            data={
                "csrfmiddlewaretoken": self.csrf(),
                "username": self.email,
                "password": PASSWORD,
                "next": BASE,
            },
            name="login",
            allow_redirects=False,
            timeout=TIMEOUT,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or response.headers.get("Location") != BASE:
                response.failure(f"login of {self.email}: {problem(response)}")
            else:
                response.success()

    def open_checkin_page(self) -> FormFields | None:
        text = self.page(BASE + "checkin/", "check-in page")
        if text is None:
            return None
        form = FormFields("checkin-form")
        form.feed(text)
        self.rows = editable_rows(form)
        return form

    # --- the weekly mix ----------------------------------------------------------------------

    @task(4)
    def my_okrs(self) -> None:
        self.page(BASE, "my okrs")

    @task(3)
    def weekly_checkin(self) -> None:
        """Open the check-in page, change one to three rows, save, land on the page again."""
        form = self.open_checkin_page()
        if form is None or not self.rows:
            return
        chosen = random.sample(self.rows, k=min(len(self.rows), random.randint(1, 3)))
        data = self.changed(form.pairs, chosen)
        sent["web rows attempted"] += len(chosen)
        with self.client.post(
            BASE + "checkin/",
            data=data,
            headers={"Referer": self.client.base_url + BASE + "checkin/"},
            name="check-in save",
            allow_redirects=False,
            timeout=TIMEOUT,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                # 200 means the form came back with errors: nothing was saved.
                response.failure(f"check-in save of {self.email}: {problem(response)}")
                return
            response.success()
        sent["web rows"] += len(chosen)
        self.page(response.headers["Location"], "check-in page")

    @task(2)
    def dashboard(self) -> None:
        self.page(BASE + "dashboard/", "dashboard")

    @task(2)
    def alignment_map(self) -> None:
        self.page(BASE + "map/", "map")

    @task(1)
    def api_checkin(self) -> None:
        if not self.rows:
            return
        row = random.choice(self.rows)
        body: dict[str, object] = {"confidence": random.randint(3, 9), "note": NOTE}
        if row.kind == "value":
            row.value = str(next_value(row.value))
            body["value"] = row.value
        elif row.kind == "done":
            row.done = not row.done
            body["done"] = row.done
        else:
            row.milestones_done = toggled_milestones(row)
            body["milestone_ids_done"] = row.milestones_done
        sent["api attempted"] += 1
        with self.client.post(
            f"/api/v1/orgs/{SLUG}/key-results/{row.pk}/check-ins",
            json=body,
            headers={"X-CSRFToken": self.csrf(), "Idempotency-Key": uuid.uuid4().hex},
            name="api check-in",
            timeout=TIMEOUT,
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"api check-in of {self.email}: {problem(response)}")
                return
            response.success()
        sent["api"] += 1

    def changed(self, pairs: list[tuple[str, str]], rows: list[Row]) -> list[tuple[str, str]]:
        """The form as the browser would send it after the person edited these rows."""
        edits: dict[str, list[str]] = {}
        for row in rows:
            prefix = f"kr{row.pk}"
            edits[f"{prefix}-confidence"] = [str(random.randint(3, 9))]
            edits[f"{prefix}-note"] = [NOTE]
            if row.kind == "value":
                edits[f"{prefix}-value"] = [str(next_value(row.value))]
            elif row.kind == "done":
                edits[f"{prefix}-done"] = [] if row.done else ["on"]
            else:
                edits[f"{prefix}-milestones"] = [str(m) for m in toggled_milestones(row)]
        kept = [(name, value) for name, value in pairs if name not in edits]
        return kept + [(name, value) for name, values in edits.items() for value in values]


def signed_in(environment: Environment) -> None:
    """Once everybody is signed in, the measured window starts: the statistics so far (the
    sign-in rush: PBKDF2 is slow on purpose) are kept aside as the warm-up, and the run
    ends LOAD_MEASURE seconds later."""
    global _signed_in
    _signed_in += 1
    if _signed_in != environment.parsed_options.num_users:
        return
    stats = environment.stats
    warmup["entries"] = [
        {
            "name": entry.name,
            "method": entry.method,
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p50_ms": entry.get_response_time_percentile(0.5),
            "p95_ms": entry.get_response_time_percentile(0.95),
        }
        for entry in stats.entries.values()
    ]
    warmup["failures"] = [
        {"name": e.name, "error": str(e.error), "occurrences": e.occurrences}
        for e in stats.errors.values()
    ]
    warmup["seconds"] = round(time.time() - stats.total.start_time, 1)
    stats.reset_all()
    runner = environment.runner
    assert runner is not None
    gevent.spawn_later(MEASURE, runner.quit)


@events.test_stop.add_listener
def _write_report(**_kwargs: object) -> None:
    if REPORT_FILE:
        report = {"run_id": RUN_ID, "measured_s": MEASURE, "sent": sent, "warmup": warmup}
        Path(REPORT_FILE).write_text(json.dumps(report, indent=2) + "\n")
