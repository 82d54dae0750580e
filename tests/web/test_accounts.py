"""Accounts: password reset, invitations, language, switching and creating organizations."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from luodi.accounts.models import Invitation, User
from luodi.orgs.choices import Role
from luodi.orgs.models import Membership, Organization, Unit
from luodi.orgs.services import unit_create
from luodi.web.decorators import SESSION_ORG_KEY

LINK = re.compile(r"https?://testserver(/\S+)")


def link_in(message: mail.EmailMessage) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def members_url(org: Organization) -> str:
    return reverse("web:settings-members", kwargs={"org": org.slug})


# password reset


@pytest.mark.django_db
def test_password_reset_sends_a_working_link(client, owner, member):
    response = client.post(reverse("password_reset"), {"email": "owner@acme.example"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["owner@acme.example"]
    link = link_in(message)
    # Django swaps the token for a session marker and redirects to the form.
    response = client.get(link, follow=True)
    assert response.status_code == 200
    assert b'name="new_password1"' in response.content
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "a-new-pw-4321", "new_password2": "a-new-pw-4321"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_complete")
    assert client.get(reverse("password_reset_complete")).status_code == 200
    client.logout()
    assert client.login(username="owner@acme.example", password="a-new-pw-4321")
    assert not client.login(username="owner@acme.example", password="pw-12345678")
    # The link works once.
    client.logout()
    response = client.get(link, follow=True)
    assert b'name="new_password1"' not in response.content


@pytest.mark.django_db
def test_password_reset_lets_a_never_set_up_account_choose_a_password(client, member):
    """Someone added without a password (e.g. through the API) can set one by email."""
    assert not member.has_usable_password()
    client.post(reverse("password_reset"), {"email": "member@acme.example"})
    assert len(mail.outbox) == 1
    response = client.get(link_in(mail.outbox[0]), follow=True)
    client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "mia-new-pw-55", "new_password2": "mia-new-pw-55"},
    )
    assert client.login(username="member@acme.example", password="mia-new-pw-55")


@pytest.mark.django_db
def test_password_reset_pages_use_our_templates(client, db):
    response = client.get(reverse("password_reset"))
    assert response.status_code == 200
    assert "registration/password_reset_form.html" in [t.name for t in response.templates]
    assert b'class="auth"' in response.content
    response = client.get(reverse("password_reset_done"))
    assert b'class="auth"' in response.content


@pytest.mark.django_db
def test_password_reset_for_unknown_email_sends_nothing_and_tells_nothing(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@nowhere.example"})
    assert response.status_code == 302
    assert mail.outbox == []


# invitations


def invite(client, org, **fields):
    data = {"email": "new@acme.example", "name": "Nina New", "role": "member"}
    data.update(fields)
    return client.post(members_url(org), data)


@pytest.mark.django_db
def test_invitation_end_to_end(client, org, owner):
    team = unit_create(organization=org, actor=owner, name="Growth", kind="team")
    client.force_login(owner)
    response = invite(client, org, role="admin", unit_id=team.pk, manager_id=owner.pk)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    invitation = Invitation.objects.get(email="new@acme.example")
    assert invitation.token_hash not in mail.outbox[0].body  # only the raw token travels
    link = link_in(mail.outbox[0])
    assert link.startswith("/accounts/invite/")
    # The pending invitation is listed.
    assert b"new@acme.example" in client.get(members_url(org)).content
    client.logout()

    page = client.get(link)
    assert page.status_code == 200
    assert b'name="password"' in page.content
    response = client.post(
        link, {"name": "Nina New", "password": "nina-pw-9876", "password_again": "nina-pw-9876"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home", kwargs={"org": org.slug})
    user = User.objects.get(email="new@acme.example")
    membership = Membership.objects.get(organization=org, user=user)
    assert membership.role == Role.ADMIN
    assert membership.unit == team
    assert membership.manager == owner
    # Signed in right away.
    assert client.get(reverse("web:home", kwargs={"org": org.slug})).status_code == 200
    client.logout()
    assert client.login(username="new@acme.example", password="nina-pw-9876")
    client.logout()

    # Single use.
    again = client.get(link)
    assert again.status_code == 410
    response = client.post(
        link, {"name": "Evil", "password": "other-pw-9876", "password_again": "other-pw-9876"}
    )
    assert response.status_code == 410
    user.refresh_from_db()
    assert user.check_password("nina-pw-9876")


@pytest.mark.django_db
def test_invitation_email_is_in_the_organizations_language(client, org, owner):
    org.locale = "en"
    org.save()
    client.force_login(owner)
    invite(client, org)
    assert "Join Acme on Luodi" in mail.outbox[0].subject


@pytest.mark.django_db
def test_expired_invitation_is_refused(client, org, owner):
    client.force_login(owner)
    invite(client, org)
    link = link_in(mail.outbox[0])
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    client.logout()
    assert client.get(link).status_code == 410
    response = client.post(
        link, {"name": "Nina", "password": "nina-pw-9876", "password_again": "nina-pw-9876"}
    )
    assert response.status_code == 410
    assert not User.objects.filter(email="new@acme.example").exists()


@pytest.mark.django_db
def test_invitation_link_expires_after_fourteen_days(client, org, owner):
    client.force_login(owner)
    invite(client, org)
    invitation = Invitation.objects.get()
    assert invitation.expires_at - invitation.created_at == pytest.approx(
        timedelta(days=14), abs=timedelta(seconds=5)
    )


@pytest.mark.django_db
def test_unknown_invitation_token_is_404(client, db):
    assert client.get("/accounts/invite/not-a-token/").status_code == 404


@pytest.mark.django_db
def test_invitation_form_errors_beside_fields_and_nothing_saved(client, org, owner, member):
    client.force_login(owner)
    response = invite(client, org, email="member@acme.example")
    assert response.status_code == 200
    assert "This person is already a member." in response.content.decode()
    response = invite(client, org, email="not-an-email")
    assert response.status_code == 200
    assert Invitation.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_new_account_needs_a_valid_password(client, org, owner):
    client.force_login(owner)
    invite(client, org)
    link = link_in(mail.outbox[0])
    client.logout()
    response = client.post(link, {"name": "Nina", "password": "short", "password_again": "short"})
    assert response.status_code == 200
    assert 'id="id_password_error"' in response.content.decode()
    response = client.post(
        link, {"name": "Nina", "password": "nina-pw-9876", "password_again": "different-9876"}
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="new@acme.example").exists()
    assert Invitation.objects.get().accepted_at is None


@pytest.mark.django_db
def test_registered_email_just_joins(client, org, owner, other_org, other_owner):
    # The owner of another organization is invited into Acme.
    client.force_login(owner)
    invite(client, org, email="outsider@other.example", role="viewer")
    link = link_in(mail.outbox[0])
    client.logout()
    page = client.get(link)
    assert b'name="password"' not in page.content
    response = client.post(link, {})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    membership = Membership.objects.get(organization=org, user=other_owner)
    assert membership.role == Role.VIEWER
    other_owner.refresh_from_db()
    assert other_owner.check_password("pw-12345678")  # untouched


@pytest.mark.django_db
def test_signed_in_as_someone_else_cannot_use_the_link(client, org, owner, member):
    client.force_login(owner)
    invite(client, org)
    link = link_in(mail.outbox[0])
    client.force_login(member)
    assert client.get(link).status_code == 403
    response = client.post(
        link, {"name": "X", "password": "nina-pw-9876", "password_again": "nina-pw-9876"}
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="new@acme.example").exists()


@pytest.mark.django_db
def test_invitations_are_scoped_to_their_organization(client, org, owner, other_org, other_owner):
    client.force_login(owner)
    invite(client, org)
    invitation = Invitation.objects.get()
    client.force_login(other_owner)
    for name in ("web:settings-invitation-resend", "web:settings-invitation-revoke"):
        url = reverse(name, kwargs={"org": other_org.slug, "pk": invitation.pk})
        assert client.post(url).status_code == 404
        url = reverse(name, kwargs={"org": org.slug, "pk": invitation.pk})
        assert client.post(url).status_code == 404
    invitation.refresh_from_db()
    assert invitation.is_pending
    assert (
        f'id="invitation-{invitation.pk}"'
        not in client.get(members_url(other_org)).content.decode()
    )
    # Accepting joins Acme only.
    link = link_in(mail.outbox[0])
    client.logout()
    client.post(link, {"name": "N", "password": "nina-pw-9876", "password_again": "nina-pw-9876"})
    user = User.objects.get(email="new@acme.example")
    assert list(
        Membership.objects.filter(user=user).values_list("organization__slug", flat=True)
    ) == ["acme"]
    assert client.get(reverse("web:home", kwargs={"org": other_org.slug})).status_code == 404


@pytest.mark.django_db
def test_resend_rotates_the_link_and_revoke_withdraws_it(client, org, owner):
    client.force_login(owner)
    invite(client, org)
    first = link_in(mail.outbox[0])
    invitation = Invitation.objects.get()
    client.post(
        reverse("web:settings-invitation-resend", kwargs={"org": "acme", "pk": invitation.pk})
    )
    assert len(mail.outbox) == 2
    second = link_in(mail.outbox[1])
    assert first != second
    assert client.get(first).status_code == 404  # the old link stopped working
    client.post(
        reverse("web:settings-invitation-revoke", kwargs={"org": "acme", "pk": invitation.pk})
    )
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    client.logout()
    assert client.get(second).status_code == 410


@pytest.mark.django_db
def test_only_owners_invite_owners(client, org, admin):
    client.force_login(admin)
    response = invite(client, org, role="owner")
    assert response.status_code == 200
    assert Invitation.objects.count() == 0


@pytest.mark.django_db
def test_members_cannot_invite(client, org, member):
    client.force_login(member)
    assert invite(client, org).status_code == 403
    assert Invitation.objects.count() == 0


# language


@pytest.mark.django_db
def test_language_switch_persists_on_the_user(client, member):
    client.force_login(member)
    response = client.post(reverse("web:language"), {"language": "en", "next": "/guide/"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.language == "en"
    # A fresh browser (no cookie) still gets English: it is stored on the user.
    client.cookies.clear()
    client.force_login(member)
    response = client.get(reverse("web:guide"))
    assert response.content.decode().count('lang="en"') >= 1
    assert "How Luodi computes progress" in response.content.decode()
    client.post(reverse("web:language"), {"language": "zh-hans", "next": "/"})
    member.refresh_from_db()
    assert member.language == "zh-hans"
    assert '<html lang="zh-hans">' in client.get(reverse("web:guide")).content.decode()


@pytest.mark.django_db
def test_first_sign_in_saves_the_browsers_language(client, owner):
    assert owner.language == ""
    response = client.post(
        reverse("login"),
        {"username": owner.email, "password": "pw-12345678"},
        HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9",
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.language == "en"


@pytest.mark.django_db
def test_sign_in_without_a_browser_preference_saves_nothing(client, owner):
    client.post(reverse("login"), {"username": owner.email, "password": "pw-12345678"})
    owner.refresh_from_db()
    assert owner.language == ""


@pytest.mark.django_db
def test_sign_in_keeps_a_saved_language(client, owner):
    owner.language = "zh-hans"
    owner.save()
    client.post(
        reverse("login"),
        {"username": owner.email, "password": "pw-12345678"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    owner.refresh_from_db()
    assert owner.language == "zh-hans"
    response = client.get(reverse("web:guide"), HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="zh-hans">' in response.content.decode()


# organizations


@pytest.mark.django_db
def test_org_switch_opens_and_remembers(client, org, owner, other_org, other_owner):
    # The owner also belongs to the other organization.
    from luodi.orgs.services import member_add

    member_add(organization=other_org, actor=other_owner, email=owner.email)
    client.force_login(owner)
    home = client.get(reverse("web:home", kwargs={"org": org.slug}))
    assert b"Other Co" in home.content  # the menu lists both
    response = client.post(reverse("web:org-switch"), {"org": "other"})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home", kwargs={"org": "other"})
    assert client.session[SESSION_ORG_KEY] == "other"
    assert client.get("/")["Location"] == reverse("web:home", kwargs={"org": "other"})
    owner.refresh_from_db()
    assert owner.last_organization == other_org
    # Remembered across sign-out and sign-in.
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": owner.email, "password": "pw-12345678"})
    assert client.get("/")["Location"] == reverse("web:home", kwargs={"org": "other"})


@pytest.mark.django_db
def test_org_switch_refuses_foreign_organizations(client, org, member, other_org):
    client.force_login(member)
    assert client.post(reverse("web:org-switch"), {"org": "other"}).status_code == 404
    assert client.get(reverse("web:org-switch")).status_code == 405


@pytest.mark.django_db
def test_signing_out_remembers_the_organization(client, org, owner, other_org, other_owner):
    from luodi.orgs.services import member_add

    member_add(organization=other_org, actor=other_owner, email=owner.email)
    client.force_login(owner)
    client.get(reverse("web:home", kwargs={"org": "other"}))
    client.post(reverse("logout"))
    owner.refresh_from_db()
    assert owner.last_organization == other_org


@pytest.mark.django_db
def test_org_create_makes_the_creator_owner(client, member):
    client.force_login(member)
    assert client.get(reverse("web:org-create")).status_code == 200
    response = client.post(reverse("web:org-create"), {"name": "Beta Labs", "slug": "beta-labs"})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home", kwargs={"org": "beta-labs"})
    beta = Organization.objects.get(slug="beta-labs")
    assert Membership.objects.get(organization=beta, user=member).role == Role.OWNER
    # Its home shows the setup path.
    assert b"setup-path" in client.get(response["Location"]).content


@pytest.mark.django_db
def test_org_create_refuses_bad_and_taken_slugs(client, org, member):
    client.force_login(member)
    response = client.post(reverse("web:org-create"), {"name": "Dup", "slug": "acme"})
    assert response.status_code == 200
    assert "This slug is already taken." in response.content.decode()
    response = client.post(reverse("web:org-create"), {"name": "Bad", "slug": "-Bad Slug-"})
    assert response.status_code == 200
    assert Organization.objects.count() == 1


@pytest.mark.django_db
def test_org_create_needs_sign_in(client, db):
    response = client.get(reverse("web:org-create"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_front_door_without_organization_goes_to_org_create(client, db):
    from tests.conftest import make_user

    loner = make_user("loner@x.example")
    client.force_login(loner)
    assert client.get("/")["Location"] == reverse("web:org-create")


@pytest.mark.django_db
def test_unit_fixture_is_clean(org):
    assert Unit.objects.filter(organization=org).count() == 0


@pytest.mark.django_db
def test_invitation_sets_up_an_account_that_never_had_a_password(client, org, owner, other_org):
    from luodi.orgs.services import member_add

    # Added to another organization without a password (as the API may do).
    ghost = member_add(organization=other_org, actor=None, email="ghost@x.example").user
    assert not ghost.has_usable_password()
    client.force_login(owner)
    invite(client, org, email="ghost@x.example")
    link = link_in(mail.outbox[0])
    client.logout()
    assert b'name="password"' in client.get(link).content
    response = client.post(
        link, {"name": "Gus Ghost", "password": "ghost-pw-2468", "password_again": "ghost-pw-2468"}
    )
    assert response.status_code == 302
    ghost.refresh_from_db()
    assert ghost.check_password("ghost-pw-2468")
    assert ghost.name == "Gus Ghost"
    assert Membership.objects.filter(organization=org, user=ghost).exists()
