"""Reads of objectives and key results: visibility first, then pace, status and score.

Status and pace depend on the day, so they are computed on read from stored progress.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from luodi.accounts.models import User
from luodi.okrs import engine
from luodi.okrs import progress as rules
from luodi.okrs.choices import KeyResultState, Status
from luodi.okrs.models import (
    Alignment,
    KeyResult,
    KeyResultContributor,
    Objective,
    ObjectiveTheme,
    Revision,
)
from luodi.okrs.permissions import viewer_for, visible_objectives_q
from luodi.orgs.choices import CycleState
from luodi.orgs.models import Cycle, Organization


def org_today(organization: Organization, now: datetime | None = None) -> date:
    """Today in the organization's timezone."""
    now = now or timezone.now()
    try:
        zone = ZoneInfo(organization.timezone)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return now.astimezone(zone).date()


@dataclass(frozen=True)
class Clock:
    """The moment a read is made, and the organization's rules that depend on it."""

    now: datetime
    today: date
    tolerance: float
    zone: ZoneInfo

    @classmethod
    def for_org(cls, organization: Organization, now: datetime | None = None) -> Clock:
        now = now or timezone.now()
        try:
            zone = ZoneInfo(organization.timezone)
        except (KeyError, ValueError):
            zone = ZoneInfo("UTC")
        return cls(
            now=now,
            today=now.astimezone(zone).date(),
            tolerance=float(organization.status_tolerance),
            zone=zone,
        )

    def start_of(self, day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=self.zone)


@dataclass(frozen=True)
class Measures:
    expected_progress: float
    status: str
    stale: bool
    score: float


def key_result_measures(kr: KeyResult, cycle: Cycle, clock: Clock) -> Measures:
    """Pace, status, stale flag and score. Uses prefetched phases when present."""
    start_day = kr.start_date or cycle.start_date
    end_day = kr.due_date or cycle.end_date
    phases = [rules.Phase(p.date, p.target) for p in kr.phases.all()] if kr.pk else []
    start, target = (None, None)
    if phases:
        start, target = engine.metric_bounds(kr)
    expected = rules.expected_progress(
        day=clock.today,
        start_day=start_day,
        end_day=end_day,
        start=start,
        target=target,
        direction=kr.direction,
        phases=phases,
    )
    status = rules.status_of(
        progress=kr.raw_progress if kr.raw_progress is not None else kr.progress,
        expected=expected,
        has_checkin=kr.last_checkin_at is not None,
        confidence=kr.last_confidence,
        tolerance=clock.tolerance,
    )
    # A finished or cancelled key result needs no more check-ins, so it is never stale.
    finished = kr.state == KeyResultState.CANCELLED or status == Status.DONE
    stale = not finished and rules.is_stale(
        last_checkin_at=kr.last_checkin_at,
        cycle_start=clock.start_of(start_day),
        now=clock.now,
        cycle_active=cycle.state == CycleState.ACTIVE,
    )
    score = _score(kr.final_score, kr.self_score, kr.progress)
    return Measures(expected, status, stale, score)


def objective_measures(objective: Objective, cycle: Cycle, clock: Clock) -> Measures:
    expected = rules.time_fraction(clock.today, cycle.start_date, cycle.end_date)
    status = rules.status_of(
        progress=objective.progress,
        expected=expected,
        has_checkin=objective.last_checkin_at is not None,
        confidence=None,
        tolerance=clock.tolerance,
    )
    return Measures(
        expected,
        status,
        False,
        _score(objective.final_score, objective.self_score, objective.progress),
    )


def _score(final: float | None, own: float | None, progress: float | None) -> float:
    if final is not None:
        return final
    if own is not None:
        return own
    return rules.suggested_score(progress)


def key_results_prefetch() -> Prefetch:
    return Prefetch(
        "key_results",
        queryset=KeyResult.objects.prefetch_related(
            "phases", "milestones", contributors_prefetch()
        ),
    )


def contributors_prefetch() -> Prefetch:
    return Prefetch(
        "keyresultcontributor_set",
        queryset=KeyResultContributor.objects.only("key_result_id", "user_id"),
        to_attr="contributor_links",
    )


def objective_prefetches() -> list[Prefetch]:
    """Themes (as `theme_links`) and parent alignments (as `alignment_links`)."""
    return [
        Prefetch(
            "objectivetheme_set",
            queryset=ObjectiveTheme.objects.only("objective_id", "theme_id"),
            to_attr="theme_links",
        ),
        Prefetch(
            "parent_links", queryset=Alignment.objects.order_by("id"), to_attr="alignment_links"
        ),
    ]


def objective_queryset(organization: Organization, user: User) -> QuerySet[Objective]:
    viewer = viewer_for(organization, user)
    return (
        Objective.objects.filter(organization=organization)
        .filter(visible_objectives_q(viewer))
        .select_related("cycle")
        .prefetch_related(*objective_prefetches())
    )


def objective_load_relations(objective: Objective, *, key_results: bool = True) -> Objective:
    """Load what objective_get prefetches onto an objective a service just returned."""
    lookups: list[str | Prefetch] = ["cycle", *objective_prefetches()]
    if key_results:
        lookups.append(key_results_prefetch())
    prefetch_related_objects([objective], *lookups)
    return objective


def key_result_load_relations(key_result: KeyResult) -> KeyResult:
    """Load what key_result_get prefetches onto a key result a service just returned."""
    prefetch_related_objects(
        [key_result], "objective__cycle", "phases", "milestones", contributors_prefetch()
    )
    return key_result


def objective_list(
    *,
    organization: Organization,
    user: User,
    cycle_id: int | None = None,
    unit_id: int | None = None,
    owner_id: int | None = None,
    state: str | None = None,
    q: str | None = None,
) -> QuerySet[Objective]:
    objectives = objective_queryset(organization, user)
    if cycle_id is not None:
        objectives = objectives.filter(cycle_id=cycle_id)
    if unit_id is not None:
        objectives = objectives.filter(unit_id=unit_id)
    if owner_id is not None:
        objectives = objectives.filter(owner_id=owner_id)
    if state:
        objectives = objectives.filter(state=state)
    if q:
        objectives = objectives.filter(Q(title__icontains=q) | Q(description__icontains=q))
    return objectives.order_by("id")


def objective_get(
    *, organization: Organization, user: User, objective_id: int, key_results: bool = True
) -> Objective | None:
    """The objective if it exists in this organization and the user may see it."""
    objectives = objective_queryset(organization, user)
    if key_results:
        objectives = objectives.prefetch_related(key_results_prefetch())
    return objectives.filter(pk=objective_id).first()


def key_result_get(
    *, organization: Organization, user: User, key_result_id: int
) -> KeyResult | None:
    viewer = viewer_for(organization, user)
    return (
        KeyResult.objects.filter(organization=organization, pk=key_result_id)
        .filter(visible_objectives_q(viewer, prefix="objective__"))
        .select_related("objective", "objective__cycle")
        .prefetch_related("phases", "milestones", contributors_prefetch())
        .first()
    )


def revision_list(*, key_result: KeyResult) -> QuerySet[Revision]:
    return Revision.objects.filter(
        organization_id=key_result.organization_id, key_result=key_result
    ).order_by("created_at", "id")


def objective_revision_list(*, objective: Objective) -> QuerySet[Revision]:
    return Revision.objects.filter(
        organization_id=objective.organization_id, objective=objective
    ).order_by("created_at", "id")
