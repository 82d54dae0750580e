"""Load the demo organization through the real services, in one transaction.

`load_demo()` is idempotent: when an organization with the demo's slug exists it changes
nothing and says so. Everything else — members, units, cycles, objectives, alignments,
check-ins, scores, and the conversation around them (comments, feedback, reports, review
meetings, alignment requests, approvals: see conversation.py) — goes through the same
services the pages and the API call, so the demo is also a broad smoke test of them, and
its notifications arise as they would in use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from luodi.accounts.models import User
from luodi.checkins.services import checkin_submit
from luodi.demo import timeline
from luodi.demo.content import DEMO_COMPANY
from luodi.demo.conversation import ConversationBuilder
from luodi.demo.spec import Company, KRSpec, Link, ObjectiveSpec, T, normalize_lang
from luodi.notify.models import Notification
from luodi.okrs.models import KeyResult, Objective
from luodi.okrs.services import key_result_create as kr_create
from luodi.okrs.services import key_result_update, objective_create, objective_update
from luodi.orgs.choices import CycleState
from luodi.orgs.models import Cycle, Membership, Organization, Unit
from luodi.orgs.services import (
    cycle_create,
    cycle_update,
    member_add,
    member_update,
    organization_create,
    organization_update,
    theme_create,
    unit_create,
    unit_update,
)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: str
    unit: str = ""
    job: str = ""


@dataclass
class DemoResult:
    organization: Organization
    created: bool
    lang: str
    password: str
    accounts: list[DemoAccount]
    objectives: dict[str, int] = field(default_factory=dict)
    key_results: dict[str, int] = field(default_factory=dict)
    cycles: dict[str, int] = field(default_factory=dict)
    checkins: int = 0
    # The conversation's meetings, alignment requests and what answering them created.
    conversation: dict[str, int] = field(default_factory=dict)


def load_demo(*, lang: str = "zh-hans", today: date | None = None) -> DemoResult:
    """Create the demo organization unless it exists; return what was created (or found)."""
    lang = normalize_lang(lang)
    company = DEMO_COMPANY
    existing = Organization.objects.filter(slug=company.slug).first()
    if existing is not None:
        return _existing_result(existing, company)
    zone = ZoneInfo(company.timezone)
    today = today or timezone.now().astimezone(zone).date()
    with transaction.atomic():
        return _Builder(company, lang, today, zone).build()


def _existing_result(org: Organization, company: Company) -> DemoResult:
    memberships = (
        Membership.objects.filter(organization=org).select_related("user", "unit").order_by("id")
    )
    accounts = [
        DemoAccount(m.user.email, m.user.name, m.role, m.unit.name if m.unit else "")
        for m in memberships
    ]
    return DemoResult(org, False, org.locale, company.password, accounts)


class _Builder:
    def __init__(self, company: Company, lang: str, today: date, zone: ZoneInfo) -> None:
        self.company = company
        self.lang = lang
        self.today = today
        self.zone = zone
        self.calendar = timeline.calendar_for(today, lang)
        self.people: dict[str, User] = {}
        self.units: dict[str, Unit] = {}
        self.themes: dict[str, int] = {}
        self.cycles: dict[str, Cycle] = {}
        self.objectives: dict[str, Objective] = {}
        self.key_results: dict[str, KeyResult] = {}
        self.checkins = 0
        # One hash for every demo account: they share a published password, and hashing it
        # once instead of once per person saves seconds with a slow production hasher.
        self.password_hash = make_password(company.password)

    def text(self, value: T, **values: object) -> str:
        return value.get(self.lang, **values)

    def build(self) -> DemoResult:
        self._organization()
        self._units_and_people()
        self._themes()
        self._cycles()
        previous = [o for o in self.company.objectives if o.cycle == "previous"]
        current = [o for o in self.company.objectives if o.cycle != "previous"]
        self._objectives(previous)
        self._check_in(previous)
        self._score(previous)
        cycle_update(cycle=self.cycles["previous"], actor=self.owner, state=CycleState.CLOSED)
        self._objectives(current)
        self._check_in(current)
        conversation = {}
        if self.company.conversation is not None:
            conversation = ConversationBuilder(self, self.company.conversation).build()
        return DemoResult(
            organization=self.org,
            created=True,
            lang=self.lang,
            password=self.company.password,
            accounts=self._accounts(),
            objectives={k: o.pk for k, o in self.objectives.items()},
            key_results={k: kr.pk for k, kr in self.key_results.items()},
            cycles={k: c.pk for k, c in self.cycles.items()},
            checkins=self.checkins,
            conversation=conversation,
        )

    # --- structure ------------------------------------------------------------------------

    def _organization(self) -> None:
        spec = self.company.people[0]
        owner = User.objects.filter(email=spec.email).first()
        if owner is None:
            owner = User.objects.create_user(email=spec.email, name=self.text(spec.name))
            owner.password = self.password_hash
        owner.language = self.lang
        owner.is_staff = owner.is_superuser = True  # so /admin/ works in the demo
        owner.save(update_fields=["password", "language", "is_staff", "is_superuser"])
        self.owner = self.people[spec.key] = owner
        org = organization_create(
            name=self.text(self.company.name), slug=self.company.slug, owner=owner
        )
        self.org = organization_update(
            organization=org, actor=owner, locale=self.lang, timezone=self.company.timezone
        )

    def _units_and_people(self) -> None:
        for spec in self.company.units:
            parent = self.units[spec.parent].pk if spec.parent else None
            self.units[spec.key] = unit_create(
                organization=self.org,
                actor=self.owner,
                name=self.text(spec.name),
                kind=spec.kind,
                parent_id=parent,
            )
        owner_spec, *others = self.company.people
        member_update(
            membership=Membership.objects.get(organization=self.org, user=self.owner),
            actor=self.owner,
            unit_id=self.units[owner_spec.unit].pk,
        )
        for spec in others:
            is_new = not User.objects.filter(email=spec.email).exists()
            membership = member_add(
                organization=self.org,
                actor=self.owner,
                email=spec.email,
                name=self.text(spec.name),
                role=spec.role,
                unit=self.units[spec.unit],
                manager=self.people[spec.manager] if spec.manager else None,
            )
            user = membership.user
            user.language = self.lang
            if is_new:
                user.password = self.password_hash
            user.save(update_fields=["password", "language"])
            self.people[spec.key] = user
        for spec in self.company.units:
            unit_update(
                unit=self.units[spec.key],
                actor=self.owner,
                leader_id=self.people[spec.leader].pk,
            )

    def _themes(self) -> None:
        for spec in self.company.themes:
            theme = theme_create(
                organization=self.org,
                actor=self.owner,
                title=self.text(spec.title, year=self.today.year),
                description=self.text(spec.description, year=self.today.year),
                kind=spec.kind,
            )
            self.themes[spec.key] = theme.pk

    def _cycles(self) -> None:
        for key in ("previous", "year", "quarter"):
            dates = self.calendar.get(key)
            self.cycles[key] = cycle_create(
                organization=self.org,
                actor=self.owner,
                name=dates.name,
                start_date=dates.start,
                end_date=dates.end,
                state=CycleState.ACTIVE,
            )

    def _accounts(self) -> list[DemoAccount]:
        units = {spec.key: self.text(spec.name) for spec in self.company.units}
        return [
            DemoAccount(
                spec.email,
                self.text(spec.name),
                spec.role,
                units[spec.unit],
                self.text(spec.job),
            )
            for spec in self.company.people
        ]

    # --- objectives and key results -------------------------------------------------------

    def _objectives(self, specs: list[ObjectiveSpec]) -> None:
        for spec in specs:
            owner = self.people[spec.owner]
            objective, _warnings = objective_create(
                organization=self.org,
                actor=owner,
                cycle_id=self.cycles[spec.cycle].pk,
                title=self.text(spec.title, year=self.today.year),
                description=self.text(spec.description),
                level=spec.level,
                unit_id=self.units[spec.unit].pk,
                owner_id=owner.pk,
                visibility=spec.visibility,
                theme_ids=[self.themes[t] for t in spec.themes],
                alignments=[self._alignment(link) for link in spec.links],
            )
            self.objectives[spec.key] = objective
            for kr_spec in spec.key_results:
                self._key_result(objective, owner, kr_spec, self.calendar.get(spec.cycle))

    def _alignment(self, link: Link) -> dict:
        kind, key = link.parent.split(":", 1)
        data: dict = {"type": link.type, "weight": Decimal(link.weight)}
        if kind == "O":
            data["parent_objective_id"] = self.objectives[key].pk
        else:
            data["parent_key_result_id"] = self.key_results[key].pk
        return data

    def _key_result(
        self, objective: Objective, owner: User, spec: KRSpec, cycle: timeline.CycleDates
    ) -> None:
        fields: dict = {
            "title": self.text(spec.title),
            "kind": spec.kind,
            "unit": self.text(spec.unit),
            "weight": Decimal(spec.weight),
        }
        if spec.start is not None:
            fields["start"] = spec.decimal("start")
        if spec.target is not None:
            fields["target"] = spec.decimal("target")
        if spec.direction:
            fields["direction"] = spec.direction
        if spec.phases:
            fields["phases"] = [
                {"date": d, "target": v} for d, v in timeline.phase_dates(spec, cycle)
            ]
        if spec.milestones:
            fields["milestones"] = [
                {"title": self.text(title), "weight": weight} for title, weight in spec.milestones
            ]
        if spec.contributors:
            fields["contributor_ids"] = [self.people[p].pk for p in spec.contributors]
        kr, _warnings = kr_create(objective=objective, actor=owner, **fields)
        self.key_results[spec.key] = kr

    # --- check-ins and scores -------------------------------------------------------------

    def _check_in(self, specs: list[ObjectiveSpec]) -> None:
        """Every key result's history, submitted oldest first across the organization."""
        events: list[tuple[datetime, int, str, dict]] = []
        weekday = self.org.checkin_weekday
        for objective in specs:
            cycle = self.calendar.get(objective.cycle)
            for spec in objective.key_results:
                if spec.kind == "rollup":
                    continue
                days = timeline.checkin_days(
                    cycle,
                    weekday=weekday,
                    before=self.today,
                    every_weeks=spec.every_weeks,
                    stale=spec.stale,
                )
                steps = timeline.plan_steps(
                    spec, cycle, days, today=self.today, zone=self.zone, lang=self.lang
                )
                payloads = self._payloads(spec, steps)
                for order, (step, payload) in enumerate(zip(steps, payloads, strict=True)):
                    events.append((step.at, order, spec.key, payload))
        events.sort(key=lambda event: (event[0], event[2], event[1]))
        # The same User objects throughout: each caches its permissions once.
        users = {user.pk: user for user in self.people.values()}
        last = Notification.objects.aggregate(last=Max("id"))["last"] or 0
        for at, _order, key, payload in events:
            kr = self.key_results[key]
            checkin_submit(key_result=kr, actor=users[kr.owner_id], at=at, **payload)
            self.checkins += 1
            # Followers heard of it when it happened, not when the demo loaded.
            told = Notification.objects.filter(organization=self.org, id__gt=last)
            ids = list(told.values_list("id", flat=True))
            if ids:
                Notification.objects.filter(pk__in=ids).update(created_at=at)
                last = max(ids)

    def _payloads(self, spec: KRSpec, steps: list[timeline.Step]) -> list[dict]:
        values = timeline.threshold_values(spec, len(steps)) if spec.kind == "threshold" else []
        milestone_ids = list(
            self.key_results[spec.key]
            .milestones.order_by("position", "id")
            .values_list("pk", flat=True)
        )
        payloads = []
        for index, step in enumerate(steps):
            payload: dict = {"confidence": step.confidence, "note": step.note}
            if spec.kind in ("metric", "percentage"):
                payload["value"] = timeline.value_at(spec, step.progress)
            elif spec.kind == "threshold":
                payload["value"] = values[index]
            elif spec.kind == "boolean":
                payload["done"] = step.progress >= 1 or (
                    spec.plan == "done" and index >= step.count - 2
                )
            elif spec.kind == "milestone":
                done = timeline.milestones_done([w for _t, w in spec.milestones], step.progress)
                payload["milestone_ids_done"] = milestone_ids[:done]
            payloads.append(payload)
        return payloads

    def _score(self, specs: list[ObjectiveSpec]) -> None:
        """The owner self-scores, the manager sets the final score (closed cycles)."""
        for spec in specs:
            if spec.scores is None or spec.score_by is None:
                continue
            self_by, final_by = (self.people[k] for k in spec.score_by)
            for kr_spec in spec.key_results:
                if kr_spec.scores is None:
                    continue
                kr = self.key_results[kr_spec.key]
                kr = key_result_update(key_result=kr, actor=self_by, self_score=kr_spec.scores[0])
                key_result_update(key_result=kr, actor=final_by, final_score=kr_spec.scores[1])
            objective = self.objectives[spec.key]
            objective, _w = objective_update(
                objective=objective, actor=self_by, self_score=spec.scores[0]
            )
            self.objectives[spec.key], _w = objective_update(
                objective=objective, actor=final_by, final_score=spec.scores[1]
            )
