"""Check-ins: record progress on a key result and roll it up the alignment chain."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luodi.accounts.models import User
from luodi.checkins.models import CheckIn, IdempotencyRecord, Source
from luodi.collab import checkin_events
from luodi.okrs import engine
from luodi.okrs import progress as rules
from luodi.okrs.choices import COUNTING_OBJECTIVE_STATES, Direction, KeyResultKind, KeyResultState
from luodi.okrs.key_result_rules import to_decimal
from luodi.okrs.models import VALUE_DIGITS, KeyResult, KeyResultContributor, Milestone
from luodi.okrs.permissions import can_check_in, viewer_for
from luodi.okrs.rebuild import KR_FIELDS
from luodi.orgs.choices import CycleState

MAX_NOTE = 10000
MAX_IDEMPOTENCY_KEY = 200
VALUE_KINDS = (KeyResultKind.METRIC, KeyResultKind.PERCENTAGE, KeyResultKind.THRESHOLD)
VALUE_QUANTUM = Decimal(1).scaleb(-VALUE_DIGITS["decimal_places"])


def _error(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _check_open(kr: KeyResult) -> None:
    if kr.state == KeyResultState.CANCELLED:
        raise _error("key_result", _("This key result is cancelled; it takes no check-ins."))
    if kr.objective.state not in COUNTING_OBJECTIVE_STATES:
        raise _error("key_result", _("Only active objectives take check-ins."))
    if kr.objective.cycle.state == CycleState.CLOSED:
        raise _error("key_result", _("The cycle is closed; it takes no check-ins."))
    if kr.kind == KeyResultKind.ROLLUP:
        raise _error(
            "key_result", _("A roll-up key result moves with its child objectives, not check-ins.")
        )


def _clean_payload(
    kr: KeyResult,
    *,
    value: Any,
    done: Any,
    milestone_ids_done: Any,
    confidence: Any,
    note: str,
) -> dict[str, Any]:
    cleaned: dict[str, Any] = {"value": None, "done": None, "milestone_ids_done": None}
    if confidence is not None and (
        isinstance(confidence, bool) or not isinstance(confidence, int) or not 0 <= confidence <= 10
    ):
        raise _error("confidence", _("Confidence is a whole number from 0 to 10."))
    if len(note or "") > MAX_NOTE:
        raise _error("note", _("At most 10,000 characters."))
    if kr.kind in VALUE_KINDS:
        number = to_decimal(value, "value")
        if number is None:
            raise _error("value", _("Enter the new value."))
        # Round as the column stores it, so progress is computed from the stored value.
        cleaned["value"] = number.quantize(VALUE_QUANTUM, rounding=ROUND_HALF_EVEN)
    elif kr.kind == KeyResultKind.BOOLEAN:
        if done is None and value is not None:
            number = to_decimal(value, "value")
            done = None if number is None else number >= 1
        if not isinstance(done, bool):
            raise _error("done", _("Say whether it is done (true or false)."))
        cleaned["done"] = done
    elif kr.kind == KeyResultKind.MILESTONE:
        cleaned["milestone_ids_done"] = _clean_milestone_ids(kr, milestone_ids_done)
    return cleaned


def _clean_milestone_ids(kr: KeyResult, raw: Any) -> list[int]:
    if not isinstance(raw, list | tuple) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in raw
    ):
        raise _error("milestone_ids_done", _("List the ids of the milestones now done."))
    known = set(Milestone.objects.filter(key_result=kr).values_list("pk", flat=True))
    unknown = [i for i in raw if i not in known]
    if unknown:
        raise _error(
            "milestone_ids_done", _("Milestone %s is not part of this key result.") % unknown[0]
        )
    return sorted(set(raw))


@transaction.atomic
def checkin_submit(
    *,
    key_result: KeyResult,
    actor: User,
    value: Any = None,
    done: Any = None,
    milestone_ids_done: Any = None,
    confidence: Any = None,
    note: str = "",
    source: str = Source.MANUAL,
    idempotency_key: str | None = None,
    at: datetime | None = None,
) -> tuple[CheckIn, bool]:
    """Record a check-in; returns (check-in, created). A repeated Idempotency-Key returns the
    check-in it first produced, with created False."""
    if idempotency_key is not None:
        if not idempotency_key or len(idempotency_key) > MAX_IDEMPOTENCY_KEY:
            raise _error("Idempotency-Key", _("Use a key of 1–200 characters."))
        earlier = _replay(key_result.organization_id, actor.pk, idempotency_key)
        if earlier is not None:
            return earlier, False
    # Lock the key result first: concurrent check-ins on it queue here and lose nothing.
    # Only its own row (of="self"): the joined objective, cycle and organization rows stay
    # free, or every check-in of the organization would queue behind this one.
    kr = (
        KeyResult.objects.select_for_update(of=("self",), no_key=True)
        .select_related("objective", "objective__cycle", "organization")
        .get(pk=key_result.pk)
    )
    organization = kr.organization
    if idempotency_key is not None:
        # Looked up again under the lock: a concurrent retry may have just committed.
        earlier = _replay(organization.pk, actor.pk, idempotency_key)
        if earlier is not None:
            return earlier, False
    contributors = set(
        KeyResultContributor.objects.filter(key_result=kr).values_list("user_id", flat=True)
    )
    if not can_check_in(viewer_for(organization, actor), kr, contributors):
        raise PermissionDenied(_("Only the key result's owner and contributors check in on it."))
    _check_open(kr)
    cleaned = _clean_payload(
        kr,
        value=value,
        done=done,
        milestone_ids_done=milestone_ids_done,
        confidence=confidence,
        note=note,
    )
    old_status = checkin_events.key_result_status(kr)  # for key_result.status_changed
    checkin = CheckIn(
        organization=organization,
        key_result=kr,
        confidence=confidence,
        note=note or "",
        author=actor,
        source=source,
        created_at=_aware(at, organization.timezone) if at else timezone.now(),
        **cleaned,
    )
    if kr.last_checkin_at is None or checkin.created_at >= kr.last_checkin_at:
        _advance_key_result(kr, checkin)
        checkin.progress = kr.raw_progress
        checkin.save()
    else:
        # Arrived out of order: rebuild the key result from all its check-ins, this one too.
        checkin.save()
        engine.key_result_rebuild(kr)
        checkin.progress = kr.raw_progress
        checkin.save(update_fields=["progress"])
    if idempotency_key is not None:
        _remember(organization.pk, actor.pk, idempotency_key, checkin)
    engine.propagate(objective_ids={kr.objective_id})
    checkin_events.checkin_stored(checkin=checkin, kr=kr, actor=actor, old_status=old_status)
    return checkin, True


def _aware(at: datetime, zone: str) -> datetime:
    """A naive time (an import, a script) is read in the organization's timezone."""
    if timezone.is_aware(at):
        return at
    try:
        return timezone.make_aware(at, ZoneInfo(zone))
    except (KeyError, ValueError):
        return timezone.make_aware(at, UTC)


def _replay(organization_id: int, user_id: int, key: str) -> CheckIn | None:
    record = (
        IdempotencyRecord.objects.filter(organization_id=organization_id, user_id=user_id, key=key)
        .select_related("checkin")
        .first()
    )
    return record.checkin if record else None


def _remember(organization_id: int, user_id: int, key: str, checkin: CheckIn) -> None:
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.create(
                organization_id=organization_id, user_id=user_id, key=key, checkin=checkin
            )
    except IntegrityError as exc:
        # A concurrent retry with the same key won the race; undo this one.
        raise IdempotencyConflict from exc


class IdempotencyConflict(Exception):
    """Two requests with one Idempotency-Key ran at the same time."""


def _advance_key_result(kr: KeyResult, checkin: CheckIn) -> None:
    """Move the key result's state by one check-in, its latest, and save it."""
    kr.checkin_count += 1
    kr.last_checkin_at = checkin.created_at
    if checkin.confidence is not None:
        kr.last_confidence = checkin.confidence
    milestones: list[Milestone] = []
    if kr.kind in VALUE_KINDS:
        kr.current = checkin.value
    if kr.kind == KeyResultKind.THRESHOLD:
        met = rules.threshold_met(
            value=checkin.value,  # type: ignore[arg-type]
            level=kr.target or Decimal(0),
            direction=kr.direction or Direction.AT_LEAST,
        )
        kr.threshold_met_count += int(met)
    elif kr.kind == KeyResultKind.BOOLEAN:
        kr.current = Decimal(1) if checkin.done else Decimal(0)
    elif kr.kind == KeyResultKind.MILESTONE:
        milestones = list(kr.milestones.all())
        done_ids = set(checkin.milestone_ids_done or [])
        for milestone in milestones:
            milestone.done = milestone.pk in done_ids
        Milestone.objects.bulk_update(milestones, ["done"])
    engine.set_key_result_progress(
        kr, engine.key_result_raw_progress(kr, milestones=engine.milestone_pairs(milestones))
    )
    kr.save(update_fields=[*KR_FIELDS, "updated_at"])
