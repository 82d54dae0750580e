"""`luodi demo` with today's real date: load, print, and hand over to `luodi serve`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from luodi.demo.management.commands import demo as demo_command
from luodi.okrs.rebuild import rebuild
from luodi.okrs.selectors import Clock
from luodi.orgs.models import Organization
from tests.demo.helpers import status_counts

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_demo_command_loads_today_prints_accounts_then_serves(monkeypatch):
    out = run("--no-serve", "--port", "8123")

    org = Organization.objects.get(slug="demo")
    assert org.name == "星辰优选"
    assert "http://127.0.0.1:8123/" in out
    assert "http://127.0.0.1:8123/admin/" in out
    assert "http://127.0.0.1:8123/api/v1/docs" in out
    assert "luodi-demo" in out
    assert "admin@demo.example" in out and "owner" in out
    for email in org.memberships.values_list("user__email", flat=True):
        assert email in out

    # With today's real date the demo still shows a believable mix.
    statuses, stale = status_counts(org, Clock.for_org(org))
    for status in ("on_track", "at_risk", "off_track"):
        assert statuses[status] >= 1, statuses
    assert stale >= 1
    assert rebuild(organization=org, write=False).differences == []

    # Second run: nothing loaded again, and the server starts on the given address.
    calls = []
    real_call_command = demo_command.call_command

    def fake_call_command(name, *args, **kwargs):
        calls.append((name, kwargs))
        if name != "serve":
            real_call_command(name, *args, **kwargs)

    monkeypatch.setattr(demo_command, "call_command", fake_call_command)
    out = run("--host", "0.0.0.0", "--port", "9000", "--lang", "en")
    assert "already there" in out
    assert "http://127.0.0.1:9000/" in out
    assert [name for name, _ in calls] == ["migrate", "serve"]
    assert calls[-1][1] == {"host": "0.0.0.0", "port": 9000}
    assert Organization.objects.filter(slug="demo").count() == 1


def test_demo_command_refuses_an_unknown_language():
    with pytest.raises(CommandError):
        run("--no-serve", "--lang", "fr")
    assert not Organization.objects.filter(slug="demo").exists()


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("127.0.0.1", 8000, "http://127.0.0.1:8000/"),
        ("0.0.0.0", 80, "http://127.0.0.1:80/"),
        ("::1", 8000, "http://[::1]:8000/"),
        ("demo.example", 8080, "http://demo.example:8080/"),
    ],
)
def test_base_url(host, port, url):
    assert demo_command.base_url(host, port) == url
