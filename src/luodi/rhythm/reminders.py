"""Reminders and digests, run every hour: each organization is judged in its own timezone
and check-in day, and `ReminderLog` makes every reminder go out at most once per period.

- check-in day, from 10:00 local: people with key results not checked in this week;
- any day from 10:00: a nudge per key result without a check-in for 14 days (weekly);
- 09:00 on a cycle's first day, and in its last seven days: start and end reminders;
- the day after the check-in day, from 09:00: a digest to each unit leader of their team's
  week, made only of objectives that leader may see.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from luodi.accounts.models import User
from luodi.checkins.models import CheckIn
from luodi.notify.events import EventKind, Message, emit
from luodi.okrs import progress as rules
from luodi.okrs.choices import KeyResultKind, KeyResultState, ObjectiveState
from luodi.okrs.models import KeyResult, KeyResultContributor, Objective
from luodi.okrs.permissions import viewer_for, visible_objectives_q
from luodi.okrs.selectors import Clock
from luodi.orgs.choices import CycleState, Role
from luodi.orgs.models import Cycle, Membership, Organization, Unit
from luodi.rhythm.access import subtree_ids
from luodi.rhythm.models import ReminderLog
from luodi.rhythm.periods import week_of
from luodi.web.templatetags.luodi import pct

logger = logging.getLogger(__name__)

CHECKIN_HOUR = 10
STALE_HOUR = 10
CYCLE_HOUR = 9
DIGEST_HOUR = 9
CYCLE_END_DAYS = 7
DIGEST_CHANGES = 5


def run_reminders(now: datetime | None = None) -> Counter[str]:
    """Every organization's reminders due at `now`; returns how many went out, by kind."""
    now = now or timezone.now()
    sent: Counter[str] = Counter()
    for organization in Organization.objects.order_by("pk").iterator():
        # One organization's bad data must not keep the others' reminders from going out;
        # what it did not send is tried again at the next hourly run.
        try:
            sent.update(run_for_organization(organization, now))
        except Exception:
            logger.exception("Reminders failed for organization %s", organization.pk)
    return sent


def run_for_organization(organization: Organization, now: datetime) -> Counter[str]:
    clock = Clock.for_org(organization, now)
    local = now.astimezone(clock.zone)
    sent: Counter[str] = Counter()
    checkin_day = organization.checkin_weekday
    if local.weekday() == checkin_day and local.hour >= CHECKIN_HOUR:
        sent[EventKind.REMINDER_CHECKIN_DUE] += checkin_due(organization, clock)
    if local.hour >= STALE_HOUR:
        sent[EventKind.REMINDER_STALE] += stale_nudges(organization, clock)
    if local.hour >= CYCLE_HOUR:
        sent.update(cycle_reminders(organization, clock))
    if local.weekday() == (checkin_day + 1) % 7 and local.hour >= DIGEST_HOUR:
        sent[EventKind.DIGEST_WEEKLY] += weekly_digests(organization, clock)
    return +sent


def _send_once(
    organization: Organization, kind: str, user_id: int, period: str, **event: Any
) -> bool:
    """Log the reminder and emit it in one transaction; False if it went out before."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                ReminderLog.objects.create(
                    organization=organization, kind=kind, user_id=user_id, period=period
                )
        except IntegrityError:
            return False
        emit(organization=organization, kind=kind, recipients=[user_id], **event)
    return True


def _already(organization: Organization, kind: str, periods: Iterable[str]) -> set[tuple]:
    return set(
        ReminderLog.objects.filter(
            organization=organization, kind=kind, period__in=list(periods)
        ).values_list("user_id", "period")
    )


def _writers(organization: Organization, user_ids: Iterable[int]) -> set[int]:
    """Those of the people who are members able to write (viewers check nothing in)."""
    return set(
        Membership.objects.filter(organization=organization, user_id__in=set(user_ids))
        .exclude(role=Role.VIEWER)
        .values_list("user_id", flat=True)
    )


def _open_key_results(organization: Organization, clock: Clock) -> Any:
    """Active key results that take check-ins, not done, in active cycles that have begun."""
    return (
        KeyResult.objects.filter(
            organization=organization,
            state=KeyResultState.ACTIVE,
            objective__state=ObjectiveState.ACTIVE,
            objective__cycle__state=CycleState.ACTIVE,
            objective__cycle__start_date__lte=clock.today,
        )
        .exclude(kind=KeyResultKind.ROLLUP)
        .exclude(raw_progress__gte=1)
    )


def checkin_due(organization: Organization, clock: Clock) -> int:
    week = week_of(clock.today)
    week_start = clock.start_of(week.first)
    due = _open_key_results(organization, clock).filter(
        Q(last_checkin_at__isnull=True) | Q(last_checkin_at__lt=week_start)
    )
    counts: Counter[int] = Counter()
    for owner_id, objective_owner_id in due.values_list("owner_id", "objective__owner_id"):
        counts[owner_id or objective_owner_id] += 1
    contributors = KeyResultContributor.objects.filter(
        organization=organization, key_result__in=due.values("pk")
    ).values_list("user_id", "key_result_id")
    owners = dict(due.values_list("pk", "owner_id"))
    for user_id, kr_id in contributors:
        if owners.get(kr_id) != user_id:
            counts[user_id] += 1
    counts.pop(None, None)  # type: ignore[call-overload]
    done = _already(organization, EventKind.REMINDER_CHECKIN_DUE, [week.key])
    sent = 0
    for user_id in sorted(_writers(organization, counts)):
        if (user_id, week.key) in done:
            continue
        sent += _send_once(
            organization,
            EventKind.REMINDER_CHECKIN_DUE,
            user_id,
            week.key,
            title=Message(
                gettext_noop("Time for your weekly check-in (%(count)s to update)"),
                {"count": str(counts[user_id])},
            ),
            url=f"/o/{organization.slug}/checkin/",
            data={"week": week.key, "key_results": counts[user_id]},
        )
    return sent


def stale_nudges(organization: Organization, clock: Clock) -> int:
    week = week_of(clock.today)
    horizon = clock.now - rules.STALE_AFTER
    candidates = (
        _open_key_results(organization, clock)
        .filter(Q(last_checkin_at__isnull=True) | Q(last_checkin_at__lte=horizon))
        .select_related("objective__cycle")
    )
    nudges: list[tuple[KeyResult, int, str]] = []
    for kr in candidates:
        start = clock.start_of(kr.start_date or kr.objective.cycle.start_date)
        stale = rules.is_stale(
            last_checkin_at=kr.last_checkin_at, cycle_start=start, now=clock.now, cycle_active=True
        )
        recipient = kr.owner_id or kr.objective.owner_id
        if stale and recipient is not None:
            nudges.append((kr, recipient, f"kr{kr.pk}:{week.key}"))
    done = _already(organization, EventKind.REMINDER_STALE, [p for _kr, _u, p in nudges])
    writers = _writers(organization, [u for _kr, u, _p in nudges])
    sent = 0
    for kr, user_id, period in nudges:
        if (user_id, period) in done or user_id not in writers:
            continue
        since = kr.last_checkin_at or clock.start_of(kr.objective.cycle.start_date)
        sent += _send_once(
            organization,
            EventKind.REMINDER_STALE,
            user_id,
            period,
            title=Message(
                gettext_noop("“%(title)s” has not been updated for %(days)s days"),
                {"title": kr.title, "days": str((clock.now - since).days)},
            ),
            url=f"/o/{organization.slug}/objectives/{kr.objective_id}/#kr-{kr.pk}",
            objective_id=kr.objective_id,
            data={"key_result_id": kr.pk, "objective_id": kr.objective_id},
        )
    return sent


def cycle_reminders(organization: Organization, clock: Clock) -> Counter[str]:
    sent: Counter[str] = Counter()
    starting = Cycle.objects.filter(organization=organization, start_date=clock.today).exclude(
        state=CycleState.CLOSED
    )
    ending = Cycle.objects.filter(
        organization=organization,
        state=CycleState.ACTIVE,
        end_date__gt=clock.today,
        end_date__lte=clock.today + timedelta(days=CYCLE_END_DAYS),
    )
    for cycle in starting:
        sent[EventKind.REMINDER_CYCLE_STARTS] += _cycle_reminder(
            organization,
            cycle,
            EventKind.REMINDER_CYCLE_STARTS,
            "start",
            Message(gettext_noop("%(cycle)s starts today"), {"cycle": cycle.name}),
        )
    for cycle in ending:
        sent[EventKind.REMINDER_CYCLE_ENDS] += _cycle_reminder(
            organization,
            cycle,
            EventKind.REMINDER_CYCLE_ENDS,
            "end",
            Message(
                gettext_noop("%(cycle)s ends on %(day)s: time to check in and score"),
                {"cycle": cycle.name, "day": cycle.end_date.isoformat()},
            ),
        )
    return sent


def _cycle_reminder(
    organization: Organization, cycle: Cycle, kind: str, edge: str, title: Message
) -> int:
    """To members who own objectives in the cycle."""
    period = f"cycle{cycle.pk}:{edge}"
    owners = (
        Objective.objects.filter(organization=organization, cycle=cycle)
        .exclude(state=ObjectiveState.CANCELLED)
        .exclude(owner_id=None)
        .values_list("owner_id", flat=True)
    )
    members = set(
        Membership.objects.filter(organization=organization, user_id__in=owners).values_list(
            "user_id", flat=True
        )
    )
    done = _already(organization, kind, [period])
    return sum(
        _send_once(
            organization,
            kind,
            user_id,
            period,
            title=title,
            url=f"/o/{organization.slug}/?cycle={cycle.pk}",
            data={"cycle_id": cycle.pk, "name": cycle.name},
        )
        for user_id in sorted(members)
        if (user_id, period) not in done
    )


# ---------------------------------------------------------------- weekly digest


def weekly_digests(organization: Organization, clock: Clock) -> int:
    """One digest per unit leader about the week that ended with yesterday's check-in day."""
    week = week_of(clock.today - timedelta(days=1))
    led: dict[int, list[int]] = {}
    for pk, leader_id in Unit.objects.filter(
        organization=organization, leader__isnull=False
    ).values_list("pk", "leader_id"):
        led.setdefault(leader_id, []).append(pk)
    members = Membership.objects.filter(organization=organization, user_id__in=list(led))
    done = _already(organization, EventKind.DIGEST_WEEKLY, [week.key])
    sent = 0
    for leader in User.objects.filter(pk__in=members.values("user_id")).order_by("pk"):
        if (leader.pk, week.key) in done:
            continue
        digest = build_digest(organization, leader, led[leader.pk], week, clock)
        sent += _send_once(
            organization,
            EventKind.DIGEST_WEEKLY,
            leader.pk,
            week.key,
            title=Message(gettext_noop("Your team's week %(week)s"), {"week": week.key}),
            body=digest.message(),
            url=f"/o/{organization.slug}/weekly-reports/team/?week={week.key}",
            data=digest.data,
        )
    return sent


class Digest:
    """What a leader reads about their team's week: only objectives they may see."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def message(self) -> Message:
        changes = "; ".join(
            f"{c['title']} {pct(c['from'])} → {pct(c['to'])}" for c in self.data["changes"]
        )
        return Message(
            gettext_noop(
                "Objectives: %(objectives)s, %(progress)s on average. "
                "Checked in: %(checked)s of %(people)s; not yet: %(missing)s. "
                "Moved most: %(changes)s"
            ),
            {
                "objectives": str(len(self.data["objectives"])),
                "progress": pct(self.data["progress"]),
                "checked": str(len(self.data["checked_in"])),
                "people": str(len(self.data["people"])),
                "missing": ", ".join(self.data["missing_names"]) or "—",
                "changes": changes or "—",
            },
        )


def build_digest(
    organization: Organization, leader: User, unit_ids: list[int], week: Any, clock: Clock
) -> Digest:
    units: set[int] = set()
    for unit_id in unit_ids:
        units.update(subtree_ids(organization, unit_id))
    team = dict(
        Membership.objects.filter(organization=organization, unit_id__in=units)
        .select_related("user")
        .values_list("user_id", "user__name")
    )
    viewer = viewer_for(organization, leader)
    objectives = list(
        Objective.objects.filter(
            organization=organization,
            state=ObjectiveState.ACTIVE,
            cycle__state=CycleState.ACTIVE,
        )
        .filter(Q(unit_id__in=units) | Q(owner_id__in=list(team)))
        .filter(visible_objectives_q(viewer))
        .order_by("pk")
        .values("pk", "title", "progress")
    )
    start, end = week.bounds(clock.zone)
    checked_in = set(
        CheckIn.objects.filter(
            organization=organization,
            author_id__in=list(team),
            created_at__gte=start,
            created_at__lt=end,
        ).values_list("author_id", flat=True)
    )
    progresses = [o["progress"] for o in objectives if o["progress"] is not None]
    missing = sorted(set(team) - checked_in)
    return Digest(
        {
            "week": week.key,
            "unit_ids": sorted(units),
            "objectives": [
                {"id": o["pk"], "title": o["title"], "progress": o["progress"]} for o in objectives
            ],
            "progress": sum(progresses) / len(progresses) if progresses else None,
            "changes": _changes([o["pk"] for o in objectives], start, end),
            "people": sorted(team),
            "checked_in": sorted(checked_in),
            "missing": missing,
            "missing_names": [team[pk] or str(pk) for pk in missing],
        }
    )


def _changes(objective_ids: list[int], start: datetime, end: datetime) -> list[dict[str, Any]]:
    """The key results (of these objectives) that moved most in the week."""
    rows = CheckIn.objects.filter(
        key_result__objective_id__in=objective_ids, created_at__lt=end
    ).filter(
        key_result__in=CheckIn.objects.filter(
            key_result__objective_id__in=objective_ids, created_at__gte=start, created_at__lt=end
        ).values("key_result_id")
    )
    first: dict[int, float] = {}
    last: dict[int, float] = {}
    titles: dict[int, str] = {}
    for kr_id, title, progress, at in rows.order_by("created_at", "id").values_list(
        "key_result_id", "key_result__title", "progress", "created_at"
    ):
        titles[kr_id] = title
        if at < start:
            first[kr_id] = progress or 0.0
        else:
            last[kr_id] = progress or 0.0
    moves = [
        {"key_result_id": k, "title": titles[k], "from": first.get(k, 0.0), "to": v}
        for k, v in last.items()
    ]
    moves.sort(key=lambda m: -abs(m["to"] - m["from"]))
    return moves[:DIGEST_CHANGES]
