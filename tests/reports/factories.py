"""A synthetic organization of any size, written in bulk (no services: thousands of rows a
second), then made consistent by the engine's own `rebuild`.

`populate(..., people=n)` makes a company → department → team tree, company objectives
(one in a longer, yearly cycle), unit objectives that cascade through roll-up key results
and direct links, three individual objectives per person (one private, some unaligned, a
few drafts and cancelled), metric key results with phases and contributors here and
there, and check-ins spread over the cycle, some of them this week.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from luodi.accounts.models import User
from luodi.checkins.models import CheckIn
from luodi.okrs.choices import AlignmentType, KeyResultKind, Level, ObjectiveState, Visibility
from luodi.okrs.models import (
    Alignment,
    KeyResult,
    KeyResultContributor,
    Objective,
    PhaseTarget,
)
from luodi.okrs.rebuild import rebuild
from luodi.orgs.choices import Role, UnitKind
from luodi.orgs.models import Cycle, Membership, Organization, Unit


@dataclass
class Population:
    users: list[User] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    departments: list[Unit] = field(default_factory=list)
    objectives: list[Objective] = field(default_factory=list)


def _units(org: Organization, people: int) -> tuple[Unit, list[Unit], list[Unit]]:
    hq = Unit.objects.create(organization=org, name="HQ", kind=UnitKind.COMPANY)
    departments = Unit.objects.bulk_create(
        Unit(organization=org, name=f"Dept {i:03}", kind=UnitKind.DEPARTMENT, parent=hq)
        for i in range(max(1, people // 50))
    )
    teams = Unit.objects.bulk_create(
        Unit(
            organization=org,
            name=f"Team {i:04}",
            kind=UnitKind.TEAM,
            parent=departments[i % len(departments)],
        )
        for i in range(max(1, people // 8))
    )
    return hq, departments, teams


def _people(org: Organization, people: int, teams: list[Unit], tag: str) -> list[User]:
    users = User.objects.bulk_create(
        User(email=f"p{i}-{tag}@{org.slug}.example", name=f"Person {i}", password="!")
        for i in range(people)
    )
    # The first person of each team leads it and manages the others.
    leaders = {team.pk: users[i] for i, team in enumerate(teams) if i < len(users)}
    memberships = []
    for i, user in enumerate(users):
        team = teams[i % len(teams)]
        leader = leaders.get(team.pk)
        manager = leader if leader is not None and leader.pk != user.pk else None
        memberships.append(
            Membership(organization=org, user=user, role=Role.MEMBER, unit=team, manager=manager)
        )
    Membership.objects.bulk_create(memberships)
    for team in teams:
        if team.pk in leaders:
            team.leader = leaders[team.pk]
    Unit.objects.bulk_update(teams, ["leader"])
    return users


def _objective(org: Organization, cycle: Cycle, title: str, level: str, **fields) -> Objective:
    return Objective(organization=org, cycle=cycle, title=title, level=level, **fields)


def _key_results(org: Organization, objectives: list[Objective], rng: random.Random) -> list:
    krs = []
    for objective in objectives:
        for position in range(rng.choice((2, 3))):
            krs.append(
                KeyResult(
                    organization=org,
                    objective=objective,
                    cycle_id=objective.cycle_id,
                    title=f"{objective.title} KR{position}",
                    kind=KeyResultKind.METRIC,
                    start=Decimal(0),
                    target=Decimal(100),
                    direction="increase",
                    weight=Decimal(rng.choice((1, 1, 2))),
                    owner_id=objective.owner_id,
                    position=position,
                )
            )
    return KeyResult.objects.bulk_create(krs)


def populate(
    org: Organization,
    owner: User,
    cycle: Cycle,
    *,
    people: int,
    year: Cycle | None = None,
    seed: int = 1,
    now: datetime | None = None,
) -> Population:
    rng = random.Random(seed)
    tag = f"{seed}-{people}"
    _hq, departments, teams = _units(org, people)
    users = _people(org, people, teams, tag)
    team_members: dict[int, list[User]] = {}
    for i, user in enumerate(users):
        team_members.setdefault(teams[i % len(teams)].pk, []).append(user)

    top = Objective.objects.bulk_create(
        _objective(org, cycle, f"Company {i}", Level.COMPANY, owner=owner) for i in range(3)
    )
    yearly = []
    if year is not None:
        yearly = Objective.objects.bulk_create(
            [_objective(org, year, "Company of the year", Level.COMPANY, owner=owner)]
        )
    rollups = KeyResult.objects.bulk_create(
        KeyResult(
            organization=org,
            objective=objective,
            cycle_id=objective.cycle_id,
            title="Departments roll up",
            kind=KeyResultKind.ROLLUP,
            owner=owner,
        )
        for objective in top
    )
    dept_objectives = Objective.objects.bulk_create(
        _objective(org, cycle, f"{d.name} O{i}", Level.UNIT, unit=d, owner=owner)
        for d in departments
        for i in range(2)
    )
    team_objectives = Objective.objects.bulk_create(
        _objective(
            org,
            cycle,
            f"{t.name} O{i}",
            Level.UNIT,
            unit=t,
            owner=t.leader,
            visibility=Visibility.UNIT if i else Visibility.ORGANIZATION,
        )
        for t in teams
        for i in range(2)
    )
    individual = []
    for user_index, user in enumerate(users):
        team = teams[user_index % len(teams)]
        for i in range(3):
            state = ObjectiveState.ACTIVE
            if user_index % 11 == 3 and i == 2:
                state = ObjectiveState.DRAFT
            if user_index % 13 == 5 and i == 1:
                state = ObjectiveState.CANCELLED
            individual.append(
                _objective(
                    org,
                    cycle,
                    f"{user.name} O{i}",
                    Level.INDIVIDUAL,
                    unit=team,
                    owner=user,
                    visibility=Visibility.PRIVATE if i == 2 else Visibility.ORGANIZATION,
                    state=state,
                    weight=Decimal(rng.choice((1, 1, 2))),
                )
            )
    individual = Objective.objects.bulk_create(individual)

    links = []
    for i, objective in enumerate(dept_objectives):
        links.append(
            Alignment(
                organization=org,
                child=objective,
                parent_key_result=rollups[i % len(rollups)],
                type=AlignmentType.CONTRIBUTES,
            )
        )
        if yearly and i % 2 == 0:
            links.append(
                Alignment(
                    organization=org,
                    child=objective,
                    parent_objective=yearly[0],
                    type=AlignmentType.SUPPORTS,
                )
            )
    dept_of = {d.pk: [o for o in dept_objectives if o.unit_id == d.pk] for d in departments}
    for i, objective in enumerate(team_objectives):
        team = teams[i // 2]
        parents = dept_of[team.parent_id]
        links.append(Alignment(organization=org, child=objective, parent_objective=parents[i % 2]))
    team_of = {t.pk: [o for o in team_objectives if o.unit_id == t.pk] for t in teams}
    for i, objective in enumerate(individual):
        if i % 3 == 1 and i % 2 == 0:
            continue  # aligned to nothing
        parents = team_of[objective.unit_id]
        links.append(
            Alignment(
                organization=org,
                child=objective,
                parent_objective=parents[i % 2],
                weight=Decimal(rng.choice((1, 2))),
            )
        )
    Alignment.objects.bulk_create(links)

    leaves = _key_results(
        org, [*top, *yearly, *dept_objectives, *team_objectives, *individual], rng
    )
    PhaseTarget.objects.bulk_create(
        PhaseTarget(
            organization=org,
            key_result=kr,
            date=cycle.start_date + (cycle.end_date - cycle.start_date) / 2,
            target=Decimal(70),
        )
        for kr in leaves[::20]
        if kr.objective.cycle_id == cycle.pk
    )
    KeyResultContributor.objects.bulk_create(
        KeyResultContributor(organization=org, key_result=kr, user=users[i % len(users)])
        for i, kr in enumerate(leaves[::10])
    )
    _checkins(org, cycle, leaves, rng, now)
    rebuild(organization=org, write=True)
    return Population(
        users=users,
        units=[*departments, *teams],
        departments=departments,
        objectives=[*top, *yearly, *dept_objectives, *team_objectives, *individual],
    )


def _checkins(
    org: Organization,
    cycle: Cycle,
    krs: list[KeyResult],
    rng: random.Random,
    now: datetime | None,
) -> None:
    zone = ZoneInfo(org.timezone)
    today = now.astimezone(zone).date() if now else date.today()
    last_day = min(today, cycle.end_date)
    span = max(0, (last_day - cycle.start_date).days)
    rows = []
    for kr in krs:
        if kr.objective.state != ObjectiveState.ACTIVE:
            continue
        value = 0
        for _ in range(rng.choice((0, 1, 2, 3, 4))):
            day = cycle.start_date + timedelta(days=rng.randint(0, span))
            value = min(120, value + rng.randint(0, 40))
            moment = datetime.combine(day, time(10, rng.randint(0, 59)), tzinfo=zone)
            rows.append(
                CheckIn(
                    organization=org,
                    key_result=kr,
                    value=Decimal(value),
                    progress=value / 100,
                    confidence=rng.choice((1, 4, 6, 8, None)),
                    author_id=kr.owner_id,
                    created_at=min(moment, now) if now else moment,
                )
            )
    # A metric's raw progress right after a check-in is (value − start) / (target − start),
    # whatever the order: exactly the snapshot the service stores.
    CheckIn.objects.bulk_create(rows, batch_size=2000)
