"""Shared fixtures: three personas (owner, member, outsider in another organization), a
viewer, and small factories that go through the real services."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from luodi.accounts.models import ApiToken, User
from luodi.okrs.models import KeyResult, Objective
from luodi.okrs.services import key_result_create, objective_create
from luodi.orgs.choices import CycleState, Role
from luodi.orgs.models import Cycle, Organization
from luodi.orgs.services import cycle_create, member_add, organization_create

# Property tests must not fail because a busy CI machine is slow: no deadline, no
# "too slow" health check. They still run the same number of examples.
hypothesis_settings.register_profile(
    "luodi", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("luodi")


@pytest.fixture(autouse=True)
def _immediate_tasks() -> Iterator[None]:
    """Background tasks run at once. settings.HUEY alone does not do it: djhuey built its
    instance at import, and tasks would land in the data directory's queue file."""
    was = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = was


@pytest.fixture(autouse=True)
def _fast_settings(settings: Any, tmp_path: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.HUEY = {"huey_class": "huey.MemoryHuey", "immediate": True}
    # The product defaults to zh-hans; tests read English unless they ask for Chinese
    # (Accept-Language, the language cookie, or translation.override).
    settings.LANGUAGE_CODE = "en"


def make_user(email: str, name: str = "") -> User:
    return User.objects.create_user(email=email, password="pw-12345678", name=name or email)


@pytest.fixture
def owner(db: Any) -> User:
    return make_user("owner@acme.example", "Olivia Owner")


@pytest.fixture
def org(owner: User) -> Organization:
    return organization_create(name="Acme", slug="acme", owner=owner)


@pytest.fixture
def member(org: Organization, owner: User) -> User:
    return member_add(
        organization=org,
        actor=owner,
        email="member@acme.example",
        name="Mia Member",
        role=Role.MEMBER,
        manager=owner,
    ).user


@pytest.fixture
def admin(org: Organization, owner: User) -> User:
    return member_add(
        organization=org,
        actor=owner,
        email="admin@acme.example",
        name="Adam Admin",
        role=Role.ADMIN,
    ).user


@pytest.fixture
def viewer(org: Organization, owner: User) -> User:
    return member_add(
        organization=org,
        actor=owner,
        email="viewer@acme.example",
        name="Vera Viewer",
        role=Role.VIEWER,
    ).user


@pytest.fixture
def other_owner(db: Any) -> User:
    return make_user("outsider@other.example", "Otto Outsider")


@pytest.fixture
def other_org(other_owner: User) -> Organization:
    return organization_create(name="Other Co", slug="other", owner=other_owner)


@pytest.fixture
def cycle(org: Organization, owner: User) -> Cycle:
    """An active quarter that started 30 days ago and ends in 60 days."""
    today = timezone.localdate()
    return cycle_create(
        organization=org,
        actor=owner,
        name="Current quarter",
        start_date=today - timedelta(days=30),
        end_date=today + timedelta(days=60),
        state=CycleState.ACTIVE,
    )


@pytest.fixture
def other_cycle(other_org: Organization, other_owner: User) -> Cycle:
    return cycle_create(
        organization=other_org,
        actor=other_owner,
        name="Their quarter",
        start_date=date(2026, 10, 1),
        end_date=date(2026, 12, 31),
        state=CycleState.ACTIVE,
    )


def make_objective(org: Organization, actor: User, cycle: Cycle, **fields: Any) -> Objective:
    fields.setdefault("title", "Make customers happier")
    fields.setdefault("level", "company")
    objective, _warnings = objective_create(
        organization=org, actor=actor, cycle_id=cycle.pk, **fields
    )
    return objective


def make_metric(
    objective: Objective, actor: User, start: str = "0", target: str = "100", **fields: Any
) -> KeyResult:
    fields.setdefault("title", "Raise the number")
    kr, _warnings = key_result_create(
        objective=objective,
        actor=actor,
        kind=fields.pop("kind", "metric"),
        start=Decimal(start),
        target=Decimal(target),
        **fields,
    )
    return kr


def token_for(user: User) -> str:
    return ApiToken.issue(user=user, name="test")[1]


@pytest.fixture
def unit_tree(org: Organization, owner: User, member: User) -> Any:
    """Acme (company, led by the owner) → Engineering (led by Lena) → Platform (led by Tom),
    with the member and a colleague (Carl) in Platform."""
    from types import SimpleNamespace

    from luodi.orgs.models import Membership
    from luodi.orgs.services import member_update, unit_create

    lead = member_add(
        organization=org, actor=owner, email="lena@acme.example", name="Lena Lead", role="member"
    ).user
    tom = member_add(
        organization=org, actor=owner, email="tom@acme.example", name="Tom Team", role="member"
    ).user
    colleague = member_add(
        organization=org,
        actor=owner,
        email="carl@acme.example",
        name="Carl Colleague",
        role="member",
    ).user
    company = unit_create(
        organization=org, actor=owner, name="Acme", kind="company", leader_id=owner.pk
    )
    dept = unit_create(
        organization=org,
        actor=owner,
        name="Engineering",
        kind="department",
        parent_id=company.pk,
        leader_id=lead.pk,
    )
    team = unit_create(
        organization=org,
        actor=owner,
        name="Platform",
        kind="team",
        parent_id=dept.pk,
        leader_id=tom.pk,
    )
    for user, unit in (
        (owner, company),
        (lead, dept),
        (tom, team),
        (member, team),
        (colleague, team),
    ):
        membership = Membership.objects.get(organization=org, user=user)
        member_update(membership=membership, actor=owner, unit_id=unit.pk)
    for user in (owner, member, lead, tom, colleague):  # forget cached permissions
        user.__dict__.pop("_luodi_viewers", None)
        user.__dict__.pop("_luodi_memberships", None)
    return SimpleNamespace(
        company=company, dept=dept, team=team, lead=lead, tom=tom, colleague=colleague
    )


def merged_map_data(live: dict, frame: dict) -> dict:
    """The map's live numbers (`#map-data`) joined to the stored frame's nodes and links
    (`#map-frame`): nodes {id: [title, percent, status, level, unit]}, kids, more."""
    numbers = live["live"]
    nodes = {
        str(pk): [title, numbers[2 * i], numbers[2 * i + 1], level, unit]
        for i, (pk, title, level, unit) in enumerate(frame["nodes"])
    }
    return {**live, "nodes": nodes, "kids": frame["kids"], "more": frame["more"]}
