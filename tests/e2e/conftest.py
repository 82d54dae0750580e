"""Browser fixtures: one Chromium per session, a fresh context per test, and a watch on the
console: any console error or uncaught page error fails the test that caused it.

Playwright's sync API runs an asyncio event loop in the test thread, and Django refuses ORM
calls from a thread with a running loop unless told that this is safe. Here it is: the test
thread and the live server only take turns (the test waits for the page before it reads the
database). The variable is set at import because the browser lives until the session ends,
after which other (plain) tests may still run in the same process.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from luodi.checkins.services import checkin_submit
from tests.conftest import make_metric, make_objective
from tests.e2e.support import (
    ACTION_TIMEOUT_MS,
    CHROMIUM,
    CHROMIUM_ARGS,
    LAPTOP,
    NAVIGATION_TIMEOUT_MS,
    missing_reason,
    set_language,
    sign_in_by_cookie,
)

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

NOT_FOUND = "Failed to load resource: the server responded with a status of 404"


@dataclass
class BrowserErrors:
    """Console errors and uncaught exceptions of every page a test opened.

    Nothing is ignored, except a 404 for a URL the test itself declared it expects
    (`expect_404`): Chromium logs the 404 of a document it was sent to as a console error,
    and "a private objective's URL answers 404" is exactly what a privacy test checks.
    With it goes the 404 of /favicon.ico: Luodi's pages name their icon (`data:`), but the
    404 answer is Django's bare page (there is no 404.html yet), which names none, so
    Chromium asks for /favicon.ico. Anywhere else that 404 still fails the test.
    """

    seen: list[str] = field(default_factory=list)
    expected_404: list[str] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        self.pages.append(page)
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self.seen.append(f"page error: {error}"))

    def _console(self, page: Page, message: Any) -> None:
        if message.type != "error":
            return
        where = (message.location or {}).get("url", "") or page.url
        if message.text.startswith(NOT_FOUND) and any(where.endswith(p) for p in self.expected_404):
            return
        self.seen.append(f"console error: {message.text} (at {where})")

    def expect_404(self, path: str) -> None:
        self.expected_404 += [path, "/favicon.ico"]

    def settle(self) -> None:
        """Let late events (a chart drawn after load) arrive before judging."""
        for page in self.pages:
            if page.is_closed():
                continue
            # A page that is navigating away or closing has nothing left to say.
            with contextlib.suppress(Exception):
                page.evaluate("() => new Promise((done) => requestAnimationFrame(() => done()))")


ERRORS_KEY = pytest.StashKey[BrowserErrors]()


def _report(errors: BrowserErrors) -> str:
    return "the browser reported errors:\n" + "\n".join(f"  {e}" for e in errors.seen)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    errors = item.stash.get(ERRORS_KEY, None)
    try:
        result = yield
    except Exception as failure:
        if errors is not None and errors.seen:  # often the cause: show it with the failure
            failure.add_note(_report(errors))
        raise
    if errors is not None:
        errors.settle()
        if errors.seen:
            raise AssertionError(_report(errors))
    return result


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def browser_errors(request: pytest.FixtureRequest) -> BrowserErrors:
    errors = BrowserErrors()
    request.node.stash[ERRORS_KEY] = errors
    return errors


@pytest.fixture
def new_context(
    browser: Browser, live_server: Any, browser_errors: BrowserErrors
) -> Iterator[Callable[..., BrowserContext]]:
    """`new_context(user=…, viewport=…, locale=…)`: a fresh browser profile, signed in as
    `user` when given; every page opened in it is watched for errors."""
    made: list[BrowserContext] = []

    def make(*, user: Any = None, **options: Any) -> BrowserContext:
        options.setdefault("viewport", LAPTOP)
        options.setdefault("locale", "en-US")
        options.setdefault("reduced_motion", "reduce")  # charts draw at once
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        context.on("page", browser_errors.watch)
        if user is not None:
            sign_in_by_cookie(context, live_server.url, user)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    """A page in a fresh, signed-out context at laptop width."""
    return new_context().new_page()


@pytest.fixture(autouse=True)
def _expect_timeout() -> None:
    expect.set_options(timeout=ACTION_TIMEOUT_MS)


@pytest.fixture
def member_okrs(org: Any, owner: Any, member: Any, cycle: Any, unit_tree: Any) -> Any:
    """The member (English) with one objective and three key results: imported accounts
    0 → 100 (now 20, confidence 6), import errors 50 → 10 and docs pages 0 → 10 (neither
    checked in yet)."""
    set_language(member, "en")
    objective = make_objective(
        org, member, cycle, title="Ship the account importer", level="individual"
    )
    accounts = make_metric(objective, member, "0", "100", title="Imported accounts")
    checkin_submit(key_result=accounts, actor=member, value="20", confidence=6)
    errors = make_metric(objective, member, "50", "10", title="Import errors per week")
    docs = make_metric(objective, member, "0", "10", title="Docs pages written")
    return SimpleNamespace(objective=objective, accounts=accounts, errors=errors, docs=docs)
