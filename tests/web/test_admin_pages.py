"""Administration pages: who may see them, what they save, what they refuse."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from luodi.orgs.choices import Role
from luodi.orgs.models import Cycle, Membership, Organization, Theme, Unit
from luodi.orgs.services import member_add, theme_create, unit_create
from tests.conftest import make_objective

LIST_PAGES = [
    "web:settings",
    "web:settings-units",
    "web:settings-members",
    "web:settings-cycles",
    "web:settings-themes",
]


def url(name: str, org: str = "acme", **kwargs: object) -> str:
    return reverse(name, kwargs={"org": org, **kwargs})


def settings_data(org: Organization, **changes: object) -> dict:
    data = {
        "name": org.name,
        "locale": org.locale,
        "timezone": org.timezone,
        "checkin_weekday": org.checkin_weekday,
        "status_tolerance": org.status_tolerance,
        "policy_mode": org.policy_mode,
        "policy_objectives_min": org.policy_objectives_min,
        "policy_objectives_max": org.policy_objectives_max,
        "policy_key_results_min": org.policy_key_results_min,
        "policy_key_results_max": org.policy_key_results_max,
    }
    if org.requires_approval:
        data["requires_approval"] = "on"
    data.update(changes)
    return data


# who may see them


@pytest.mark.django_db
@pytest.mark.parametrize("name", LIST_PAGES)
@pytest.mark.parametrize(
    ("persona", "expected"),
    [("owner", 200), ("admin", 200), ("member", 403), ("viewer", 403), ("other_owner", 404)],
)
def test_permission_matrix(client, org, other_org, name, persona, expected, request):
    request.getfixturevalue("admin")
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url(name)).status_code == expected


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client, org):
    response = client.get(url("web:settings"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_member_cannot_post_either(client, org, member):
    client.force_login(member)
    response = client.post(url("web:settings"), settings_data(org, name="Hacked"))
    assert response.status_code == 403
    assert (
        client.post(url("web:settings-themes"), {"title": "X", "kind": "vision"}).status_code == 403
    )
    org.refresh_from_db()
    assert org.name == "Acme"
    assert not Theme.objects.exists()


@pytest.mark.django_db
def test_objects_of_another_organization_are_404(client, org, owner, other_org, other_owner):
    unit = unit_create(organization=other_org, actor=other_owner, name="Their", kind="company")
    theme = theme_create(organization=other_org, actor=other_owner, title="Their vision")
    their_membership = Membership.objects.get(organization=other_org, user=other_owner)
    client.force_login(owner)
    assert client.get(url("web:settings-unit", pk=unit.pk)).status_code == 404
    assert client.post(url("web:settings-unit-delete", pk=unit.pk)).status_code == 404
    assert client.get(url("web:settings-theme", pk=theme.pk)).status_code == 404
    assert client.post(url("web:settings-theme-delete", pk=theme.pk)).status_code == 404
    assert client.get(url("web:settings-member", pk=their_membership.pk)).status_code == 404
    assert client.post(url("web:settings-member-remove", pk=their_membership.pk)).status_code == 404
    assert Unit.objects.filter(pk=unit.pk).exists()
    assert Theme.objects.filter(pk=theme.pk).exists()


@pytest.mark.django_db
def test_admin_link_in_the_menu_only_for_admins(client, org, owner, member):
    client.force_login(owner)
    assert url("web:settings").encode() in client.get(url("web:home")).content
    client.force_login(member)
    assert url("web:settings").encode() not in client.get(url("web:home")).content


# organization settings


@pytest.mark.django_db
def test_settings_save(client, org, owner):
    client.force_login(owner)
    response = client.post(
        url("web:settings"),
        settings_data(
            org,
            name="Acme Group",
            locale="en",
            timezone="Europe/Berlin",
            checkin_weekday=0,
            status_tolerance="0.15",
            policy_mode="enforce",
            policy_objectives_max=4,
            requires_approval="on",
        ),
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.name == "Acme Group"
    assert org.locale == "en"
    assert org.timezone == "Europe/Berlin"
    assert org.checkin_weekday == 0
    assert org.status_tolerance == Decimal("0.15")
    assert org.policy_mode == "enforce"
    assert org.policy_objectives_max == 4
    assert org.requires_approval is True


@pytest.mark.django_db
def test_settings_page_offers_common_time_zones(client, org, owner):
    client.force_login(owner)
    body = client.get(url("web:settings")).content.decode()
    for zone in ("Asia/Shanghai", "UTC", "Europe/London", "America/New_York"):
        assert f'value="{zone}"' in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"status_tolerance": "0.9"}, "status_tolerance"),
        ({"policy_objectives_min": 6, "policy_objectives_max": 5}, "policy_objectives_min"),
        ({"policy_key_results_min": 4, "policy_key_results_max": 3}, "policy_key_results_min"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"locale": "fr"}, "locale"),
        ({"name": ""}, "name"),
    ],
)
def test_settings_refuse_bad_values_beside_the_field(client, org, owner, changes, field):
    client.force_login(owner)
    data = settings_data(org, name="Renamed")
    data.update(changes)
    response = client.post(url("web:settings"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="id_{field}_error"' in body
    org.refresh_from_db()
    assert org.name == "Acme"  # nothing saved
    assert org.status_tolerance == Decimal("0.100")
    assert org.timezone == "Asia/Shanghai"


# units


@pytest.mark.django_db
def test_unit_create_rename_move_lead_delete(client, org, owner, member):
    client.force_login(owner)
    response = client.post(url("web:settings-units"), {"name": "Acme", "kind": "company"})
    assert response.status_code == 302
    company = Unit.objects.get(organization=org, kind="company")
    client.post(
        url("web:settings-units"),
        {"name": "Sales", "kind": "department", "parent_id": company.pk, "leader_id": owner.pk},
    )
    sales = Unit.objects.get(name="Sales")
    assert sales.parent == company
    assert sales.leader == owner
    client.post(url("web:settings-units"), {"name": "Ops", "kind": "department"})
    ops = Unit.objects.get(name="Ops")
    # rename, move under Sales, change the leader
    response = client.post(
        url("web:settings-unit", pk=ops.pk),
        {"name": "Operations", "kind": "team", "parent_id": sales.pk, "leader_id": member.pk},
    )
    assert response.status_code == 302
    ops.refresh_from_db()
    assert (ops.name, ops.kind, ops.parent, ops.leader) == ("Operations", "team", sales, member)
    # a unit cannot move under its own descendant
    response = client.post(
        url("web:settings-unit", pk=sales.pk),
        {"name": "Sales", "kind": "department", "parent_id": ops.pk},
    )
    assert response.status_code == 200
    sales.refresh_from_db()
    assert sales.parent == company
    # delete only when empty
    client.post(url("web:settings-unit-delete", pk=sales.pk))
    assert Unit.objects.filter(pk=sales.pk).exists()
    client.post(url("web:settings-unit-delete", pk=ops.pk))
    assert not Unit.objects.filter(pk=ops.pk).exists()


@pytest.mark.django_db
def test_unit_with_people_or_objectives_is_not_deleted(client, org, owner, member, cycle):
    team = unit_create(organization=org, actor=owner, name="Team", kind="team")
    Membership.objects.filter(user=member).update(unit=team)
    client.force_login(owner)
    response = client.post(url("web:settings-unit-delete", pk=team.pk), follow=True)
    assert "People still belong to it" in response.content.decode()
    assert Unit.objects.filter(pk=team.pk).exists()
    other = unit_create(organization=org, actor=owner, name="Other", kind="team")
    make_objective(org, owner, cycle, level="unit", unit_id=other.pk)
    client.post(url("web:settings-unit-delete", pk=other.pk))
    assert Unit.objects.filter(pk=other.pk).exists()


@pytest.mark.django_db
def test_unit_form_errors_beside_fields(client, org, owner):
    client.force_login(owner)
    response = client.post(url("web:settings-units"), {"name": "", "kind": "galaxy"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_name_error"' in body
    assert 'id="id_kind_error"' in body
    assert not Unit.objects.exists()


def _units_page_queries(client, org) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url("web:settings-units")).status_code == 200
    return len(queries.captured_queries)


@pytest.mark.django_db
def test_units_page_query_count_is_constant(client, org, owner, cycle):
    client.force_login(owner)
    company = unit_create(organization=org, actor=owner, name="Co", kind="company")
    unit_create(organization=org, actor=owner, name="D0", kind="department", parent_id=company.pk)
    small = _units_page_queries(client, org)
    for index in range(1, 12):
        dept = unit_create(
            organization=org, actor=owner, name=f"D{index}", kind="department",
            parent_id=company.pk, leader_id=owner.pk,
        )  # fmt: skip
        unit_create(organization=org, actor=owner, name=f"T{index}", kind="team", parent_id=dept.pk)
        make_objective(org, owner, cycle, title=f"O{index}", level="unit", unit_id=dept.pk)
    assert _units_page_queries(client, org) == small


# members


@pytest.mark.django_db
def test_member_role_unit_manager_change(client, org, owner, admin, member):
    team = unit_create(organization=org, actor=owner, name="Team", kind="team")
    membership = Membership.objects.get(organization=org, user=member)
    client.force_login(admin)
    response = client.post(
        url("web:settings-member", pk=membership.pk),
        {"role": "viewer", "unit_id": team.pk, "manager_id": admin.pk},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.role, membership.unit, membership.manager) == ("viewer", team, admin)


@pytest.mark.django_db
def test_only_owners_make_owners(client, org, owner, admin, member):
    membership = Membership.objects.get(organization=org, user=member)
    client.force_login(admin)
    response = client.post(url("web:settings-member", pk=membership.pk), {"role": "owner"})
    assert response.status_code == 200
    assert 'value="owner"' not in response.content.decode()  # admins are not offered it
    membership.refresh_from_db()
    assert membership.role == Role.MEMBER
    # nor can an admin demote an owner
    owner_membership = Membership.objects.get(organization=org, user=owner)
    client.post(url("web:settings-member", pk=owner_membership.pk), {"role": "member"})
    owner_membership.refresh_from_db()
    assert owner_membership.role == Role.OWNER
    # an owner can
    client.force_login(owner)
    response = client.post(url("web:settings-member", pk=membership.pk), {"role": "owner"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


@pytest.mark.django_db
def test_admin_may_move_an_owner_without_touching_the_role(client, org, owner, admin):
    team = unit_create(organization=org, actor=owner, name="Team", kind="team")
    owner_membership = Membership.objects.get(organization=org, user=owner)
    client.force_login(admin)
    response = client.post(
        url("web:settings-member", pk=owner_membership.pk), {"role": "owner", "unit_id": team.pk}
    )
    assert response.status_code == 302
    owner_membership.refresh_from_db()
    assert owner_membership.unit == team
    assert owner_membership.role == Role.OWNER


@pytest.mark.django_db
def test_last_owner_stays(client, org, owner):
    membership = Membership.objects.get(organization=org, user=owner)
    client.force_login(owner)
    response = client.post(url("web:settings-member", pk=membership.pk), {"role": "admin"})
    assert response.status_code == 200
    assert "at least one owner" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


@pytest.mark.django_db
def test_manager_loop_is_refused(client, org, owner, member):
    owner_membership = Membership.objects.get(organization=org, user=owner)
    client.force_login(owner)
    # member's manager is the owner; making member the owner's manager would loop.
    response = client.post(
        url("web:settings-member", pk=owner_membership.pk),
        {"role": "owner", "manager_id": member.pk},
    )
    assert response.status_code == 200
    assert 'id="id_manager_id_error"' in response.content.decode()
    owner_membership.refresh_from_db()
    assert owner_membership.manager is None


@pytest.mark.django_db
def test_member_remove(client, org, owner, admin, member):
    membership = Membership.objects.get(organization=org, user=member)
    client.force_login(admin)
    response = client.post(url("web:settings-member-remove", pk=membership.pk))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    # admins cannot remove owners; nobody removes themselves
    owner_membership = Membership.objects.get(organization=org, user=owner)
    client.post(url("web:settings-member-remove", pk=owner_membership.pk))
    assert Membership.objects.filter(pk=owner_membership.pk).exists()
    admin_membership = Membership.objects.get(organization=org, user=admin)
    client.post(url("web:settings-member-remove", pk=admin_membership.pk))
    assert Membership.objects.filter(pk=admin_membership.pk).exists()


def _members_page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url("web:settings-members")).status_code == 200
    return len(queries.captured_queries)


@pytest.mark.django_db
def test_members_page_query_count_is_constant(client, org, owner):
    client.force_login(owner)
    team = unit_create(organization=org, actor=owner, name="Team", kind="team")
    member_add(organization=org, actor=owner, email="p0@acme.example", unit=team, manager=owner)
    client.post(url("web:settings-members"), {"email": "i0@acme.example", "role": "member"})
    small = _members_page_queries(client)
    for index in range(1, 15):
        member_add(
            organization=org, actor=owner, email=f"p{index}@acme.example", unit=team, manager=owner
        )
        client.post(
            url("web:settings-members"), {"email": f"i{index}@acme.example", "role": "member"}
        )
    assert _members_page_queries(client) == small


@pytest.mark.django_db
def test_members_search(client, org, owner, member, admin):
    client.force_login(owner)
    body = client.get(url("web:settings-members") + "?q=mia").content.decode()
    assert "member@acme.example" in body
    assert "admin@acme.example" not in body


# cycles


@pytest.mark.django_db
def test_cycle_create_and_edit(client, org, owner):
    client.force_login(owner)
    response = client.post(
        url("web:settings-cycles"),
        {
            "name": "2026 Q4",
            "start_date": "2026-10-01",
            "end_date": "2026-12-31",
            "state": "planning",
        },
    )
    assert response.status_code == 302
    cycle = Cycle.objects.get(organization=org)
    response = client.post(
        url("web:settings-cycle", pk=cycle.pk),
        {
            "name": "Q4 2026",
            "start_date": "2026-10-01",
            "end_date": "2026-12-31",
            "state": "active",
        },
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert (cycle.name, cycle.state) == ("Q4 2026", "active")
    assert cycle.end_date == date(2026, 12, 31)


@pytest.mark.django_db
def test_cycle_end_before_start_is_refused(client, org, owner):
    client.force_login(owner)
    response = client.post(
        url("web:settings-cycles"),
        {"name": "Bad", "start_date": "2026-12-31", "end_date": "2026-10-01", "state": "planning"},
    )
    assert response.status_code == 200
    assert 'id="id_end_date_error"' in response.content.decode()
    assert not Cycle.objects.exists()


# themes


@pytest.mark.django_db
def test_theme_create_edit_reorder_delete(client, org, owner):
    client.force_login(owner)
    for title, kind in (("Vision", "vision"), ("Mid", "mid_term"), ("Plan", "short_term")):
        response = client.post(url("web:settings-themes"), {"title": title, "kind": kind})
        assert response.status_code == 302
    titles = lambda: list(Theme.objects.filter(organization=org).values_list("title", flat=True))  # noqa: E731
    assert titles() == ["Vision", "Mid", "Plan"]
    plan = Theme.objects.get(title="Plan")
    client.post(url("web:settings-theme-move", pk=plan.pk), {"direction": "up"})
    assert titles() == ["Vision", "Plan", "Mid"]
    vision = Theme.objects.get(title="Vision")
    client.post(url("web:settings-theme-move", pk=vision.pk), {"direction": "up"})  # already first
    assert titles() == ["Vision", "Plan", "Mid"]
    client.post(url("web:settings-theme-move", pk=vision.pk), {"direction": "down"})
    assert titles() == ["Plan", "Vision", "Mid"]
    response = client.post(
        url("web:settings-theme", pk=vision.pk),
        {"title": "Lead the market by 2029", "kind": "vision", "description": "Top 3"},
    )
    assert response.status_code == 302
    vision.refresh_from_db()
    assert (vision.title, vision.description) == ("Lead the market by 2029", "Top 3")
    client.post(url("web:settings-theme-delete", pk=vision.pk))
    assert titles() == ["Plan", "Mid"]
    # a new theme goes last
    client.post(url("web:settings-themes"), {"title": "New", "kind": "short_term"})
    assert titles() == ["Plan", "Mid", "New"]


@pytest.mark.django_db
def test_theme_needs_a_title(client, org, owner):
    client.force_login(owner)
    response = client.post(url("web:settings-themes"), {"title": "", "kind": "vision"})
    assert response.status_code == 200
    assert 'id="id_title_error"' in response.content.decode()
    assert not Theme.objects.exists()


@pytest.mark.django_db
def test_subnav_links_every_admin_page(client, org, owner):
    client.force_login(owner)
    body = client.get(url("web:settings-themes")).content.decode()
    for name in LIST_PAGES:
        assert f'href="{url(name)}"' in body


@pytest.mark.django_db
def test_removing_a_manager_clears_their_links(client, org, owner, admin, member):
    team = unit_create(organization=org, actor=owner, name="Team", kind="team", leader_id=admin.pk)
    Membership.objects.filter(organization=org, user=member).update(manager=admin)
    client.force_login(owner)
    client.post(url("web:settings-member-remove", pk=Membership.objects.get(user=admin).pk))
    assert Membership.objects.get(organization=org, user=member).manager is None
    team.refresh_from_db()
    assert team.leader is None
