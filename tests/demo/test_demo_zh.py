"""The Chinese demo, loaded once for this module on a fixed day (a Friday in Q2 2026)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from luodi.accounts.models import User
from luodi.checkins.models import CheckIn
from luodi.demo.loader import load_demo
from luodi.okrs.models import Alignment, KeyResult, Objective, PhaseTarget
from luodi.okrs.rebuild import rebuild
from luodi.okrs.selectors import Clock
from luodi.orgs.models import Cycle, Membership, Organization, Unit
from tests.demo.helpers import loaded_demo, noon, status_counts

DAY = date(2026, 5, 22)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with loaded_demo(django_db_blocker, lang="zh-hans", today=DAY) as result:
        yield result


@pytest.fixture
def org(demo):
    return demo.organization


@pytest.fixture
def clock(org):
    return Clock.for_org(org, now=noon(DAY))


def kr(demo, key: str) -> KeyResult:
    return KeyResult.objects.get(pk=demo.key_results[key])


def test_organization_units_and_people(demo, org):
    assert demo.created
    assert (org.slug, org.name, org.locale) == ("demo", "星辰优选", "zh-hans")
    departments = Unit.objects.filter(organization=org, kind="department")
    assert set(departments.values_list("name", flat=True)) == {
        "市场部",
        "技术部",
        "客服部",
        "运营部",
    }
    for department in departments:
        assert department.parent.kind == "company"
        assert 1 <= Unit.objects.filter(parent=department, kind="team").count() <= 2
        assert department.leader is not None
    memberships = Membership.objects.filter(organization=org).select_related("user")
    assert 12 <= memberships.count() <= 16
    roles = [m.role for m in memberships]
    assert roles.count("owner") == 1 and roles.count("admin") == 1 and roles.count("viewer") == 1
    owner = memberships.get(role="owner").user
    assert owner.email == "admin@demo.example"
    assert owner.is_superuser and owner.is_staff
    for membership in memberships:
        assert membership.user.check_password("luodi-demo")
        assert membership.user.language == "zh-hans"
        assert membership.unit is not None
    for department in departments:
        head = memberships.get(user=department.leader)
        assert head.manager == owner
    assert {a.email for a in demo.accounts} == {m.user.email for m in memberships}


def test_the_seed_key_results_have_the_seed_numbers(demo):
    company = Objective.objects.get(pk=demo.objectives["company"])
    assert company.title == "提升平台用户活跃度和留存率"
    assert company.level == "company"
    assert company.themes.filter(kind="mid_term").exists()

    mau = kr(demo, "mau_rate")
    assert mau.objective == company
    assert mau.target / mau.start == Decimal("1.1")
    assert "10%" in mau.title and mau.measure_unit == "%"
    retention = kr(demo, "retention")
    assert retention.objective == company
    assert retention.target / retention.start == Decimal("1.15")
    assert "15%" in retention.title

    complaints = kr(demo, "complaint_rate")
    assert (complaints.start, complaints.target, complaints.direction) == (5, 2, "decrease")
    assert "5%" in complaints.title and "2%" in complaints.title
    satisfaction = kr(demo, "satisfaction")
    assert (satisfaction.start, satisfaction.target, satisfaction.direction) == (80, 90, "increase")
    assert complaints.objective == satisfaction.objective
    assert complaints.objective.unit.name == "客服部"


def test_departments_align_to_the_company_objective(demo):
    company_id = demo.objectives["company"]
    for key in ("marketing", "technology", "service", "operations"):
        link = Alignment.objects.get(child_id=demo.objectives[key])
        assert (link.parent_objective_id, link.type) == (company_id, "contributes")
    marketing = Objective.objects.get(pk=demo.objectives["marketing"])
    assert "新用户" in marketing.title
    technology = Objective.objects.get(pk=demo.objectives["technology"])
    assert "性能" in technology.title


def test_alignment_shapes_the_map_needs(demo, org):
    rollup = kr(demo, "year_quarters")
    assert rollup.kind == "rollup"
    assert Alignment.objects.filter(parent_key_result=rollup, type="contributes").exists()
    assert rollup.progress is not None
    assert Alignment.objects.filter(organization=org, type="supports").exists()
    matrix = Alignment.objects.filter(child_id=demo.objectives["gao_fei"])
    assert matrix.count() == 2
    assert len({link.parent_objective.unit_id for link in matrix}) == 2
    private = Objective.objects.get(pk=demo.objectives["he_fang_growth"])
    assert private.visibility == "private"
    unaligned = Objective.objects.filter(
        organization=org, level="individual", visibility="organization", parent_links=None
    )
    assert unaligned.exists()
    assert PhaseTarget.objects.filter(key_result=kr(demo, "mau_rate")).count() == 2
    kinds = set(KeyResult.objects.filter(organization=org).values_list("kind", flat=True))
    assert kinds == {"metric", "percentage", "threshold", "milestone", "boolean", "rollup"}


def test_cycles_look_live(demo, org):
    year = Cycle.objects.get(pk=demo.cycles["year"])
    quarter = Cycle.objects.get(pk=demo.cycles["quarter"])
    previous = Cycle.objects.get(pk=demo.cycles["previous"])
    assert (year.start_date, year.end_date, year.state) == (
        date(2026, 1, 1),
        date(2026, 12, 31),
        "active",
    )
    assert (quarter.start_date, quarter.end_date, quarter.state) == (
        date(2026, 4, 1),
        date(2026, 6, 30),
        "active",
    )
    assert (previous.start_date, previous.end_date, previous.state) == (
        date(2026, 1, 1),
        date(2026, 3, 31),
        "closed",
    )
    scored = Objective.objects.filter(cycle=previous)
    assert scored.count() >= 3
    for objective in scored:
        assert objective.self_score is not None and objective.final_score is not None
        assert objective.progress is not None


def test_at_least_six_weeks_of_weekly_checkins(demo, org):
    quarter = Cycle.objects.get(pk=demo.cycles["quarter"])
    checkins = CheckIn.objects.filter(organization=org, key_result__objective__cycle=quarter)
    assert (
        checkins.count()
        == demo.checkins
        - CheckIn.objects.filter(organization=org)
        .exclude(key_result__objective__cycle=quarter)
        .count()
    )
    weeks = {c.created_at.date().isocalendar()[:2] for c in checkins}
    assert len(weeks) >= 6
    weekly = KeyResult.objects.filter(objective__cycle=quarter).exclude(kind="rollup")
    six_or_more = [k for k in weekly if k.checkin_count >= 6]
    assert len(six_or_more) >= 0.75 * weekly.count()
    assert all(c.created_at < noon(DAY) for c in CheckIn.objects.filter(organization=org))
    for checkin in checkins:
        assert 0 <= checkin.confidence <= 10
        assert "进展：" in checkin.note and "阻碍：" in checkin.note and "下一步：" in checkin.note
        assert checkin.author_id == checkin.key_result.owner_id


def test_statuses_are_a_believable_mix(org, clock):
    statuses, stale = status_counts(org, clock)
    for status in ("on_track", "at_risk", "off_track", "done"):
        assert statuses[status] >= 1, statuses
    assert statuses["on_track"] > statuses["off_track"]
    assert stale >= 1


def test_stored_progress_matches_a_rebuild(org):
    assert rebuild(organization=org, write=False).differences == []


def test_a_second_load_changes_nothing(demo, org):
    counts = (User.objects.count(), Objective.objects.count(), CheckIn.objects.count())
    again = load_demo(lang="en", today=DAY + timedelta(days=3))
    assert not again.created
    assert again.organization == org
    assert (User.objects.count(), Objective.objects.count(), CheckIn.objects.count()) == counts
    assert Organization.objects.filter(slug="demo").count() == 1
    assert {a.email for a in again.accounts} == {a.email for a in demo.accounts}
