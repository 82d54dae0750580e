"""Who and what the benchmark looks at, chosen the same way in every generated organization.

- the CEO (the owner) opens the company dashboard and map;
- the leader of the department whose size is nearest 500 opens that department's dashboard;
- a typical person (a member leading no unit, with four objectives this cycle) opens My
  OKRs, the check-in page, a department objective, the API list, and checks in on a metric
  key result of theirs that rolls up the alignment chain.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.core.management.base import CommandError
from django.db.models import Count

from luodi.accounts.models import ApiToken, User
from luodi.okrs.choices import AlignmentType, KeyResultKind, Level, ObjectiveState
from luodi.okrs.models import Alignment, KeyResult, Objective
from luodi.okrs.selectors import Clock
from luodi.orgs.choices import Role
from luodi.orgs.models import Cycle, Membership, Organization, Unit
from luodi.web.cycles import current_cycle, cycles_of

DEPARTMENT_SIZE = 500
DEPARTMENT_DEPTH = 2  # company 0 → division 1 → department 2


@dataclass
class Subjects:
    organization: Organization
    users: int
    ceo: User
    department: int
    department_leader: User
    person: User
    person_token: str
    objective: int
    expand: int
    checkin_key_result: int
    checkin_start: Decimal


def find_subjects(organization: Organization) -> Subjects:
    cycle = _current_cycle(organization)
    members = Membership.objects.filter(organization=organization)
    ceo = members.filter(role=Role.OWNER).select_related("user").order_by("pk").first()
    if ceo is None:
        raise CommandError(f"{organization.slug} has no owner; was it made by bench generate?")
    department = _department(organization)
    person = _typical_person(organization, cycle)
    objective = _department_objective(organization, cycle, department.pk)
    _token, raw = ApiToken.issue(user=person, name="bench")
    key_result = _checkin_key_result(organization, cycle, person)
    return Subjects(
        organization=organization,
        users=members.count(),
        ceo=ceo.user,
        department=department.pk,
        department_leader=department.leader or ceo.user,
        person=person,
        person_token=raw,
        objective=objective,
        expand=objective,
        checkin_key_result=key_result.pk,
        checkin_start=key_result.start or Decimal(0),
    )


def _current_cycle(organization: Organization) -> Cycle:
    """The cycle the pages open on, by the same rule."""
    cycle = current_cycle(cycles_of(organization), Clock.for_org(organization).today)
    if cycle is None:
        raise CommandError(f"{organization.slug} has no cycle.")
    return cycle


def _department(organization: Organization) -> Unit:
    units = list(Unit.objects.with_tree_fields().filter(organization=organization))
    depth_of = {u.pk: u.tree_depth for u in units}
    parent_of = {u.pk: u.parent_id for u in units}
    people = Counter()
    team_counts = Membership.objects.filter(organization=organization, unit__isnull=False)
    for unit_id, count in team_counts.values_list("unit").annotate(n=Count("pk")):
        node = unit_id
        while node is not None:
            people[node] += count
            node = parent_of[node]
    departments = [u for u in units if depth_of[u.pk] == DEPARTMENT_DEPTH] or units
    return min(departments, key=lambda u: (abs(people[u.pk] - DEPARTMENT_SIZE), u.pk))


def _typical_person(organization: Organization, cycle: Cycle) -> User:
    members = Membership.objects.filter(organization=organization, role=Role.MEMBER)
    leaders = Unit.objects.filter(organization=organization, leader__isnull=False).values(
        "leader_id"
    )
    candidates = (
        Objective.objects.filter(
            organization=organization,
            cycle=cycle,
            level=Level.INDIVIDUAL,
            state=ObjectiveState.ACTIVE,
        )
        .exclude(owner_id__in=leaders)
        .filter(owner_id__in=members.values("user_id"))
        .values("owner_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "owner_id")
    )
    chosen = next((row for row in candidates if row["n"] == 4), None) or candidates.first()
    if chosen is None:
        raise CommandError(f"{organization.slug} has nobody with objectives this cycle.")
    return User.objects.get(pk=chosen["owner_id"])


def _department_objective(organization: Organization, cycle: Cycle, department: int) -> int:
    """The department's objective with the most objectives aligned below it."""
    links = (
        Alignment.objects.filter(
            organization=organization,
            parent_objective__unit_id=department,
            parent_objective__cycle=cycle,
        )
        .values("parent_objective_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "parent_objective_id")
        .first()
    )
    if links is None:
        raise CommandError(f"{organization.slug}: the department has no aligned objectives.")
    return links["parent_objective_id"]


def _checkin_key_result(organization: Organization, cycle: Cycle, person: User) -> KeyResult:
    aligned = Alignment.objects.filter(
        organization=organization, type=AlignmentType.CONTRIBUTES
    ).values("child_id")
    key_result = (
        KeyResult.objects.filter(
            organization=organization,
            objective__cycle=cycle,
            objective__owner=person,
            objective__state=ObjectiveState.ACTIVE,
            objective_id__in=aligned,
            kind=KeyResultKind.METRIC,
            state="active",
        )
        .order_by("pk")
        .first()
    )
    if key_result is None:
        raise CommandError(f"{organization.slug}: the chosen person has no metric to check in.")
    return key_result
