"""`luodi bench generate`: a realistic organization of N people, written in bulk.

Shape (N = 10,000): a company → 5 divisions → 20 departments of ~500 people → 200 groups
→ 1,000 teams of 10; four quarterly cycles (the one holding today in progress, the three
before it closed); 3–5 objectives per person and per unit in every cycle with 2–4 key
results of mixed kinds; alignments up the tree (most objectives one parent, some two or
three, some none; roll-up key results on unit objectives); weekly check-ins on the check-in
day up to now, with each person keeping their own rhythm.

Rows are built in memory, progress is computed once per cycle with the engine's own rules
(`apply_checkins`, `compute_graph`), and every table is written with COPY / executemany.
The result passes `luodi recompute --check`.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from luodi.accounts.models import User
from luodi.bench.writer import analyze, db_datetime, next_id, reset_sequences, write_rows
from luodi.checkins.models import CheckIn
from luodi.okrs import progress as rules
from luodi.okrs.choices import (
    AlignmentType,
    Direction,
    KeyResultKind,
    KeyResultState,
    Level,
    ObjectiveState,
    Visibility,
)
from luodi.okrs.engine import (
    CheckinRow,
    apply_checkins,
    key_result_raw_progress,
    metric_bounds,
    metric_direction,
    milestone_pairs,
    set_key_result_progress,
)
from luodi.okrs.models import (
    Alignment,
    KeyResult,
    KeyResultContributor,
    Milestone,
    Objective,
    ObjectiveTheme,
    PhaseTarget,
)
from luodi.okrs.rebuild import compute_graph
from luodi.orgs.choices import CycleState, Role, ThemeKind, UnitKind
from luodi.orgs.models import Cycle, Membership, Organization, Theme, Unit

PASSWORD = "luodi-bench"
USER_COLUMNS = (
    *("id", "password", "is_superuser", "email", "name", "language", "is_active"),
    *("is_staff", "date_joined", "last_organization_id"),
)
CHECKIN_COLUMNS = (
    *("id", "organization_id", "key_result_id", "value", "done", "milestone_ids_done"),
    *("confidence", "note", "progress", "author_id", "source", "created_at"),
)
TEAM_SIZE = 10
# Children per parent, from the company down: divisions, departments, groups, teams.
FAN_OUT = (5, 4, 10, 5)
LEVEL_NAMES = (
    ("公司", UnitKind.COMPANY),
    ("事业部", UnitKind.DEPARTMENT),
    ("部门", UnitKind.DEPARTMENT),
    ("组", UnitKind.TEAM),
    ("小队", UnitKind.TEAM),
)
AREAS = ("用户增长", "留存", "客户满意度", "交付质量", "成本", "营收", "效率", "口碑")
OBJECTIVE_TITLES = (
    "让{area}再上一个台阶",
    "打造行业领先的{area}",
    "把{area}做成团队的长板",
    "夯实{area}的基本功",
    "找到{area}的下一条增长曲线",
)
METRICS = (
    ("月活跃率", "%", Decimal(40), Decimal(50)),
    ("次月留存率", "%", Decimal(30), Decimal(45)),
    ("客户满意度", "%", Decimal(80), Decimal(90)),
    ("投诉率", "%", Decimal(5), Decimal(2)),
    ("新签客户数", "家", Decimal(0), Decimal(120)),
    ("平均响应时长", "分钟", Decimal(45), Decimal(15)),
    ("单位获客成本", "元", Decimal(180), Decimal(120)),
)
KIND_WEIGHTS = (
    (KeyResultKind.METRIC, 45),
    (KeyResultKind.PERCENTAGE, 20),
    (KeyResultKind.MILESTONE, 15),
    (KeyResultKind.BOOLEAN, 12),
    (KeyResultKind.THRESHOLD, 8),
)
NOTES = ("按计划推进", "本周有阻塞，已找人协助", "数据口径已和财务对齐", "")


@dataclass
class Person:
    user_id: int
    team: int
    manager_id: int | None
    diligence: float  # chance of checking in on a given week
    pace: float  # how far along the plan their results usually are


@dataclass
class Tree:
    units: list[tuple[int, int | None, str, str, int]] = field(default_factory=list)
    depth: dict[int, int] = field(default_factory=dict)
    parent: dict[int, int | None] = field(default_factory=dict)
    leader: dict[int, int] = field(default_factory=dict)
    teams: list[int] = field(default_factory=list)


@dataclass
class CycleBatch:
    """Everything of one cycle, in memory until it is written."""

    objectives: dict[int, Objective] = field(default_factory=dict)
    key_results: dict[int, KeyResult] = field(default_factory=dict)
    milestones: dict[int, list[Milestone]] = field(default_factory=dict)
    phases: list[PhaseTarget] = field(default_factory=list)
    links: list[Alignment] = field(default_factory=list)
    contributors: list[tuple[int, int]] = field(default_factory=list)
    themes: list[tuple[int, int]] = field(default_factory=list)
    checkins: list[tuple] = field(default_factory=list)
    by_unit: dict[int, list[int]] = field(default_factory=dict)
    rollups: dict[int, list[int]] = field(default_factory=dict)  # unit → roll-up KR ids


@dataclass
class Summary:
    organization: Organization
    users: int = 0
    units: int = 0
    objectives: int = 0
    key_results: int = 0
    alignments: int = 0
    checkins: int = 0


BULK_MODELS: list[type] = [
    *(User, Unit, Membership, Objective, KeyResult, Milestone, PhaseTarget, Alignment),
    *(KeyResultContributor, ObjectiveTheme, CheckIn),
]


class Ids:
    """Explicit primary keys, continuing after what the tables already hold.

    Read once up front: a query while a COPY streams would block the connection.
    """

    def __init__(self, models: list[type]) -> None:
        self._next: dict[type, int] = {model: next_id(model) for model in models}

    def take(self, model: type) -> int:
        value = self._next[model]
        self._next[model] += 1
        return value


def quarter_cycles(today: date) -> list[tuple[str, date, date, str]]:
    """The quarter holding today (active) and the three before it (closed), oldest first."""
    quarters = []
    year, quarter = today.year, (today.month - 1) // 3
    for _ in range(4):
        start = date(year, quarter * 3 + 1, 1)
        end_month = quarter * 3 + 4
        end = date(year + end_month // 13, (end_month - 1) % 12 + 1, 1) - timedelta(days=1)
        quarters.append((f"{year} Q{quarter + 1}", start, end))
        quarter -= 1
        if quarter < 0:
            year, quarter = year - 1, 3
    quarters.reverse()
    return [
        (name, start, end, CycleState.ACTIVE if i == 3 else CycleState.CLOSED)
        for i, (name, start, end) in enumerate(quarters)
    ]


class Generator:
    def __init__(
        self,
        *,
        users: int,
        seed: int,
        slug: str,
        now: datetime | None = None,
        log: Callable[[str], None] = print,
    ) -> None:
        self.n = users
        self.rng = random.Random(seed)
        self.slug = slug
        self.now = now or timezone.now()
        self.log = log
        self.summary: Summary | None = None

    # --- organization, people, units ---------------------------------------------------------

    def run(self) -> Summary:
        self.ids = Ids(BULK_MODELS)
        with transaction.atomic():
            org = Organization.objects.create(
                name=f"基准科技 Bench Corp ({self.n})", slug=self.slug, timezone="Asia/Shanghai"
            )
            self.summary = Summary(organization=org)
            self.zone = ZoneInfo(org.timezone)
            self.org = org
            self.themes = [
                Theme.objects.create(organization=org, title=title, kind=kind, position=i).pk
                for i, (title, kind) in enumerate(
                    (("成为用户首选", ThemeKind.VISION), ("三年营收翻番", ThemeKind.MID_TERM))
                )
            ]
            tree = self._tree()
            people = self._people(tree)
            self.log(f"{self.n} people, {len(tree.units)} units")
        today = self.now.astimezone(self.zone).date()
        for name, start, end, state in quarter_cycles(today):
            with transaction.atomic():
                cycle = Cycle.objects.create(
                    organization=org, name=name, start_date=start, end_date=end, state=state
                )
                batch = self._cycle(cycle, tree, people)
                self._compute(batch, cycle)
                self._write(batch)
            self.log(
                f"{name}: {len(batch.objectives)} objectives, {len(batch.key_results)} key "
                f"results, {len(batch.checkins)} check-ins"
            )
        reset_sequences(BULK_MODELS)
        analyze([*BULK_MODELS, Organization, Cycle, Theme])
        return self.summary

    def _tree(self) -> Tree:
        tree = Tree()
        teams_needed = max(1, -(-self.n // TEAM_SIZE))
        # Fan-outs shrink for small organizations so that every level still exists.
        counts = [1]
        leaves_per = [1] * len(FAN_OUT)
        span = 1
        for level in range(len(FAN_OUT) - 1, -1, -1):
            leaves_per[level] = span
            span *= FAN_OUT[level]
        level_ids: list[list[int]] = []
        for depth, (label, kind) in enumerate(LEVEL_NAMES):
            if depth == 0:
                nodes = [(None, 0)]
            else:
                per_node = leaves_per[depth - 1]
                width = max(1, -(-teams_needed // per_node))
                parents = level_ids[depth - 1]
                fan = FAN_OUT[depth - 1]
                nodes = [(parents[min(i // fan, len(parents) - 1)], i) for i in range(width)]
            ids = []
            for parent, index in nodes:
                pk = self.ids.take(Unit)
                name = label if depth == 0 else f"第{index + 1}{label}"
                tree.units.append((pk, parent, name, kind, depth))
                tree.depth[pk] = depth
                tree.parent[pk] = parent
                ids.append(pk)
            level_ids.append(ids)
            counts.append(len(ids))
        tree.teams = level_ids[-1]
        return tree

    def _people(self, tree: Tree) -> list[Person]:
        password = make_password(PASSWORD)
        user_ids = [self.ids.take(User) for _ in range(self.n)]
        joined = db_datetime(self.now - timedelta(days=400))
        write_rows(
            User,
            USER_COLUMNS,
            (
                (
                    pk,
                    password,
                    False,
                    f"user{i}@{self.slug}.example",
                    f"员工{i:05}",
                    "",
                    True,
                    False,
                    joined,
                    self.org.pk,
                )
                for i, pk in enumerate(user_ids)
            ),
        )
        team_of = [tree.teams[min(i // TEAM_SIZE, len(tree.teams) - 1)] for i in range(self.n)]
        self._leaders(tree, team_of, user_ids)
        people = []
        for i, user_id in enumerate(user_ids):
            manager = self._manager(tree, team_of[i], user_id)
            people.append(
                Person(
                    user_id=user_id,
                    team=team_of[i],
                    manager_id=manager,
                    diligence=self.rng.uniform(0.35, 1.0),
                    pace=self.rng.uniform(0.4, 1.15),
                )
            )
        write_rows(
            Unit,
            ("id", "parent_id", "organization_id", "name", "kind", "leader_id", "progress_version"),
            (
                (pk, parent, self.org.pk, name, kind, tree.leader.get(pk), 0)
                for pk, parent, name, kind, _depth in tree.units
            ),
        )
        company = tree.units[0][0]
        created = db_datetime(self.now - timedelta(days=400))
        write_rows(
            Membership,
            ("id", "organization_id", "user_id", "role", "unit_id", "manager_id", "created_at"),
            (
                (
                    self.ids.take(Membership),
                    self.org.pk,
                    person.user_id,
                    Role.OWNER if i == 0 else Role.ADMIN if i < 5 else Role.MEMBER,
                    company if i == 0 else person.team,
                    person.manager_id,
                    created,
                )
                for i, person in enumerate(people)
            ),
        )
        self.summary.users = len(people)  # type: ignore[union-attr]
        self.summary.units = len(tree.units)  # type: ignore[union-attr]
        return people

    @staticmethod
    def _leaders(tree: Tree, team_of: list[int], user_ids: list[int]) -> None:
        """A team is led by its first person, a unit by the leader of its first child unit."""
        for i in range(len(user_ids) - 1, -1, -1):
            tree.leader[team_of[i]] = user_ids[i]
        first_child: dict[int, int] = {}
        for pk, parent, *_ in tree.units:
            if parent is not None:
                first_child.setdefault(parent, pk)
        for pk, _parent, _name, _kind, _depth in reversed(tree.units):
            if pk not in tree.leader:
                tree.leader[pk] = tree.leader[first_child[pk]]

    @staticmethod
    def _manager(tree: Tree, team: int, user_id: int) -> int | None:
        unit: int | None = team
        while unit is not None:
            leader = tree.leader.get(unit)
            if leader is not None and leader != user_id:
                return leader
            unit = tree.parent[unit]
        return None

    # --- one cycle ----------------------------------------------------------------------------

    def _cycle(self, cycle: Cycle, tree: Tree, people: list[Person]) -> CycleBatch:
        batch = CycleBatch()
        current = cycle.state == CycleState.ACTIVE
        for pk, _parent, _name, _kind, depth in tree.units:
            for _ in range(self.rng.randint(3, 5)):
                level = Level.COMPANY if depth == 0 else Level.UNIT
                objective = self._objective(cycle, level, pk, tree.leader[pk], current)
                batch.by_unit.setdefault(pk, []).append(objective.pk)
                batch.objectives[objective.pk] = objective
                self._key_results(batch, cycle, objective, rollup=depth < 3)
        pace_of = {person.user_id: person for person in people}
        for person in people:
            for _ in range(self.rng.randint(3, 5)):
                objective = self._objective(
                    cycle, Level.INDIVIDUAL, person.team, person.user_id, current
                )
                batch.objectives[objective.pk] = objective
                self._key_results(batch, cycle, objective, rollup=False)
        self._align(batch, tree)
        members: dict[int, list[int]] = {}
        for person in people:
            members.setdefault(person.team, []).append(person.user_id)
        for kr in batch.key_results.values():
            if kr.kind == KeyResultKind.ROLLUP:
                continue
            objective = batch.objectives[kr.objective_id]
            open_for_checkins = kr.state == KeyResultState.ACTIVE and objective.state in (
                ObjectiveState.ACTIVE,
                ObjectiveState.CLOSED,
            )
            self._checkins(batch, cycle, kr, pace_of.get(kr.owner_id), open_for_checkins)
            team = members.get(objective.unit_id, [])
            if objective.level == Level.INDIVIDUAL and len(team) > 1 and self.rng.random() < 0.1:
                helper = self.rng.choice(team)
                if helper != kr.owner_id:
                    batch.contributors.append((kr.pk, helper))
        return batch

    def _objective(
        self, cycle: Cycle, level: str, unit: int, owner: int, current: bool
    ) -> Objective:
        roll = self.rng.random()
        state = ObjectiveState.ACTIVE if current else ObjectiveState.CLOSED
        if level == Level.INDIVIDUAL and roll < 0.02:
            state = ObjectiveState.CANCELLED
        elif level == Level.INDIVIDUAL and current and roll < 0.05:
            state = ObjectiveState.DRAFT
        visibility = Visibility.ORGANIZATION
        if level == Level.INDIVIDUAL and self.rng.random() < 0.05:
            visibility = Visibility.PRIVATE
        area = self.rng.choice(AREAS)
        created = datetime.combine(cycle.start_date, time(9), tzinfo=self.zone) - timedelta(days=7)
        return Objective(
            pk=self.ids.take(Objective),
            organization_id=self.org.pk,
            cycle_id=cycle.pk,
            title=self.rng.choice(OBJECTIVE_TITLES).format(area=area),
            level=level,
            unit_id=unit,
            owner_id=owner,
            weight=Decimal(2) if self.rng.random() < 0.15 else Decimal(1),
            visibility=visibility,
            state=state,
            created_at=min(created, self.now),
            updated_at=min(created, self.now),
        )

    def _key_results(
        self, batch: CycleBatch, cycle: Cycle, objective: Objective, *, rollup: bool
    ) -> None:
        count = self.rng.randint(2, 4)
        kinds = [k for k, _ in KIND_WEIGHTS]
        weights = [w for _, w in KIND_WEIGHTS]
        for position in range(count):
            if rollup and position == 0 and self.rng.random() < 0.4:
                kind = KeyResultKind.ROLLUP
            else:
                kind = self.rng.choices(kinds, weights)[0]
            kr = self._key_result(cycle, objective, kind, position)
            batch.key_results[kr.pk] = kr
            if kind == KeyResultKind.ROLLUP:
                batch.rollups.setdefault(objective.unit_id, []).append(kr.pk)
            elif kind == KeyResultKind.MILESTONE:
                batch.milestones[kr.pk] = [
                    Milestone(
                        pk=self.ids.take(Milestone),
                        organization_id=self.org.pk,
                        key_result_id=kr.pk,
                        title=f"里程碑 {i + 1}",
                        weight=Decimal(1),
                        position=i,
                    )
                    for i in range(self.rng.randint(2, 4))
                ]
            metric = kind in (KeyResultKind.METRIC, KeyResultKind.PERCENTAGE)
            if metric and self.rng.random() < 0.05:
                start, target = metric_bounds(kr)
                batch.phases.append(
                    PhaseTarget(
                        pk=self.ids.take(PhaseTarget),
                        organization_id=self.org.pk,
                        key_result_id=kr.pk,
                        date=cycle.start_date + (cycle.end_date - cycle.start_date) / 2,
                        target=(start + (target - start) * Decimal("0.5")).quantize(
                            Decimal("0.01")
                        ),
                    )
                )
        if self.rng.random() < 0.3:
            batch.themes.append((objective.pk, self.rng.choice(self.themes)))

    def _key_result(
        self, cycle: Cycle, objective: Objective, kind: str, position: int
    ) -> KeyResult:
        title, unit, start, target = self.rng.choice(METRICS)
        direction = ""
        if kind == KeyResultKind.METRIC:
            direction = Direction.DECREASE if target < start else Direction.INCREASE
        elif kind == KeyResultKind.PERCENTAGE:
            start, target, unit = Decimal(0), Decimal(100), "%"
            title = "方案覆盖率"
        elif kind == KeyResultKind.THRESHOLD:
            title, unit, start, target = "系统可用性不低于", "%", None, Decimal("99.5")
            direction = Direction.AT_LEAST
        elif kind == KeyResultKind.MILESTONE:
            title, unit, start, target = "完成关键里程碑", "", None, None
        elif kind == KeyResultKind.BOOLEAN:
            title, unit, start, target = "新流程正式上线", "", None, None
        elif kind == KeyResultKind.ROLLUP:
            title, unit, start, target = "下级目标整体达成", "", None, None
        return KeyResult(
            pk=self.ids.take(KeyResult),
            organization_id=self.org.pk,
            objective_id=objective.pk,
            cycle_id=objective.cycle_id,
            title=title,
            kind=kind,
            start=start,
            target=target,
            measure_unit=unit,
            direction=direction,
            weight=Decimal(self.rng.choice((1, 1, 1, 2))),
            owner_id=objective.owner_id,
            state=KeyResultState.CANCELLED if self.rng.random() < 0.01 else KeyResultState.ACTIVE,
            position=position,
            created_at=objective.created_at,
            updated_at=objective.created_at,
        )

    def _align(self, batch: CycleBatch, tree: Tree) -> None:
        """Unit objectives align to their parent unit's; people's to their team's."""
        for objective in batch.objectives.values():
            if objective.level == Level.COMPANY:
                continue
            individual = objective.level == Level.INDIVIDUAL
            parent_unit = objective.unit_id if individual else tree.parent[objective.unit_id]
            if parent_unit is None:
                continue
            roll = self.rng.random()
            wanted = 0 if roll < 0.04 else 1 if roll < 0.90 else 2 if roll < 0.97 else 3
            candidates = batch.by_unit.get(parent_unit, [])
            rollups = batch.rollups.get(parent_unit, [])
            targets: list[tuple[str, int]] = []
            if rollups and self.rng.random() < 0.5:
                targets.append(("k", self.rng.choice(rollups)))
            pool = [("o", pk) for pk in candidates]
            self.rng.shuffle(pool)
            targets.extend(pool)
            for kind, pk in targets[:wanted]:
                link_type = AlignmentType.CONTRIBUTES
                if kind == "o" and self.rng.random() < 0.05:
                    link_type = AlignmentType.SUPPORTS
                batch.links.append(
                    Alignment(
                        pk=self.ids.take(Alignment),
                        organization_id=self.org.pk,
                        child_id=objective.pk,
                        parent_objective_id=pk if kind == "o" else None,
                        parent_key_result_id=pk if kind == "k" else None,
                        type=link_type,
                        weight=Decimal(2) if self.rng.random() < 0.1 else Decimal(1),
                    )
                )

    # --- check-ins ----------------------------------------------------------------------------

    def _checkin_days(self, cycle: Cycle) -> Iterator[datetime]:
        weekday = self.org.checkin_weekday
        day = cycle.start_date + timedelta(days=(weekday - cycle.start_date.weekday()) % 7)
        while day <= cycle.end_date:
            moment = datetime.combine(day, time(9), tzinfo=self.zone)
            if moment > self.now:
                return
            yield moment
            day += timedelta(days=7)

    def _checkins(
        self,
        batch: CycleBatch,
        cycle: Cycle,
        kr: KeyResult,
        person: Person | None,
        open_for_checkins: bool,
    ) -> None:
        days = list(self._checkin_days(cycle)) if open_for_checkins else []
        diligence = person.diligence if person else 0.8
        pace = person.pace if person else 0.8
        milestones = batch.milestones.get(kr.pk, [])
        rows: list[CheckinRow] = []
        met = 0
        length = max(1, (cycle.end_date - cycle.start_date).days)
        for moment in days:
            if self.rng.random() > diligence:
                continue
            at = min(self.now, moment + timedelta(minutes=self.rng.randint(0, 540)))
            elapsed = (at.date() - cycle.start_date).days / length
            share = max(0.0, min(1.25, pace * elapsed + self.rng.uniform(-0.08, 0.08)))
            value, done, milestone_ids = None, None, None
            if kr.kind in (KeyResultKind.METRIC, KeyResultKind.PERCENTAGE):
                start, target = metric_bounds(kr)
                value = (start + (target - start) * Decimal(str(round(share, 4)))).quantize(
                    Decimal("0.01")
                )
                snapshot = rules.metric_progress(
                    start=start, target=target, current=value, direction=metric_direction(kr)
                )
            elif kr.kind == KeyResultKind.THRESHOLD:
                value = Decimal("99.5") + Decimal(self.rng.randint(-8, 4)) / 10
                met += value >= (kr.target or 0)
                snapshot = met / (len(rows) + 1)
            elif kr.kind == KeyResultKind.MILESTONE:
                reached = min(len(milestones), int(share * len(milestones) + 0.3))
                milestone_ids = [m.pk for m in milestones[:reached]]
                snapshot = rules.milestone_progress(
                    (m.pk in milestone_ids, m.weight) for m in milestones
                )
            else:
                done = share >= 0.8
                snapshot = 1.0 if done else 0.0
            confidence = self.rng.randint(3, 10) if self.rng.random() < 0.7 else None
            row = CheckinRow(value, done, milestone_ids, confidence, at.astimezone(UTC))
            rows.append(row)
            batch.checkins.append(
                (
                    self.ids.take(CheckIn),
                    self.org.pk,
                    kr.pk,
                    None if value is None else str(value),
                    done,
                    None if milestone_ids is None else json.dumps(milestone_ids),
                    confidence,
                    self.rng.choice(NOTES) if self.rng.random() < 0.2 else "",
                    snapshot,
                    kr.owner_id,
                    "manual",
                    db_datetime(row.created_at),
                )
            )
        apply_checkins(kr, rows, milestones)
        set_key_result_progress(
            kr, key_result_raw_progress(kr, milestones=milestone_pairs(milestones))
        )

    # --- progress and writing -----------------------------------------------------------------

    def _compute(self, batch: CycleBatch, cycle: Cycle) -> None:
        contributing = [link for link in batch.links if link.type == AlignmentType.CONTRIBUTES]
        compute_graph(batch.objectives, batch.key_results, contributing)
        if cycle.state == CycleState.CLOSED:
            for objective in batch.objectives.values():
                if objective.state == ObjectiveState.CLOSED and objective.progress is not None:
                    objective.final_score = round(rules.clamp(objective.progress), 1)

    def _write(self, batch: CycleBatch) -> None:
        org = self.org.pk
        self._write_models(Objective, batch.objectives.values())
        self._write_models(KeyResult, batch.key_results.values())
        self._write_models(Milestone, (m for group in batch.milestones.values() for m in group))
        self._write_models(PhaseTarget, batch.phases)
        self._write_models(Alignment, batch.links)
        write_rows(
            KeyResultContributor,
            ("id", "organization_id", "key_result_id", "user_id"),
            (
                (self.ids.take(KeyResultContributor), org, kr, user)
                for kr, user in batch.contributors
            ),
        )
        write_rows(
            ObjectiveTheme,
            ("id", "organization_id", "objective_id", "theme_id"),
            ((self.ids.take(ObjectiveTheme), org, o, theme) for o, theme in batch.themes),
        )
        write_rows(
            CheckIn,
            CHECKIN_COLUMNS,
            batch.checkins,
        )
        summary = self.summary
        assert summary is not None
        summary.objectives += len(batch.objectives)
        summary.key_results += len(batch.key_results)
        summary.alignments += len(batch.links)
        summary.checkins += len(batch.checkins)

    def _write_models(self, model: type, instances) -> None:
        fields = model._meta.concrete_fields
        converters = [_converter(f) for f in fields]
        columns = tuple(f.column for f in fields)
        write_rows(
            model,
            columns,
            (
                tuple(
                    convert(getattr(obj, f.attname))
                    for f, convert in zip(fields, converters, strict=True)
                )
                for obj in instances
            ),
        )


def _converter(model_field) -> Callable[[object], object]:
    internal = model_field.get_internal_type()
    if internal == "DateTimeField":
        return db_datetime  # type: ignore[return-value]
    if internal == "DecimalField":
        return lambda v: None if v is None else str(v)
    if internal == "DateField":
        return lambda v: None if v is None else v.isoformat()
    return lambda v: v


def generate(
    *, users: int, seed: int = 1, slug: str = "bench", now: datetime | None = None, log=print
) -> Summary:
    return Generator(users=users, seed=seed, slug=slug, now=now, log=log).run()
