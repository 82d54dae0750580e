"""Cross-team alignment requests: a team asks another to support or contribute to one of
its objectives; a leader of that team accepts — linking one of the team's objectives, or
creating one, as a child aligned to it — or declines with a comment.

The link itself goes through services.objective_update / objective_create, so the usual
alignment rules hold (visibility, no cycles, roll-up key results only for contributes)
and the history records it. One transaction per write.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from luodi.accounts.models import User
from luodi.notify.events import EventKind, Message, emit
from luodi.okrs.alignments import alignment_specs
from luodi.okrs.choices import AlignmentType, Level, ObjectiveState, Visibility
from luodi.okrs.models import Alignment, AlignmentRequest, AlignmentRequestState, Objective
from luodi.okrs.permissions import Viewer, can_see_objective, viewer_for, visible_objectives_q
from luodi.orgs.choices import MANAGER_ROLES, CycleState, Role
from luodi.orgs.models import Cycle, Membership, Organization, Unit

MAX_TEXT = 2000
PENDING = AlignmentRequestState.PENDING


def _error(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _text(value: str | None, field: str, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise _error(field, _("Say why, so the other team understands."))
    if len(text) > MAX_TEXT:
        raise _error(field, _("At most %d characters.") % MAX_TEXT)
    return text


def can_request(viewer: Viewer, objective: Objective) -> bool:
    """The objective's owner, a leader of its unit (or a unit above), an admin."""
    if not viewer.can_write:
        return False
    return (
        viewer.is_admin
        or objective.owner_id == viewer.user_id
        or objective.unit_id in viewer.led_unit_ids
    )


def can_answer(viewer: Viewer, request: AlignmentRequest) -> bool:
    """A leader of the asked unit (or of a unit above it), an admin."""
    return viewer.can_write and (viewer.is_admin or request.to_unit_id in viewer.led_unit_ids)


def can_cancel(viewer: Viewer, request: AlignmentRequest) -> bool:
    return viewer.can_write and (
        request.requested_by_id == viewer.user_id or can_request(viewer, request.objective)
    )


def shareable(objective: Objective) -> bool:
    """Another team's leaders must see it: active and visible to the whole organization."""
    return (
        objective.state == ObjectiveState.ACTIVE and objective.visibility == Visibility.ORGANIZATION
    )


def answerer_ids(unit: Unit) -> list[int]:
    """The nearest leader of the unit chain who may answer; without one, every admin."""
    chain = list(unit.ancestors(include_self=True))  # root first
    ordered = [u.leader_id for u in reversed(chain) if u.leader_id]
    writers = Membership.objects.filter(
        organization_id=unit.organization_id, role__in=[Role.OWNER, Role.ADMIN, Role.MEMBER]
    )
    allowed = set(writers.filter(user_id__in=ordered).values_list("user_id", flat=True))
    for leader in ordered:
        if leader in allowed:
            return [leader]
    return sorted(writers.filter(role__in=MANAGER_ROLES).values_list("user_id", flat=True))


def inbox_url(organization: Organization) -> str:
    return reverse("web:alignment-requests", kwargs={"org": organization.slug})


@transaction.atomic
def alignment_request_create(
    *,
    objective: Objective,
    actor: User,
    to_unit_id: int | None,
    type: str = AlignmentType.CONTRIBUTES,
    message: str = "",
) -> AlignmentRequest:
    organization = objective.organization
    viewer = viewer_for(organization, actor)
    if not can_see_objective(viewer, objective):
        raise PermissionDenied(_("You may not see this objective."))
    if not can_request(viewer, objective):
        raise PermissionDenied(
            _("The objective's owner or a leader of its unit asks other teams for support.")
        )
    if not shareable(objective):
        raise _error(
            "objective",
            _("Only an active objective visible to the whole organization can be shared."),
        )
    if objective.cycle.state == CycleState.CLOSED:
        raise _error("objective", _("This objective's cycle is closed."))
    to_unit = Unit.objects.filter(organization=organization, pk=to_unit_id).first()
    if to_unit is None:
        raise _error("to_unit_id", _("No such unit in this organization."))
    if to_unit.pk == objective.unit_id:
        raise _error("to_unit_id", _("Ask a team other than the objective's own."))
    if type not in AlignmentType.values:
        raise _error("type", _("The type must be contributes or supports."))
    message = _text(message, "message")
    pending = AlignmentRequest.objects.filter(objective=objective, to_unit=to_unit, state=PENDING)
    if pending.exists():
        raise _error("to_unit_id", _("A request to this team is already waiting for an answer."))
    request = AlignmentRequest.objects.create(
        organization=organization,
        objective=objective,
        from_unit_id=objective.unit_id,
        to_unit=to_unit,
        type=type,
        message=message,
        requested_by=actor,
    )
    emit(
        organization=organization,
        kind=EventKind.ALIGNMENT_REQUESTED,
        recipients=answerer_ids(to_unit),
        title=Message(
            gettext_noop("%(actor)s asks %(unit)s to support “%(title)s”"),
            {"actor": actor.display_name, "unit": to_unit.name, "title": objective.title},
        ),
        body=Message(gettext_noop("Message: %(message)s"), {"message": message})
        if message
        else None,
        url=inbox_url(organization),
        actor_id=actor.pk,
        objective_id=objective.pk,
        unit_id=to_unit.pk,
        data=_event_data(request),
    )
    return request


def _event_data(request: AlignmentRequest) -> dict:
    return {
        "alignment_request_id": request.pk,
        "objective_id": request.objective_id,
        "to_unit_id": request.to_unit_id,
        "type": request.type,
        "state": request.state,
    }


def _pending(request: AlignmentRequest, actor: User) -> tuple[Viewer, AlignmentRequest]:
    """The request locked and still pending, with the actor's viewer."""
    viewer = viewer_for(request.organization, actor)
    request = (
        AlignmentRequest.objects.select_for_update()
        .select_related("organization", "objective", "objective__cycle", "to_unit")
        .get(pk=request.pk, organization_id=request.organization_id)
    )
    if not can_see_objective(viewer, request.objective):
        raise PermissionDenied(_("You may not see this objective."))
    if request.state != PENDING:
        raise _error("state", _("This request has already been answered or cancelled."))
    return viewer, request


def _overlap(a: Cycle, b: Cycle) -> bool:
    return a.start_date <= b.end_date and b.start_date <= a.end_date


def _as_id(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value < 2**63 else None
    if isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) < 19:
        return int(value)
    return None


def _link_existing(
    viewer: Viewer, actor: User, request: AlignmentRequest, objective_id: object
) -> Objective:
    from luodi.okrs.services import objective_update

    parent = request.objective
    pk = _as_id(objective_id)
    child = (
        Objective.objects.filter(organization_id=request.organization_id, pk=pk)
        .select_related("cycle")
        .first()
        if pk is not None
        else None
    )
    if child is None or not can_see_objective(viewer, child):
        raise _error("objective_id", _("No such objective in this organization."))
    if child.unit_id != request.to_unit_id:
        raise _error(
            "objective_id", _("Choose an objective of %(unit)s.") % {"unit": request.to_unit.name}
        )
    if child.state not in (ObjectiveState.ACTIVE, ObjectiveState.DRAFT):
        raise _error("objective_id", _("Choose an objective that is still open."))
    if not _overlap(child.cycle, parent.cycle):
        raise _error(
            "objective_id", _("Its cycle does not overlap the cycle of the requesting objective.")
        )
    links = list(Alignment.objects.filter(child=child).order_by("id"))
    if any(link.parent_objective_id == parent.pk for link in links):
        raise _error("objective_id", _("This objective is already aligned to it."))
    specs = [*alignment_specs(links), {"parent_objective_id": parent.pk, "type": request.type}]
    try:
        child, _warnings = objective_update(objective=child, actor=actor, alignments=specs)
    except ValidationError as error:
        # The alignment rules speak of "alignments[n]": here that is the chosen objective.
        raise ValidationError({"objective_id": error.messages}) from error
    return child


def _create_child(actor: User, request: AlignmentRequest, title: str) -> Objective:
    from luodi.okrs.services import objective_create

    parent = request.objective
    child, _warnings = objective_create(
        organization=request.organization,
        actor=actor,
        cycle_id=parent.cycle_id,
        title=(title or "").strip() or parent.title,
        level=Level.UNIT,
        unit_id=request.to_unit_id,
        owner_id=actor.pk,
        alignments=[{"parent_objective_id": parent.pk, "type": request.type}],
    )
    return child


@transaction.atomic
def alignment_request_accept(
    *,
    request: AlignmentRequest,
    actor: User,
    objective_id: int | str | None = None,
    create: bool = False,
    title: str = "",
    comment: str = "",
) -> AlignmentRequest:
    """Link one of the asked team's objectives (objective_id) or create one (create)."""
    viewer, request = _pending(request, actor)
    if not can_answer(viewer, request):
        raise PermissionDenied(_("A leader of the asked team answers this request."))
    if not shareable(request.objective):
        raise _error("state", _("The requesting objective is no longer active and shared."))
    if (objective_id is None) == (not create):
        raise _error(
            "objective_id", _("Choose one of your team's objectives, or create a new one.")
        )
    comment = _text(comment, "comment")
    if create:
        child = _create_child(actor, request, title)
    else:
        child = _link_existing(viewer, actor, request, objective_id)
    return _answer(request, actor, AlignmentRequestState.ACCEPTED, comment, child)


@transaction.atomic
def alignment_request_decline(
    *, request: AlignmentRequest, actor: User, comment: str
) -> AlignmentRequest:
    viewer, request = _pending(request, actor)
    if not can_answer(viewer, request):
        raise PermissionDenied(_("A leader of the asked team answers this request."))
    comment = _text(comment, "comment", required=True)
    return _answer(request, actor, AlignmentRequestState.DECLINED, comment, None)


def _answer(
    request: AlignmentRequest, actor: User, state: str, comment: str, child: Objective | None
) -> AlignmentRequest:
    request.state = state
    request.answered_by = actor
    request.answered_at = timezone.now()
    request.answer_comment = comment
    request.child_objective = child
    request.save()
    if state == AlignmentRequestState.ACCEPTED:
        title = gettext_noop("%(actor)s accepted: %(unit)s now supports “%(title)s”")
    else:
        title = gettext_noop("%(actor)s declined to support “%(title)s” for %(unit)s")
    objective = request.objective
    emit(
        organization=request.organization,
        kind=EventKind.ALIGNMENT_ANSWERED,
        recipients=[request.requested_by_id] if request.requested_by_id else [],
        title=Message(
            title,
            {"actor": actor.display_name, "unit": request.to_unit.name, "title": objective.title},
        ),
        body=Message(gettext_noop("Comment: %(comment)s"), {"comment": comment})
        if comment
        else None,
        url=reverse("web:objective", kwargs={"org": request.organization.slug, "pk": objective.pk}),
        actor_id=actor.pk,
        objective_id=objective.pk,
        unit_id=request.from_unit_id,
        # The child's id only when everyone may see it (a team's new objective may be a draft).
        data={
            **_event_data(request),
            "child_objective_id": child.pk if child is not None and shareable(child) else None,
        },
    )
    return request


@transaction.atomic
def alignment_request_cancel(*, request: AlignmentRequest, actor: User) -> AlignmentRequest:
    viewer, request = _pending(request, actor)
    if not can_cancel(viewer, request):
        raise PermissionDenied(_("Only the requester cancels this request."))
    request.state = AlignmentRequestState.CANCELLED
    request.answered_by = actor
    request.answered_at = timezone.now()
    request.save()
    return request


# --- reads ---------------------------------------------------------------------------------


def requests_visible_to(viewer: Viewer) -> QuerySet[AlignmentRequest]:
    """The organization's requests whose objective this viewer may see."""
    if viewer.role is None or viewer.organization_id is None:
        return AlignmentRequest.objects.none()
    return AlignmentRequest.objects.filter(organization_id=viewer.organization_id).filter(
        visible_objectives_q(viewer, prefix="objective__")
    )


def incoming_for(viewer: Viewer) -> QuerySet[AlignmentRequest]:
    """Requests to the units this viewer leads (every unit for admins)."""
    requests = requests_visible_to(viewer)
    if viewer.is_admin:
        return requests
    return requests.filter(to_unit_id__in=sorted(viewer.led_unit_ids))


def outgoing_for(viewer: Viewer) -> QuerySet[AlignmentRequest]:
    """Requests this viewer made, or made for objectives they own or whose unit they lead."""
    return requests_visible_to(viewer).filter(
        Q(requested_by_id=viewer.user_id)
        | Q(objective__owner_id=viewer.user_id)
        | Q(objective__unit_id__in=sorted(viewer.led_unit_ids))
    )


def with_relations(requests: QuerySet[AlignmentRequest]) -> QuerySet[AlignmentRequest]:
    return requests.select_related(
        "objective",
        "objective__cycle",
        "from_unit",
        "to_unit",
        "requested_by",
        "answered_by",
        "child_objective",
    )


def visible_child(viewer: Viewer, request: AlignmentRequest) -> Objective | None:
    """The linked child objective if this viewer may see it (it may be a team's draft)."""
    child = request.child_objective
    return child if child is not None and can_see_objective(viewer, child) else None


def link_candidates(viewer: Viewer, request: AlignmentRequest) -> QuerySet[Objective]:
    """Objectives of the asked unit that may be linked: open, in an overlapping cycle."""
    cycle = request.objective.cycle
    return (
        Objective.objects.filter(
            organization_id=request.organization_id,
            unit_id=request.to_unit_id,
            state__in=[ObjectiveState.ACTIVE, ObjectiveState.DRAFT],
            cycle__start_date__lte=cycle.end_date,
            cycle__end_date__gte=cycle.start_date,
        )
        .filter(visible_objectives_q(viewer))
        .exclude(pk=request.objective_id)
        .order_by("title", "id")
    )
