"""Who hears of an event: members only, never the actor, only those who may see the
objective; in their own language; in the inbox and by e-mail as they chose; and which
channels may be told at all."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core import mail

from luodi.notify.events import EventKind, Message
from luodi.notify.models import Delivery, Notification, NotificationPreference
from luodi.orgs.choices import Role
from luodi.orgs.services import member_add, unit_create
from tests.conftest import make_objective
from tests.notify.conftest import TITLE_ZH, make_channel

EN = "Move “Revenue” up"
ZH = TITLE_ZH % {"title": "Revenue"}


def inbox_of(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user))


@pytest.mark.django_db
def test_members_only_never_the_actor(org, owner, member, other_owner, other_org, send):
    send(org, recipients=[owner.pk, member.pk, other_owner.pk, 999_999], actor_id=owner.pk)
    assert [n.recipient_id for n in Notification.objects.all()] == [member.pk]
    n = Notification.objects.get()
    assert (n.organization_id, n.kind, n.actor_id) == (org.pk, "checkin.created", owner.pk)
    assert n.url == "/o/acme/objectives/1/"


@pytest.mark.django_db
def test_inactive_people_are_skipped(org, member, send):
    member.is_active = False
    member.save()
    send(org, recipients=[member.pk])
    assert Notification.objects.count() == 0


@pytest.mark.django_db
def test_private_and_draft_objectives_reach_only_who_may_see_them(
    org, owner, member, admin, cycle, send
):
    colleague = member_add(
        organization=org, actor=owner, email="c@acme.example", name="C", role=Role.MEMBER
    ).user
    private = make_objective(
        org, member, cycle, title="Secret plan", level="individual", visibility="private"
    )
    draft = make_objective(org, member, cycle, title="Draft", level="individual", state="draft")
    public = make_objective(org, member, cycle, title="Open", level="individual")
    everyone = [owner.pk, member.pk, admin.pk, colleague.pk]
    for objective in (private, draft, public):
        Notification.objects.all().delete()
        send(org, recipients=everyone, objective_id=objective.pk, actor_id=None)
        got = {n.recipient_id for n in Notification.objects.all()}
        if objective is public:
            assert got == set(everyone)
        else:
            # Owner and admins see private and draft objectives; a colleague does not.
            assert colleague.pk not in got
            assert member.pk in got and admin.pk in got


@pytest.mark.django_db
def test_objective_of_another_organization_tells_no_one(
    org, owner, member, other_org, other_owner, other_cycle, send
):
    theirs = make_objective(other_org, other_owner, other_cycle, title="Their goal")
    send(org, recipients=[owner.pk, member.pk], objective_id=theirs.pk)
    assert Notification.objects.count() == 0


@pytest.mark.django_db
def test_each_recipient_reads_their_own_language(org, owner, member, send):
    owner.language = "zh-hans"
    owner.save()
    member.language = "en"
    member.save()
    send(org, recipients=[owner.pk, member.pk], body=Message("Progress"))
    assert inbox_of(owner)[0].title == ZH
    assert inbox_of(owner)[0].body == "进度"
    assert inbox_of(member)[0].title == EN
    assert inbox_of(member)[0].body == "Progress"


@pytest.mark.django_db
def test_no_personal_language_uses_the_organization_locale(org, member, send):
    assert member.language == "" and org.locale == "zh-hans"
    send(org, recipients=[member.pk])
    assert inbox_of(member)[0].title == ZH


@pytest.mark.django_db
def test_default_email_only_for_kinds_that_ask_something(org, owner, member, send):
    send(org, recipients=[member.pk], kind=EventKind.CHECKIN_CREATED)
    assert len(mail.outbox) == 0
    assert len(inbox_of(member)) == 1
    send(org, recipients=[member.pk], kind=EventKind.MENTION)
    assert len(mail.outbox) == 1
    assert len(inbox_of(member)) == 2


@pytest.mark.django_db
def test_email_in_the_recipients_language_with_an_absolute_link(org, owner, member, send, settings):
    settings.LUODI_BASE_URL = "https://okr.example.com/"
    member.language = "en"
    member.save()
    owner.language = "zh-hans"
    owner.save()
    send(org, recipients=[member.pk, owner.pk], kind=EventKind.MENTION, body=Message("Progress"))
    by_to = {m.to[0]: m for m in mail.outbox}
    english = by_to[member.email]
    assert english.subject == f"Acme · {EN}"
    assert "Progress" in english.body
    assert "https://okr.example.com/o/acme/objectives/1/" in english.body
    assert "https://okr.example.com/o/acme/notifications/settings/" in english.body
    chinese = by_to[owner.email]
    assert ZH in chinese.subject and "进度" in chinese.body


@pytest.mark.django_db
def test_preferences_are_respected(org, member, send):
    NotificationPreference.objects.create(
        organization=org, user=member, kind=EventKind.CHECKIN_CREATED, inbox=False, email=True
    )
    NotificationPreference.objects.create(
        organization=org, user=member, kind=EventKind.MENTION, inbox=True, email=False
    )
    send(org, recipients=[member.pk], kind=EventKind.CHECKIN_CREATED)
    assert inbox_of(member) == []
    assert [m.to for m in mail.outbox] == [[member.email]]
    send(org, recipients=[member.pk], kind=EventKind.MENTION)
    assert [n.kind for n in inbox_of(member)] == ["mention"]
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_preferences_of_another_organization_do_not_apply(org, member, other_org, send):
    NotificationPreference.objects.create(
        organization=other_org, user=member, kind=EventKind.CHECKIN_CREATED, inbox=False
    )
    send(org, recipients=[member.pk])
    assert len(inbox_of(member)) == 1


@pytest.mark.django_db
def test_recipient_check_costs_constant_queries(
    org, owner, cycle, send, django_assert_max_num_queries
):
    people = [
        member_add(
            organization=org, actor=owner, email=f"p{i}@acme.example", name=f"P{i}", role="member"
        ).user.pk
        for i in range(15)
    ]
    objective = make_objective(org, owner, cycle, title="Open to all")
    # objective, memberships, preferences, insert, channels
    with django_assert_max_num_queries(8):
        send(org, recipients=people, objective_id=objective.pk)
    assert Notification.objects.count() == 15


# channels: who is listening


@pytest.fixture
def tree(org, owner):
    company = unit_create(organization=org, actor=owner, name="Acme", kind="company")
    dept = unit_create(
        organization=org, actor=owner, name="Eng", kind="department", parent_id=company.pk
    )
    team = unit_create(
        organization=org, actor=owner, name="Platform", kind="team", parent_id=dept.pk
    )
    sibling = unit_create(
        organization=org, actor=owner, name="Sales", kind="department", parent_id=company.pk
    )
    return SimpleNamespace(company=company, dept=dept, team=team, sibling=sibling)


def channels_told() -> set[str]:
    return set(Delivery.objects.values_list("channel__name", flat=True))


@pytest.fixture
def quiet_http(monkeypatch):
    """Deliveries are queued but not posted: these tests are about who is queued."""
    from luodi.notify import tasks

    monkeypatch.setattr(tasks, "deliver", lambda delivery_id: None)


@pytest.mark.django_db
def test_unit_channels_hear_events_of_their_subtree(org, tree, send, quiet_http):
    make_channel(org, "https://x.example/a", name="org")
    make_channel(org, "https://x.example/b", name="dept", unit=tree.dept)
    make_channel(org, "https://x.example/c", name="team", unit=tree.team)
    make_channel(org, "https://x.example/d", name="sibling", unit=tree.sibling)
    send(org, unit_id=tree.team.pk)
    assert channels_told() == {"org", "dept", "team"}
    Delivery.objects.all().delete()
    send(org)  # no unit: only organization channels
    assert channels_told() == {"org"}


@pytest.mark.django_db
def test_private_and_draft_objectives_never_reach_a_channel(
    org, owner, cycle, tree, send, quiet_http
):
    make_channel(org, "https://x.example/a", name="org")
    make_channel(org, "https://x.example/b", name="dept", unit=tree.dept)
    private = make_objective(
        org, owner, cycle, title="P", level="unit", unit_id=tree.dept.pk, visibility="private"
    )
    draft = make_objective(
        org, owner, cycle, title="D", level="unit", unit_id=tree.dept.pk, state="draft"
    )
    for objective in (private, draft):
        send(org, objective_id=objective.pk)
    assert Delivery.objects.count() == 0


@pytest.mark.django_db
def test_unit_only_objective_reaches_only_channels_whose_readers_see_it(
    org, owner, cycle, tree, send, quiet_http
):
    make_channel(org, "https://x.example/a", name="org")
    make_channel(org, "https://x.example/co", name="company", unit=tree.company)
    make_channel(org, "https://x.example/b", name="dept", unit=tree.dept)
    make_channel(org, "https://x.example/c", name="team", unit=tree.team)
    objective = make_objective(
        org, owner, cycle, title="U", level="unit", unit_id=tree.dept.pk, visibility="unit"
    )
    send(org, objective_id=objective.pk)
    # Not the whole organization, not the company's channel (Sales cannot see it).
    assert channels_told() == {"dept"}


@pytest.mark.django_db
def test_public_objective_follows_its_unit(org, owner, cycle, tree, send, quiet_http):
    make_channel(org, "https://x.example/a", name="org")
    make_channel(org, "https://x.example/b", name="dept", unit=tree.dept)
    make_channel(org, "https://x.example/d", name="sibling", unit=tree.sibling)
    objective = make_objective(org, owner, cycle, title="O", level="unit", unit_id=tree.team.pk)
    send(org, objective_id=objective.pk)
    assert channels_told() == {"org", "dept"}


@pytest.mark.django_db
def test_other_organizations_channels_hear_nothing(org, other_org, send, quiet_http):
    make_channel(other_org, "https://x.example/theirs", name="theirs")
    send(org)
    assert Delivery.objects.count() == 0
