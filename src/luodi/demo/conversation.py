"""The conversation around the demo's OKRs, written through the real services: comments
with @mentions and likes, feedback, weekly reports and a monthly summary drafted from
check-ins, last week's review meeting and the next one, alignment requests.

Each step runs at a moment of the demo's recent past (see spec.Moment); the services stamp
rows with the real clock, so the loader moves each step's rows — and the notifications it
caused — to that moment afterwards. Notifications from before the evening of the last
check-in day are marked read: people have caught up with all but the latest conversation.

The demo's `today` is taken to be the real day, as `luodi demo` loads it (the services
refuse reports for weeks that have not begun; tests travel to the day they load).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import partial
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db.models import Max, Model, QuerySet
from django.utils import timezone, translation

from luodi.accounts.models import User
from luodi.checkins.models import CheckIn
from luodi.collab.models import Comment, CommentLike, Feedback
from luodi.collab.services import comment_create, comment_like, feedback_give
from luodi.demo.content import NO_BLOCKER, RESOLVED
from luodi.demo.spec import (
    AlignmentRequestSpec,
    ApprovalSpec,
    CommentSpec,
    Conversation,
    FeedbackSpec,
    KRSpec,
    MeetingSpec,
    Moment,
    ReportSpec,
    T,
)
from luodi.notify.models import Notification
from luodi.notify.services import mark_read
from luodi.okrs.alignment_requests import alignment_request_accept, alignment_request_create
from luodi.okrs.approvals import objective_approve, objective_submit
from luodi.okrs.models import AlignmentRequest, KeyResult, Objective
from luodi.okrs.services import key_result_create, objective_create
from luodi.orgs.services import organization_update
from luodi.rhythm.models import ActionItem, Meeting, MeetingKind
from luodi.rhythm.periods import month_of, week_of
from luodi.rhythm.services import (
    action_item_create,
    action_item_set_done,
    meeting_schedule,
    meeting_update,
    report_draft,
    report_save,
)

if TYPE_CHECKING:
    from luodi.demo.loader import _Builder

MEETING_WEEKDAY = 0  # reviews on Monday mornings …
MEETING_AT = time(10)  # … at ten, for an hour
MEETING_MINUTES = 60
SCHEDULED_DAYS_AHEAD = 3
TALK_STARTS = time(19)  # the evening of the last check-in day
REPORT_AT = time(20)
AWAKE = (time(8, 30), time(22))  # when people write comments


# What a step leaves behind: rows, and which of their time fields move to the step's moment.
Stamps = list[tuple[QuerySet, tuple[str, ...]]]


def _rows(model: type[Model], pk: int, *fields: str) -> tuple[QuerySet, tuple[str, ...]]:
    return model.objects.filter(pk=pk), fields or ("created_at",)  # type: ignore[attr-defined]


@dataclass
class Step:
    at: datetime
    run: Callable[[], Stamps]


class ConversationBuilder:
    def __init__(self, builder: _Builder, spec: Conversation) -> None:
        self.b = builder
        self.spec = spec
        today, zone = builder.today, builder.zone
        self.now = timezone.now()
        checkin_day = today - timedelta(days=1)
        checkin_day -= timedelta(days=(checkin_day.weekday() - builder.org.checkin_weekday) % 7)
        self.talk_start = datetime.combine(checkin_day, TALK_STARTS, tzinfo=zone)
        monday = today - timedelta(days=(today.weekday() - MEETING_WEEKDAY) % 7 or 7)
        self.past_meeting_at = datetime.combine(monday, MEETING_AT, tzinfo=zone)
        self.meeting_end = self.past_meeting_at + timedelta(minutes=MEETING_MINUTES)
        upcoming = self.past_meeting_at + timedelta(weeks=1)
        self.next_meeting_at = upcoming if upcoming > self.now else upcoming + timedelta(weeks=1)
        self.last_week = week_of(today - timedelta(days=7))
        self.last_month = month_of(today.replace(day=1) - timedelta(days=1))
        self.mentions = {p.key: "@" + builder.text(p.name) for p in builder.company.people}
        self.comments: dict[int, Comment] = {}
        self.meetings: dict[str, Meeting] = {}
        self.requests: dict[str, AlignmentRequest] = {}
        self.result: dict[str, int] = {}

    # --- helpers ----------------------------------------------------------------------------

    def text(self, value: T) -> str:
        return value.get(self.b.lang, **self.mentions)

    def person(self, key: str) -> User:
        return self.b.people[key]

    def moment(self, at: Moment) -> datetime:
        start = self.talk_start if at.window == "talk" else self.meeting_end
        return awake_moment(start, self.now, at.share, self.b.zone)

    def target(self, on: str) -> tuple[Objective, KeyResult | None, CheckIn | None]:
        """'O:<objective>', 'K:<key result>' or 'C:<key result>' (its latest check-in)."""
        kind, key = on.split(":", 1)
        if kind == "O":
            return self.b.objectives[key], None, None
        kr = self.b.key_results[key]
        objective = Objective.objects.get(pk=kr.objective_id)
        if kind == "K":
            return objective, kr, None
        checkin = CheckIn.objects.filter(key_result=kr).order_by("-created_at", "-id").first()
        return objective, kr, checkin

    # --- the run ----------------------------------------------------------------------------

    def build(self) -> dict[str, int]:
        steps: list[Step] = []
        for request in self.spec.alignment_requests:
            steps += self.alignment_request(request)
        for index, comment in enumerate(self.spec.comments):
            steps += self.comment(index, comment)
        steps += [self.feedback(spec) for spec in self.spec.feedback]
        steps += [self.report(index, spec) for index, spec in enumerate(self.spec.reports)]
        steps += self.review_meetings(self.spec.meeting)
        if self.spec.approvals:
            organization_update(organization=self.b.org, actor=self.b.owner, requires_approval=True)
            for approval in self.spec.approvals:
                steps += self.approval(approval)
        steps.sort(key=lambda step: step.at)  # stable: same moment, written order
        with translation.override(self.b.lang):  # drafted reports speak the demo's language
            for step in steps:
                self.stamped(step)
        self.catch_up()
        return self.result

    def stamped(self, step: Step) -> None:
        """Run a step, then move its rows and the notifications it caused to its moment."""
        at = min(step.at, self.now - timedelta(minutes=5))
        last = Notification.objects.aggregate(last=Max("id"))["last"] or 0
        for rows, fields in step.run():
            rows.update(**dict.fromkeys(fields, at))
        Notification.objects.filter(organization=self.b.org, id__gt=last).update(created_at=at)

    def catch_up(self) -> None:
        """Everyone has read what came before the evening of the last check-in day."""
        old = Notification.objects.filter(
            organization=self.b.org, read_at__isnull=True, created_at__lt=self.talk_start
        ).values_list("recipient_id", "id")
        by_person: dict[int, list[int]] = {}
        for recipient, pk in old:
            by_person.setdefault(recipient, []).append(pk)
        users = {user.pk: user for user in self.b.people.values()}
        for recipient, ids in by_person.items():
            mark_read(user=users[recipient], organization=self.b.org, ids=ids)

    # --- comments and feedback --------------------------------------------------------------

    def comment(self, index: int, spec: CommentSpec) -> list[Step]:
        def write() -> Stamps:
            objective, kr, checkin = self.target(spec.on)
            comment = comment_create(
                actor=self.person(spec.author),
                objective=objective,
                body=self.text(spec.body),
                key_result=kr,
                checkin=checkin,
            )
            self.comments[index] = comment
            return [_rows(Comment, comment.pk)]

        def like(liker: str) -> Stamps:
            comment = self.comments[index]
            comment_like(actor=self.person(liker), comment=comment)
            return [
                (
                    CommentLike.objects.filter(comment=comment, user=self.person(liker)),
                    ("created_at",),
                )
            ]

        at = self.moment(spec.at)
        steps = [Step(at, write)]
        for n, liker in enumerate(spec.likes, start=1):
            steps.append(Step(at + timedelta(minutes=25 * n), partial(like, liker)))
        return steps

    def feedback(self, spec: FeedbackSpec) -> Step:
        def give() -> Stamps:
            objective, _kr, checkin = self.target(spec.on)
            feedback = feedback_give(
                actor=self.person(spec.giver),
                objective=objective,
                kind=spec.kind,
                body=self.text(spec.body),
                checkin=checkin,
            )
            return [_rows(Feedback, feedback.pk)]

        return Step(self.moment(spec.at), give)

    # --- reports ----------------------------------------------------------------------------

    def report(self, index: int, spec: ReportSpec) -> Step:
        """Drafted from the person's check-ins of the period, edited a little, submitted:
        weekly reports the evening of last week's check-in day, the monthly summary on the
        first working day after the month."""
        if spec.kind == "week":
            period = self.last_week
            day = period.first + timedelta(days=self.b.org.checkin_weekday)
            at = datetime.combine(day, REPORT_AT, tzinfo=self.b.zone)
        else:
            period = self.last_month
            day = period.end  # the first of this month, or the first working day after it
            while day.weekday() >= 5:
                day += timedelta(days=1)
            at = datetime.combine(day, time(10), tzinfo=self.b.zone)  # `stamped` keeps it past
        at += timedelta(minutes=17 * index)

        def write() -> Stamps:
            actor = self.person(spec.person)
            draft = report_draft(
                organization=self.b.org, actor=actor, kind=spec.kind, period_key=period.key
            )
            texts = {
                "progress": _join(self.text(spec.opening), draft.progress),
                "problems": _join(self.without_noise(draft.problems), self.text(spec.problem)),
                "plans": _join(draft.plans, self.text(spec.plan)),
            }
            report = report_save(
                organization=self.b.org,
                actor=actor,
                kind=spec.kind,
                period_key=period.key,
                texts=texts,
                submit=True,
            )
            return [_rows(type(report), report.pk, "created_at", "updated_at", "submitted_at")]

        return Step(at, write)

    def without_noise(self, problems: str) -> str:
        """The edit everyone makes to a drafted report: the draft quotes "Blockers: none"
        and "last week's issue is solved" as problems (they name a blocker or an issue)."""
        quiet = tuple(text.get(self.b.lang) for text in (NO_BLOCKER, RESOLVED))
        return "\n".join(line for line in problems.splitlines() if not line.endswith(quiet))

    # --- review meetings --------------------------------------------------------------------

    def review_meetings(self, spec: MeetingSpec) -> list[Step]:
        """Last week's review with its minutes and action items, and the next one."""
        organizer = self.person(spec.organizer)

        def schedule(name: str, starts_at: datetime) -> Stamps:
            meeting = meeting_schedule(
                organization=self.b.org,
                actor=organizer,
                unit_id=self.b.units[spec.unit].pk,
                kind=MeetingKind.WEEKLY,
                starts_at=starts_at,
                duration_minutes=MEETING_MINUTES,
                title=self.text(spec.title),
            )
            self.meetings[name] = meeting
            self.result[name] = meeting.pk
            return [_rows(Meeting, meeting.pk, "created_at", "agenda_at")]

        def minutes() -> Stamps:
            meeting = meeting_update(
                meeting=self.meetings["past_meeting"],
                actor=organizer,
                notes=self.text(spec.notes),
                decisions=self.text(spec.decisions),
            )
            stamps: Stamps = []
            for action in spec.actions:
                kr = self.b.key_results.get(action.key_result)
                item = action_item_create(
                    meeting=meeting,
                    actor=organizer,
                    title=self.text(action.title),
                    owner_id=self.person(action.owner).pk,
                    due_date=self.b.today + timedelta(days=action.due_in_days),
                    key_result_id=kr.pk if kr else None,
                )
                stamps.append(_rows(ActionItem, item.pk))
            return stamps

        def done() -> Stamps:
            items = ActionItem.objects.filter(meeting=self.meetings["past_meeting"]).order_by("id")
            stamps: Stamps = []
            for action, item in zip(spec.actions, items, strict=True):
                if action.done:
                    action_item_set_done(item=item, actor=self.person(action.owner), done=True)
                    stamps.append(_rows(ActionItem, item.pk, "done_at"))
            return stamps

        scheduled = self.past_meeting_at - timedelta(days=SCHEDULED_DAYS_AHEAD)
        return [
            Step(scheduled, partial(schedule, "past_meeting", self.past_meeting_at)),
            Step(self.meeting_end, minutes),
            Step(self.moment(Moment(0.6, "meeting")), done),
            Step(self.moment(Moment(0.9)), partial(schedule, "next_meeting", self.next_meeting_at)),
        ]

    # --- alignment requests -----------------------------------------------------------------

    def alignment_request(self, spec: AlignmentRequestSpec) -> list[Step]:
        def ask() -> Stamps:
            request = alignment_request_create(
                objective=self.b.objectives[spec.objective],
                actor=self.person(spec.asked_by),
                to_unit_id=self.b.units[spec.to_unit].pk,
                type="supports",
                message=self.text(spec.message),
            )
            self.requests[spec.objective] = request
            self.result[f"request:{spec.objective}"] = request.pk
            return [_rows(AlignmentRequest, request.pk)]

        def accept() -> Stamps:
            actor = self.person(spec.answered_by)
            request = alignment_request_accept(
                request=self.requests[spec.objective],
                actor=actor,
                create=True,
                title=self.text(spec.answer_title),
                comment=self.text(spec.answer_comment),
            )
            child = Objective.objects.get(pk=request.child_objective_id)
            self.result[f"answer:{spec.objective}"] = child.pk
            self.key_results(child, actor, spec.answer_key_results)
            return [_rows(AlignmentRequest, request.pk, "answered_at")]

        steps = [Step(self.moment(spec.at), ask)]
        if spec.answer == "accept":
            steps.append(Step(self.moment(spec.answered_at), accept))
        return steps

    def key_results(self, objective: Objective, actor: User, specs: tuple[KRSpec, ...]) -> None:
        """New key results, not checked in on yet (metrics and percentages)."""
        for spec in specs:
            kr, _warnings = key_result_create(
                objective=objective,
                actor=actor,
                title=self.text(spec.title),
                kind=spec.kind,
                unit=self.text(spec.unit),
                start=spec.decimal("start"),
                target=spec.decimal("target"),
            )
            self.result[spec.key] = kr.pk

    # --- approval of drafts -----------------------------------------------------------------

    def approval(self, spec: ApprovalSpec) -> list[Step]:
        made: dict[str, Objective] = {}
        o = spec.objective

        def submit() -> Stamps:
            owner = self.person(o.owner)
            objective, _warnings = objective_create(
                organization=self.b.org,
                actor=owner,
                cycle_id=self.b.cycles[o.cycle].pk,
                title=self.text(o.title),
                description=self.text(o.description),
                level=o.level,
                unit_id=self.b.units[o.unit].pk,
                owner_id=owner.pk,
                alignments=[self.b._alignment(link) for link in o.links],
            )
            self.key_results(objective, owner, o.key_results)
            made["draft"] = objective_submit(
                objective=objective, actor=owner, note=self.text(spec.note)
            )
            self.result[o.key] = objective.pk
            return [_rows(Objective, objective.pk, "approval_submitted_at")]

        def approve() -> Stamps:
            objective = objective_approve(
                objective=made["draft"],
                actor=self.person(spec.approved_by),
                comment=self.text(spec.comment),
            )
            return [_rows(Objective, objective.pk, "approval_decided_at")]

        steps = [Step(self.moment(spec.at), submit)]
        if spec.approved_by:
            steps.append(Step(self.moment(spec.decided_at), approve))
        return steps


def awake_moment(start: datetime, end: datetime, share: float, zone: ZoneInfo) -> datetime:
    """The moment `share` of the way through the waking hours (local) between two moments —
    people do not comment at three in the morning. Without waking hours between them, the
    plain share of the way."""
    spans: list[tuple[datetime, datetime]] = []
    day = start.astimezone(zone).date()
    while (morning := datetime.combine(day, AWAKE[0], tzinfo=zone)) < end:
        low = max(start, morning)
        high = min(end, datetime.combine(day, AWAKE[1], tzinfo=zone))
        if low < high:
            spans.append((low, high))
        day += timedelta(days=1)
    total = sum(((high - low) for low, high in spans), timedelta())
    if total < timedelta(hours=1):
        return start + (end - start) * share
    left = total * share
    for low, high in spans:
        if left <= high - low:
            return low + left
        left -= high - low
    return spans[-1][1]


def _join(*parts: str) -> str:
    return "\n\n".join(part.strip() for part in parts if part and part.strip())
