"""What followers hear when a check-in is stored (called by checkins.services)."""

from __future__ import annotations

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext_noop

from luodi.accounts.models import User
from luodi.checkins.models import CheckIn
from luodi.collab.selectors import follower_ids
from luodi.notify.events import EventKind, Message, emit
from luodi.okrs.choices import Status
from luodi.okrs.models import KeyResult
from luodi.okrs.selectors import Clock, key_result_measures

# One msgid per new status, so each reads naturally once translated.
STATUS_TITLES = {
    Status.ON_TRACK: gettext_noop("“%(key_result)s” is now on track"),
    Status.AT_RISK: gettext_noop("“%(key_result)s” is now at risk"),
    Status.OFF_TRACK: gettext_noop("“%(key_result)s” is now off track"),
    Status.DONE: gettext_noop("“%(key_result)s” is done"),
    Status.NOT_STARTED: gettext_noop("“%(key_result)s” is not started"),
}


def key_result_status(kr: KeyResult) -> str:
    """The status the pages show, by the organization's clock (its phases read once)."""
    if "phases" not in getattr(kr, "_prefetched_objects_cache", {}):
        prefetch_related_objects([kr], "phases")
    return key_result_measures(kr, kr.objective.cycle, Clock.for_org(kr.organization)).status


def checkin_stored(*, checkin: CheckIn, kr: KeyResult, actor: User, old_status: str) -> None:
    """Tell the objective's followers about the check-in and about a status change."""
    from luodi.collab.services import objective_url

    objective = kr.objective
    objective.organization = kr.organization  # loaded with the key result: no query
    new_status = key_result_status(kr)
    recipients = sorted(follower_ids(objective))
    common = {
        "organization": objective.organization,
        "recipients": recipients,
        "url": objective_url(objective, f"kr-{kr.pk}"),
        "actor_id": actor.pk,
        "objective": objective,  # loaded with the key result: dispatch need not read it
        "unit_id": objective.unit_id,
    }
    data = {
        "checkin_id": checkin.pk,
        "key_result_id": kr.pk,
        "key_result_title": kr.title,
        "objective_id": objective.pk,
        "objective_title": objective.title,
        "value": None if checkin.value is None else str(checkin.value),
        "confidence": checkin.confidence,
        "progress": kr.progress,
    }
    emit(
        kind=EventKind.CHECKIN_CREATED,
        title=Message(
            gettext_noop("%(actor)s checked in on “%(key_result)s”"),
            {"actor": actor.display_name, "key_result": kr.title},
        ),
        data=data,
        **common,
    )
    if new_status != old_status:
        emit(
            kind=EventKind.KEY_RESULT_STATUS_CHANGED,
            title=Message(STATUS_TITLES[new_status], {"key_result": kr.title}),
            data={**data, "old_status": old_status, "new_status": new_status},
            **common,
        )
