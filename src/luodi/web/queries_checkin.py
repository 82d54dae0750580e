"""Reads for the weekly check-in page and the check-in dialog."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext as _

from luodi.accounts.models import User
from luodi.okrs.choices import (
    COUNTING_OBJECTIVE_STATES,
    KeyResultKind,
    KeyResultState,
    ObjectiveState,
)
from luodi.okrs.models import KeyResult, KeyResultContributor
from luodi.okrs.permissions import Viewer, can_check_in, visible_objectives_q
from luodi.okrs.selectors import contributors_prefetch
from luodi.orgs.choices import CycleState
from luodi.orgs.models import Cycle, Organization


def checkin_key_results(
    *, organization: Organization, viewer: Viewer, user: User, cycles: list[Cycle]
) -> list[KeyResult]:
    """Key results in these cycles the user owns, contributes to, or that sit on the user's
    own objectives — visible ones only; by cycle in the order given, the user's own objectives
    first. One query plus three prefetches, whatever the number."""
    # One indexed subquery per way in, united: an OR of them would read every key result.
    owned = KeyResult.objects.filter(organization=organization, owner=user).values("pk")
    on_mine = KeyResult.objects.filter(
        objective__organization=organization, objective__owner=user
    ).values("pk")
    contributing = KeyResultContributor.objects.filter(organization=organization, user=user).values(
        "key_result_id"
    )
    mine = owned.order_by().union(on_mine.order_by(), contributing.order_by())
    return list(
        KeyResult.objects.filter(organization=organization, objective__cycle__in=cycles)
        .filter(pk__in=mine)
        .filter(visible_objectives_q(viewer, prefix="objective__"))
        .select_related("owner", "objective", "objective__cycle", "objective__owner")
        .prefetch_related("phases", "milestones", contributors_prefetch())
        .annotate(
            mine_first=Case(
                When(objective__owner=user, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .annotate(cycle_rank=_rank([c.pk for c in cycles]))
        .order_by("cycle_rank", "mine_first", "objective_id", "position", "id")
    )


def _rank(cycle_ids: list[int]) -> Case:
    """The position of the objective's cycle in the list, for ordering."""
    return Case(
        *[When(objective__cycle_id=pk, then=Value(i)) for i, pk in enumerate(cycle_ids)],
        default=Value(len(cycle_ids)),
        output_field=IntegerField(),
    )


def checkin_blocker(kr: KeyResult, viewer: Viewer) -> str | None:
    """Why this person cannot check in on this key result now, or None when they can.

    Mirrors the checks of `checkin_submit` so pages offer only what the service accepts
    (the service still decides). Needs kr.objective.cycle and contributor_links loaded.
    """
    contributor_ids = {link.user_id for link in getattr(kr, "contributor_links", [])}
    if not can_check_in(viewer, kr, contributor_ids):
        if not viewer.can_write:
            return _("Viewers read OKRs but do not check in.")
        return _("Only the key result's owner and contributors check in on it.")
    if kr.state == KeyResultState.CANCELLED:
        return _("Cancelled: takes no check-ins.")
    if kr.objective.state == ObjectiveState.DRAFT:
        return _("The objective is a draft: check-ins open once it is active.")
    if kr.objective.state not in COUNTING_OBJECTIVE_STATES:
        return _("The objective is cancelled: it takes no check-ins.")
    if kr.objective.cycle.state == CycleState.CLOSED:
        return _("The cycle is closed: read only.")
    if kr.kind == KeyResultKind.ROLLUP:
        return _("Roll-up: moves with its child objectives, not check-ins.")
    return None
