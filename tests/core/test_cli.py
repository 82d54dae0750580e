from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from luodi.accounts.models import ApiToken, User, hash_token
from luodi.cli import main
from luodi.orgs.models import Membership, Organization

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def createuser(*args: str) -> tuple[str, str]:
    return run("createuser", *args)


def test_createuser_creates_organization_with_owner():
    createuser(
        "--email", "Ann@Example.com", "--org", "acme", "--name", "Ann", "--password", "s3cret-pass"
    )

    org = Organization.objects.get(slug="acme")
    assert org.name == "acme"
    user = User.objects.get(email="ann@example.com")
    assert user.name == "Ann"
    assert user.check_password("s3cret-pass")
    membership = Membership.objects.get(organization=org, user=user)
    assert membership.role == "owner"


def test_createuser_without_password_makes_unusable_password():
    createuser("--email", "ann@example.com", "--org", "acme")

    assert not User.objects.get(email="ann@example.com").has_usable_password()


def test_second_createuser_joins_with_given_role():
    createuser("--email", "ann@example.com", "--org", "acme")
    out, _ = createuser("--email", "bob@example.com", "--org", "acme", "--role", "admin")
    createuser("--email", "cy@example.com", "--org", "acme")

    roles = dict(
        Membership.objects.filter(organization__slug="acme").values_list("user__email", "role")
    )
    assert roles == {
        "ann@example.com": "owner",
        "bob@example.com": "admin",
        "cy@example.com": "member",
    }
    assert Organization.objects.count() == 1
    assert "bob@example.com" in out


def test_existing_user_can_create_another_organization():
    createuser("--email", "ann@example.com", "--org", "acme")
    _, err = createuser(
        "--email",
        "ann@example.com",
        "--org",
        "globex",
        "--role",
        "viewer",
        "--password",
        "other-pass",
    )

    assert User.objects.count() == 1
    assert Membership.objects.get(organization__slug="globex").role == "owner"
    assert "--role viewer ignored" in err
    assert "password left unchanged" in err
    assert not User.objects.get().check_password("other-pass")


def test_createuser_bad_email_exits_2_and_creates_nothing():
    err = StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("createuser", "--email", "not-an-email", "--org", "acme", stderr=err)

    assert excinfo.value.returncode == 2
    assert err.getvalue().startswith("email: ")
    assert not User.objects.exists()
    assert not Organization.objects.exists()


def test_createuser_bad_email_in_existing_org_creates_nothing():
    createuser("--email", "ann@example.com", "--org", "acme")

    with pytest.raises(CommandError) as excinfo:
        createuser("--email", "bob@", "--org", "acme")

    assert excinfo.value.returncode == 2
    assert User.objects.count() == 1
    assert Membership.objects.count() == 1


def test_createuser_reports_every_field_error():
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("createuser", "--email", "nope", "--org", "bad slug!", stderr=err)

    fields = {line.split(":")[0] for line in err.getvalue().splitlines()}
    assert fields == {"email", "slug"}


def test_createuser_short_password_is_refused():
    with pytest.raises(CommandError) as excinfo:
        createuser("--email", "ann@example.com", "--org", "acme", "--password", "short")

    assert excinfo.value.returncode == 2
    assert not User.objects.exists()


def test_createuser_twice_in_same_org_is_an_error():
    createuser("--email", "ann@example.com", "--org", "acme")
    createuser("--email", "bob@example.com", "--org", "acme")

    with pytest.raises(CommandError) as excinfo:
        createuser("--email", "bob@example.com", "--org", "acme", "--role", "admin")

    assert excinfo.value.returncode == 2
    assert Membership.objects.get(user__email="bob@example.com").role == "member"


def test_createuser_exit_status_from_the_luodi_command(monkeypatch, capsys):
    # run_from_argv closes all connections when done; keep the test database open.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)

    with pytest.raises(SystemExit) as excinfo:
        main(["createuser", "--email", "not-an-email", "--org", "acme"])

    assert excinfo.value.code == 2
    assert "email: " in capsys.readouterr().err
    assert not User.objects.exists()


def test_token_create_prints_only_the_raw_token():
    user = User.objects.create_user("ann@example.com")

    out, _ = run("token", "create", "--email", "ANN@example.com", "--name", "ci")

    raw = out.strip()
    assert out == raw + "\n"
    token = ApiToken.objects.get(token_hash=hash_token(raw))
    assert token.user == user
    assert token.name == "ci"
    assert raw.startswith(ApiToken.PREFIX)


def test_token_create_unknown_email_is_an_error():
    with pytest.raises(CommandError) as excinfo:
        run("token", "create", "--email", "nobody@example.com")

    assert excinfo.value.returncode == 2
    assert "nobody@example.com" in str(excinfo.value)
    assert not ApiToken.objects.exists()
