"""Drafting a person's report (progress, problems, plans) from their check-ins.

Only objectives the report's readers may see are named (see access.shareable_objectives_q):
a report goes to leaders and managers who may not see a private objective.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import OuterRef, Q, Subquery, prefetch_related_objects
from django.utils.translation import gettext as _

from luodi.accounts.models import User
from luodi.checkins.models import CheckIn
from luodi.okrs.choices import KeyResultKind, KeyResultState, ObjectiveState, Status
from luodi.okrs.models import KeyResult, KeyResultContributor
from luodi.okrs.permissions import Viewer, viewer_for, visible_objectives_q
from luodi.okrs.selectors import Clock, key_result_measures
from luodi.orgs.choices import CycleState
from luodi.orgs.models import Organization
from luodi.rhythm.access import shareable_objectives_q
from luodi.rhythm.periods import Period
from luodi.web.templatetags.luodi import pct, value

LOW_CONFIDENCE = 4
DUE_SOON = timedelta(days=14)
# Lines of a check-in note that name a problem, or the next step (English and Chinese).
BLOCKER_RE = re.compile(r"block|stuck|risk|problem|issue|delay|阻塞|卡住|风险|问题|困难|延误", re.I)
# "Blockers: none." or "last week's issue is solved" name a problem word but report none.
NO_PROBLEM_RE = re.compile(
    r"^\s*(?:[^:：]{0,30}[:：])?\s*(?:none|no|nothing|n/?a|—|-|无|没有|暂无|无阻塞)\s*[.。!！]?\s*$"
    r"|solved|resolved|fixed|已解决|解决了|已修复",
    re.I,
)
NEXT_RE = re.compile(r"^\s*(?:next(?: steps?)?|plan|todo|下周|下一步|计划)\s*[:：]\s*(.+)$", re.I)
VALUE_KINDS = (KeyResultKind.METRIC, KeyResultKind.PERCENTAGE, KeyResultKind.THRESHOLD)


@dataclass(frozen=True)
class Draft:
    progress: str
    problems: str
    plans: str


def draft_report(
    *, organization: Organization, user: User, period: Period, now: datetime | None = None
) -> Draft:
    clock = Clock.for_org(organization, now)
    start, end = period.bounds(clock.zone)
    viewer = viewer_for(organization, user)
    shared = visible_objectives_q(viewer, "key_result__objective__") & shareable_objectives_q(
        viewer, "key_result__objective__"
    )
    checkins = list(
        CheckIn.objects.filter(
            organization=organization, author=user, created_at__gte=start, created_at__lt=end
        )
        .filter(shared)
        .select_related("key_result__objective__cycle")
        .order_by("created_at", "id")
    )
    by_kr: dict[int, list[CheckIn]] = {}
    for checkin in checkins:
        by_kr.setdefault(checkin.key_result_id, []).append(checkin)
    krs = _with_value_before(list(by_kr), start)
    prefetch_related_objects(list(krs.values()), "phases")
    progress, problems, next_steps = [], [], []
    for kr_id, rows in by_kr.items():
        kr = krs[kr_id]
        progress.append(_movement_line(kr, rows))
        progress.extend(f"    > {line}" for c in rows for line in _note_lines(c.note))
        problems.extend(_problem_lines(kr, rows, clock))
        next_steps.extend(
            f"- {match[1].strip()}"
            for c in rows
            for line in _note_lines(c.note)
            if (match := NEXT_RE.match(line))
        )
    plans = _plan_lines(organization, user, viewer, set(by_kr), period, clock) + next_steps
    return Draft(
        progress="\n".join(progress),
        problems="\n".join(dict.fromkeys(problems)),
        plans="\n".join(dict.fromkeys(plans)),
    )


def _note_lines(note: str) -> list[str]:
    return [line.strip() for line in (note or "").splitlines() if line.strip()]


def _with_value_before(kr_ids: list[int], start: datetime) -> dict[int, KeyResult]:
    """The key results, each with the value and progress of its last check-in before the
    period (by anyone): where this period's movement starts from."""
    before = CheckIn.objects.filter(key_result=OuterRef("pk"), created_at__lt=start).order_by(
        "-created_at", "-id"
    )
    rows = (
        KeyResult.objects.filter(pk__in=kr_ids)
        .select_related("objective__cycle")
        .annotate(
            value_before=Subquery(before.values("value")[:1]),
            progress_before=Subquery(before.values("progress")[:1]),
        )
    )
    return {kr.pk: kr for kr in rows}


def _label(kr: KeyResult) -> str:
    return f"**{kr.title}** ({kr.objective.title})"


def _movement_line(kr: KeyResult, rows: list[CheckIn]) -> str:
    last = rows[-1]
    parts = []
    if kr.kind in VALUE_KINDS and last.value is not None:
        was = kr.value_before if kr.value_before is not None else kr.start  # type: ignore[attr-defined]
        unit = f" {kr.measure_unit}" if kr.measure_unit else ""
        parts.append(f"{value(was)} → {value(last.value)}{unit}")
    before = kr.progress_before  # type: ignore[attr-defined]
    parts.append(
        _("progress %(before)s → %(after)s") % {"before": pct(before), "after": pct(last.progress)}
        if before is not None
        else _("progress %(after)s") % {"after": pct(last.progress)}
    )
    if last.confidence is not None:
        parts.append(_("confidence %(value)s/10") % {"value": last.confidence})
    return f"- {_label(kr)}: " + ", ".join(parts)


def _problem_lines(kr: KeyResult, rows: list[CheckIn], clock: Clock) -> list[str]:
    lines = []
    measures = key_result_measures(kr, kr.objective.cycle, clock)
    if measures.status in (Status.OFF_TRACK, Status.AT_RISK):
        lines.append(
            f"- {_label(kr)}: "
            + _("%(status)s (progress %(progress)s, expected %(expected)s)")
            % {
                "status": Status(measures.status).label,
                "progress": pct(kr.raw_progress),
                "expected": pct(measures.expected_progress),
            }
        )
    confidence = rows[-1].confidence
    if confidence is not None and confidence <= LOW_CONFIDENCE:
        low = _("low confidence (%(value)s/10)") % {"value": confidence}
        lines.append(f"- {_label(kr)}: {low}")
    for checkin in rows:
        lines.extend(
            f"- {_label(kr)}: {line}"
            for line in _note_lines(checkin.note)
            if BLOCKER_RE.search(line)
            and not NEXT_RE.match(line)
            and not NO_PROBLEM_RE.search(line)
        )
    return lines


def _plan_lines(
    organization: Organization,
    user: User,
    viewer: Viewer,
    updated: set[int],
    period: Period,
    clock: Clock,
) -> list[str]:
    """My open key results: those not updated in the period, and those due soon."""
    contributed = KeyResultContributor.objects.filter(organization=organization, user=user)
    mine = (
        KeyResult.objects.filter(organization=organization, state=KeyResultState.ACTIVE)
        .filter(Q(owner=user) | Q(pk__in=contributed.values("key_result_id")))
        .filter(objective__state=ObjectiveState.ACTIVE)
        .filter(objective__cycle__start_date__lte=period.end)
        .filter(objective__cycle__end_date__gte=period.first)
        .exclude(objective__cycle__state=CycleState.CLOSED)
        .filter(visible_objectives_q(viewer, "objective__"))
        .filter(shareable_objectives_q(viewer, "objective__"))
        .exclude(kind=KeyResultKind.ROLLUP)
        .exclude(raw_progress__gte=1)
        .select_related("objective")
        .order_by("due_date", "objective_id", "position", "id")
    )
    lines = []
    for kr in mine:
        if kr.pk not in updated:
            lines.append(f"- {_label(kr)}: " + _("not updated in this period"))
        if kr.due_date and kr.due_date <= period.end + DUE_SOON:
            lines.append(f"- {_label(kr)}: " + _("due %(day)s") % {"day": kr.due_date.isoformat()})
    return lines
