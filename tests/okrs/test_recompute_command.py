"""`luodi recompute [--org SLUG] [--check]`: rebuild from check-ins, report, repair."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from luodi.okrs.models import KeyResult, Objective
from tests.okrs.factories import check_in, contributes, key_result, objective

VENV_BIN = Path(sys.executable).parent


def run(*args: str) -> str:
    out = StringIO()
    call_command("recompute", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def chain(org, owner, cycle):
    parent = objective(org, owner, cycle, "Parent")
    child = objective(org, owner, cycle, "Child", alignments=[contributes(parent)])
    kr = key_result(child, owner)
    check_in(kr, owner, "4")
    return parent, child, kr


@pytest.mark.django_db
def test_a_clean_organization_reports_no_difference(chain, other_org):
    out = run("--check")

    assert "org acme: 1 key results, 2 objectives…" in out
    assert "org other: 0 key results, 0 objectives…" in out
    assert "org acme: 1 key results, 2 objectives checked, 0 differ" in out
    assert out.strip().endswith(
        "2 organization(s), 1 key results and 2 objectives checked; 0 difference(s) found."
    )


@pytest.mark.django_db
def test_check_reports_differences_changes_nothing_and_exits_1(chain):
    parent, _child, kr = chain
    Objective.objects.filter(pk=parent.pk).update(progress=0.9)
    KeyResult.objects.filter(pk=kr.pk).update(checkin_count=7)
    out = StringIO()

    with pytest.raises(CommandError) as exc:
        call_command("recompute", "--check", stdout=out)

    assert exc.value.returncode == 1
    assert "2 difference(s) found" in str(exc.value)
    assert f"objective {parent.pk} progress: stored 0.9, rebuilt 0.4" in out.getvalue()
    assert f"key_result {kr.pk} checkin_count: stored 7, rebuilt 1" in out.getvalue()
    assert Objective.objects.get(pk=parent.pk).progress == 0.9
    assert KeyResult.objects.get(pk=kr.pk).checkin_count == 7


@pytest.mark.django_db
def test_without_check_it_repairs(chain):
    parent, child, kr = chain
    Objective.objects.filter(pk__in=[parent.pk, child.pk]).update(progress=None)
    KeyResult.objects.filter(pk=kr.pk).update(progress=0.0, raw_progress=None)

    out = run()

    assert ", 4 repaired (" in out
    assert Objective.objects.get(pk=parent.pk).progress == 0.4
    assert KeyResult.objects.get(pk=kr.pk).progress == 0.4
    assert "0 difference(s) found" in run("--check")


@pytest.mark.django_db
def test_only_the_named_organization(chain, other_org, other_owner, other_cycle):
    theirs = objective(other_org, other_owner, other_cycle, "Theirs")
    Objective.objects.filter(pk=theirs.pk).update(progress=0.5)

    out = run("--org", "ACME", "--check")

    assert "org other" not in out
    assert "1 organization(s)" in out
    with pytest.raises(CommandError) as exc:
        run("--org", "other", "--check")
    assert exc.value.returncode == 1


@pytest.mark.django_db
def test_unknown_organization_is_an_error_with_status_2(db):
    with pytest.raises(CommandError) as exc:
        run("--org", "nope")
    assert exc.value.returncode == 2
    assert "nope" in str(exc.value)


@pytest.mark.django_db
def test_only_the_first_50_differences_are_listed(org, owner, cycle):
    objectives = [objective(org, owner, cycle, f"O{i}") for i in range(55)]
    Objective.objects.filter(pk__in=[o.pk for o in objectives]).update(progress=0.5)
    out = StringIO()

    with pytest.raises(CommandError):
        call_command("recompute", "--check", stdout=out)

    lines = [line for line in out.getvalue().splitlines() if line.startswith("  objective")]
    assert len(lines) == 50
    assert "  … and 5 more" in out.getvalue()


SETUP = textwrap.dedent(
    """
    import django
    django.setup()
    from datetime import date
    from luodi.accounts.models import User
    from luodi.checkins.services import checkin_submit
    from luodi.okrs.models import Objective
    from luodi.okrs.services import key_result_create, objective_create
    from luodi.orgs.services import cycle_create, organization_create

    owner = User.objects.create_user(email="ann@example.com")
    org = organization_create(name="Acme", slug="acme", owner=owner)
    cycle = cycle_create(organization=org, actor=owner, name="Q", state="active",
                         start_date=date(2026, 1, 1), end_date=date(2026, 3, 31))
    obj, _ = objective_create(organization=org, actor=owner, cycle_id=cycle.pk,
                              title="O", level="company")
    kr, _ = key_result_create(objective=obj, actor=owner, kind="metric", title="K",
                              start=0, target=10)
    checkin_submit(key_result=kr, actor=owner, value="5")
    Objective.objects.filter(pk=obj.pk).update(progress=0.1)
    """
)


def test_the_luodi_command_exit_status(tmp_path):
    """A real `luodi` process against a fresh SQLite data directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LUODI_")}
    env.update(LUODI_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="luodi.settings")
    luodi = str(VENV_BIN / "luodi")

    def call(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [luodi, *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )

    assert call("migrate", "-v", "0").returncode == 0
    assert call("recompute", "--check").returncode == 0
    subprocess.run(
        [sys.executable, "-c", SETUP], env=env, check=True, capture_output=True, timeout=120
    )

    checked = call("recompute", "--check")
    assert checked.returncode == 1, checked.stderr
    assert "progress: stored 0.1, rebuilt 0.5" in checked.stdout
    assert "1 difference(s) found" in checked.stderr
    assert call("recompute").returncode == 0
    assert call("recompute", "--check").returncode == 0
    unknown = call("recompute", "--org", "nope")
    assert unknown.returncode == 2
    assert "nope" in unknown.stderr
