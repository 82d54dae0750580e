"""The one door every part of Luodi uses to tell people that something happened.

Callers (comments, check-ins, reminders, meetings, approvals …) call `emit` inside their
own transaction with the people who should hear of it. `emit`:

- keeps only recipients who are members of `organization` and, when `objective_id` is
  given, who may see that objective (`okrs.permissions.can_see_objective`) — so a caller's
  mistake can never leak a private objective or another organization's data;
- never notifies the actor of their own action;
- writes one inbox `Notification` per remaining recipient (same transaction), and after
  commit queues e-mail per each person's preferences for `kind`;
- after commit queues one delivery per matching organization/unit channel (Feishu,
  DingTalk, WeCom, Slack, webhook) — but only for events whose objective, if any, every
  member of the channel's audience may see (visibility `organization`, not draft; for a
  unit channel, `unit` visibility inside that unit's subtree is fine too).

Texts are `Message`s: a msgid marked with `gettext_noop` and its parameters, rendered in
each recipient's language (`User.language`, else the organization's locale) at delivery.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from luodi.orgs.models import Organization

if TYPE_CHECKING:
    from luodi.okrs.models import Objective


class EventKind(models.TextChoices):
    """Event kinds. The first seven are API.md's contract (webhook `event` field)."""

    COMMENT_CREATED = "comment.created", _("New comment")
    MENTION = "mention", _("Mentioned you")
    CHECKIN_CREATED = "checkin.created", _("New check-in")
    KEY_RESULT_STATUS_CHANGED = "key_result.status_changed", _("Key result status changed")
    ALIGNMENT_REQUESTED = "alignment.requested", _("Alignment request")
    MEETING_SCHEDULED = "meeting.scheduled", _("Review meeting scheduled")
    REMINDER_CHECKIN_DUE = "reminder.checkin_due", _("Weekly check-in reminder")
    # Luodi's own, beyond the contract.
    ALIGNMENT_ANSWERED = "alignment.answered", _("Alignment request answered")
    COMMENT_LIKED = "comment.liked", _("Someone liked your comment")
    FEEDBACK_GIVEN = "feedback.given", _("Feedback for you")
    APPROVAL_REQUESTED = "approval.requested", _("Draft submitted for approval")
    APPROVAL_DECIDED = "approval.decided", _("Draft approved or sent back")
    REMINDER_STALE = "reminder.stale", _("Key result not updated for a while")
    REMINDER_CYCLE_STARTS = "reminder.cycle_starts", _("Cycle starts")
    REMINDER_CYCLE_ENDS = "reminder.cycle_ends", _("Cycle ends soon")
    DIGEST_WEEKLY = "digest.weekly", _("Weekly team digest")
    WEEKLY_REPORT_SUBMITTED = "weekly_report.submitted", _("Weekly report submitted")
    ACTION_ITEM_ASSIGNED = "action_item.assigned", _("Action item for you")


@dataclass(frozen=True)
class Message:
    """A translatable text: `text` is a msgid marked with gettext_noop, with %(name)s
    placeholders filled from `params` (plain strings: titles, names, numbers)."""

    text: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, language: str) -> str:
        with translation.override(language):
            return gettext(self.text) % dict(self.params) if self.params else gettext(self.text)


def emit(
    *,
    organization: Organization,
    kind: str,
    recipients: Iterable[int],
    title: Message,
    url: str,
    actor_id: int | None = None,
    body: Message | None = None,
    objective_id: int | None = None,
    unit_id: int | None = None,
    data: Mapping[str, Any] | None = None,
    objective: Objective | None = None,
) -> None:
    """Tell `recipients` (user ids) that `kind` happened. See the module docstring.

    `url` is the page's path (e.g. /o/acme/objectives/7/#comment-3); `unit_id` is the unit
    the event belongs to (for unit channels); `data` is the JSON for webhooks (ids, titles,
    values — nothing the channel's audience may not see). A caller that holds the objective
    may pass it as `objective` instead of `objective_id` (saves reading it again).
    """
    from luodi.notify import services

    services.dispatch(
        organization=organization,
        kind=kind,
        recipients=recipients,
        title=title,
        url=url,
        actor_id=actor_id,
        body=body,
        objective_id=objective.pk if objective is not None else objective_id,
        unit_id=unit_id,
        data=data or {},
        objective=objective,
    )
