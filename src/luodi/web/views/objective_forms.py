"""Writing OKRs: the objective form with its alignment picker, the key-result form, and
copying an objective into another cycle.

Each view parses, authorizes, calls one service and renders. With htmx (`HX-Request`) the
forms render as fragments that another page can swap in, and a successful save answers with
`HX-Redirect`; without JavaScript every button (add/remove a row, search parents) posts the
form back and the page comes back with everything typed kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from luodi.okrs.choices import (
    AlignmentType,
    KeyResultKind,
    Level,
    ObjectiveState,
)
from luodi.okrs.copying import next_cycle, objective_copy_to_cycle
from luodi.okrs.models import KeyResult, Objective
from luodi.okrs.parent_search import Parents, alignment_candidates, alignment_parents
from luodi.okrs.permissions import Viewer, can_approve_objective, can_edit_objective, viewer_for
from luodi.okrs.policy import PolicyWarning
from luodi.okrs.selectors import Clock, objective_get, objective_queryset
from luodi.okrs.services import (
    cycle_started,
    key_result_create,
    key_result_update,
    objective_create,
    objective_update,
)
from luodi.orgs.choices import CycleState
from luodi.orgs.models import Cycle, Organization
from luodi.orgs.selectors import member_list, theme_list, unit_list
from luodi.web.cycles import current_cycle, cycles_of
from luodi.web.decorators import org_page
from luodi.web.forms_okrs import (
    KeyResultForm,
    ObjectiveForm,
    OrgChoices,
    Row,
    alignment_payload,
    alignment_rows_from_links,
    apply_row_action,
    apply_service_errors,
    key_result_initial,
    mark_invalid,
    members_with_users,
    milestone_rows_of,
    next_index,
    objective_changes,
    parent_ref,
    phase_rows_of,
    posted_action,
    rows_of,
)

PICKER_FALLBACK_SIZE = 30
SEARCH_SIZE = 8


# --- shared helpers ------------------------------------------------------------------------


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-Boosted")


def _org_choices(org: Organization) -> OrgChoices:
    return OrgChoices(
        cycles=cycles_of(org),
        units=list(unit_list(organization=org)),
        members=members_with_users(member_list(organization=org)),
        themes=list(theme_list(organization=org)),
    )


def _safe_next(request: HttpRequest) -> str | None:
    wanted = request.POST.get("next") or request.GET.get("next")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return None


def _done(request: HttpRequest, url: str) -> HttpResponse:
    """Redirect after a save: a full redirect, or HX-Redirect for an htmx fragment."""
    if _is_htmx(request):
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return HttpResponseRedirect(url)


def _warn(request: HttpRequest, warnings: list[PolicyWarning]) -> None:
    for warning in warnings:
        messages.warning(request, warning.message)


def _initial_from_post(data: QueryDict, form_class: type) -> dict[str, Any]:
    """Typed values as initial data, so a row button re-renders without error messages."""
    initial: dict[str, Any] = {}
    for name, form_field in form_class.base_fields.items():
        if name not in data:
            continue
        multiple = getattr(form_field.widget, "allow_multiple_selected", False)
        initial[name] = data.getlist(name) if multiple else data.get(name)
    return initial


def _editable_objective(
    request: HttpRequest, pk: int, *, key_results: bool = True
) -> tuple[Objective, Viewer]:
    """The objective if visible (else 404) and editable by the user (else 403)."""
    org, user = request.org, request.user  # type: ignore[attr-defined]
    if key_results:
        objective = objective_get(organization=org, user=user, objective_id=pk)
    else:
        objective = objective_queryset(org, user).filter(pk=pk).first()
    if objective is None:
        raise Http404
    viewer = viewer_for(org, user)
    if not can_edit_objective(viewer, objective):
        raise PermissionDenied(_("You may not change this objective."))
    return objective, viewer


def _policy(org: Organization) -> dict[str, Any]:
    return {
        "enforced": org.policy_mode == "enforce",
        "objectives_min": org.policy_objectives_min,
        "objectives_max": org.policy_objectives_max,
        "key_results_min": org.policy_key_results_min,
        "key_results_max": org.policy_key_results_max,
    }


# --- alignment picker ----------------------------------------------------------------------


@dataclass
class ParentInfo:
    is_key_result: bool
    title: str
    objective_title: str
    progress: float | None
    cycle_name: str
    owner_name: str
    is_rollup: bool
    kind_label: str
    visible: bool = True


def _describe_rows(rows: list[Row], parents: Parents) -> None:
    """Attach what the page shows about each row's parent; a key result that is not a
    roll-up can only be supported."""
    for row in rows:
        ref = parent_ref(row.parent)
        if ref is None:
            continue
        kind, pk = ref
        if kind == "o" and pk in parents.objectives:
            o = parents.objectives[pk]
            row.info = ParentInfo(
                is_key_result=False,
                title=o.title,
                objective_title="",
                progress=o.progress,
                cycle_name=o.cycle.name,
                owner_name=o.owner.display_name if o.owner else "",
                is_rollup=False,
                kind_label=str(o.get_level_display()),
            )
        elif kind == "k" and pk in parents.key_results:
            kr = parents.key_results[pk]
            is_rollup = kr.kind == KeyResultKind.ROLLUP
            row.info = ParentInfo(
                is_key_result=True,
                title=kr.title,
                objective_title=kr.objective.title,
                progress=kr.progress,
                cycle_name=kr.objective.cycle.name,
                owner_name=kr.owner.display_name if kr.owner else "",
                is_rollup=is_rollup,
                kind_label=str(kr.get_kind_display()),
            )
            if not is_rollup:
                row.values["type"] = AlignmentType.SUPPORTS
        else:
            row.info = ParentInfo(
                is_key_result=kind == "k",
                title=_("A parent you cannot see"),
                objective_title="",
                progress=None,
                cycle_name="",
                owner_name="",
                is_rollup=False,
                kind_label="",
                visible=False,
            )


def _parents_of(request: HttpRequest, rows: list[Row]) -> Parents:
    refs = [parent_ref(row.parent) for row in rows]
    return alignment_parents(
        organization=request.org,  # type: ignore[attr-defined]
        user=request.user,  # type: ignore[arg-type]
        objective_ids=[pk for kind, pk in filter(None, refs) if kind == "o"],
        key_result_ids=[pk for kind, pk in filter(None, refs) if kind == "k"],
    )


def _row_button(request: HttpRequest, rows: list[Row]) -> bool:
    """Handle "add parent", "remove" and "search" pressed without JavaScript."""
    data = request.POST
    action, prefix, _n = posted_action(data)
    if action == "search":
        return True
    if action == "add" and prefix == "al":
        ref = parent_ref((data.get("al_add") or "").strip())
        if ref and f"{ref[0]}{ref[1]}" not in {row.parent for row in rows}:
            rows.append(
                Row(
                    next_index(rows),
                    {"parent": f"{ref[0]}{ref[1]}", "type": "contributes", "weight": "1"},
                )
            )
        return True
    return apply_row_action(rows, data, "al", {})


def _picker_context(
    request: HttpRequest, cycle: Cycle | None, rows: list[Row], exclude: int | None
) -> dict[str, Any]:
    _describe_rows(rows, _parents_of(request, rows))
    q = (request.POST.get("q") or request.GET.get("q") or "").strip()[:100]
    candidates = []
    if cycle is not None:
        candidates = alignment_candidates(
            organization=request.org,  # type: ignore[attr-defined]
            user=request.user,  # type: ignore[arg-type]
            cycle=cycle,
            q=q,
            exclude_objective_id=exclude,
            limit=PICKER_FALLBACK_SIZE,
        )
    return {
        "alignment_rows": rows,
        "alignment_next": next_index(rows),
        "candidates": candidates,
        "picker_q": q,
        "picker_cycle": cycle,
        "picker_exclude": exclude,
    }


@org_page
def alignment_search(request: HttpRequest) -> HttpResponse:
    """GET ?q=&cycle=&exclude= → visible parent objectives and their key results."""
    org = request.org  # type: ignore[attr-defined]
    cycles = cycles_of(org)
    clock = Clock.for_org(org)
    wanted = request.GET.get("cycle", "")
    cycle = next((c for c in cycles if wanted.isdecimal() and c.pk == int(wanted)), None)
    cycle = cycle or current_cycle(cycles, clock.today)
    exclude = request.GET.get("exclude", "")
    q = (request.GET.get("q") or "").strip()[:100]
    results = []
    if cycle is not None:
        results = alignment_candidates(
            organization=org,
            user=request.user,  # type: ignore[arg-type]
            cycle=cycle,
            q=q,
            exclude_objective_id=int(exclude) if exclude.isdecimal() else None,
            limit=SEARCH_SIZE,
        )
    context = {"results": results, "q": q, "search_cycle": cycle, "cycles": cycles}
    template = "web/partials/_alignment_results.html"
    if not _is_htmx(request):
        template = "web/alignment_search.html"
    return render(request, template, context)


# --- objective form ------------------------------------------------------------------------


def _render_objective(
    request: HttpRequest,
    form: ObjectiveForm,
    rows: list[Row],
    *,
    objective: Objective | None,
    cycle: Cycle | None,
    status: int = 200,
) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    mark_invalid(form)
    context = {
        "nav": "home",
        "form": form,
        "objective": objective,
        "policy": _policy(org),
        "next": _safe_next(request) or "",
        "show_reason": objective is not None and cycle_started(objective.cycle),
        "fragment": _is_htmx(request),
        "has_row_errors": any(row.errors for row in rows) or bool(form.alignment_errors),
        **_picker_context(request, cycle, rows, objective.pk if objective else None),
    }
    template = "web/objective_form.html"
    if _is_htmx(request):
        template = "web/partials/_form_objective.html"
    return render(request, template, context, status=status)


def _form_cycle(form: ObjectiveForm, choices: OrgChoices, fallback: Cycle | None) -> Cycle | None:
    raw = form.data.get("cycle") if form.is_bound else form.initial.get("cycle")
    for c in choices.cycles:
        if str(c.pk) == str(raw):
            return c
    return fallback


def _new_objective_initial(request: HttpRequest, choices: OrgChoices) -> dict[str, Any]:
    org, user = request.org, request.user  # type: ignore[attr-defined]
    membership = request.membership  # type: ignore[attr-defined]
    clock = Clock.for_org(org)
    open_cycles = [c for c in choices.cycles if c.state != CycleState.CLOSED]
    wanted = request.GET.get("cycle", "")
    cycle = next((c for c in open_cycles if wanted.isdecimal() and c.pk == int(wanted)), None)
    cycle = cycle or current_cycle(open_cycles, clock.today)
    level = request.GET.get("level", "")
    if level not in Level.values:
        level = Level.INDIVIDUAL
    unit = request.GET.get("unit", "")
    return {
        "cycle": cycle.pk if cycle else None,
        "level": level,
        "unit": int(unit) if unit.isdecimal() else membership.unit_id,
        "owner": user.pk if level == Level.INDIVIDUAL else None,
        "weight": 1,
        "visibility": "organization",
    }


@org_page
def objective_new(request: HttpRequest) -> HttpResponse:
    org, user = request.org, request.user  # type: ignore[attr-defined]
    if not viewer_for(org, user).can_write:
        raise PermissionDenied(_("Viewers cannot change OKRs."))
    choices = _org_choices(org)
    if request.method != "POST":
        initial = _new_objective_initial(request, choices)
        form = ObjectiveForm(choices=choices, editing=False, initial=initial)
        parent = request.GET.get("parent", "")
        rows = []
        if parent_ref(parent):
            rows = [Row(0, {"parent": parent, "type": "contributes", "weight": "1"})]
        cycle = _form_cycle(form, choices, None)
        return _render_objective(request, form, rows, objective=None, cycle=cycle)
    rows = rows_of(request.POST, "al")
    if _row_button(request, rows):
        form = ObjectiveForm(
            choices=choices, editing=False, initial=_initial_from_post(request.POST, ObjectiveForm)
        )
        return _render_objective(
            request, form, rows, objective=None, cycle=_form_cycle(form, choices, None)
        )
    form = ObjectiveForm(request.POST, choices=choices, editing=False)
    cycle = _form_cycle(form, choices, None)
    specs, used_rows = alignment_payload(rows)
    if not form.is_valid() or any(row.errors for row in rows):
        return _render_objective(request, form, rows, objective=None, cycle=cycle)
    try:
        objective, warnings = objective_create(
            organization=org, actor=user, **form.service_fields(specs)
        )
    except ValidationError as exc:
        apply_service_errors(
            form,
            exc,
            {"alignments": used_rows},
            field_map=ObjectiveForm.FIELD_MAP,
            list_errors={"__alignments__": form.alignment_errors},
        )
        return _render_objective(request, form, rows, objective=None, cycle=cycle)
    except PermissionDenied as exc:
        form.add_error(None, str(exc) or _("You may not do this."))
        return _render_objective(request, form, rows, objective=None, cycle=cycle, status=403)
    messages.success(request, _("Objective saved. Now add its key results."))
    _warn(request, warnings)
    url = _safe_next(request) or reverse(
        "web:key-result-new", kwargs={"org": org.slug, "pk": objective.pk}
    )
    return _done(request, url)


def _objective_before(objective: Objective) -> dict[str, Any]:
    return {
        "title": objective.title,
        "description": objective.description,
        "level": objective.level,
        "unit_id": objective.unit_id,
        "owner_id": objective.owner_id,
        "weight": objective.weight,
        "visibility": objective.visibility,
        "state": objective.state,
        "theme_ids": [link.theme_id for link in objective.theme_links],  # type: ignore[attr-defined]
        "alignments": [
            {
                "parent_objective_id": a.parent_objective_id,
                "parent_key_result_id": a.parent_key_result_id,
                "type": a.type,
                "weight": a.weight,
            }
            for a in objective.alignment_links  # type: ignore[attr-defined]
        ],
    }


def _objective_initial(before: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": before["title"],
        "description": before["description"],
        "level": before["level"],
        "unit": before["unit_id"],
        "owner": before["owner_id"],
        "weight": before["weight"].normalize(),
        "visibility": before["visibility"],
        "state": before["state"],
        "themes": before["theme_ids"],
    }


def _state_choices(org: Organization, viewer: Viewer, objective: Objective) -> list:
    """A member's draft waits for approval when the organization requires it."""
    approver = can_approve_objective(viewer, objective)
    if objective.state == ObjectiveState.DRAFT and org.requires_approval and not approver:
        return [(ObjectiveState.DRAFT, ObjectiveState.DRAFT.label)]
    return list(ObjectiveState.choices)


@org_page
def objective_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org, user = request.org, request.user  # type: ignore[attr-defined]
    objective, viewer = _editable_objective(request, pk, key_results=False)
    choices = _org_choices(org)
    before = _objective_before(objective)
    states = _state_choices(org, viewer, objective)
    render_with = {"objective": objective, "cycle": objective.cycle}
    if request.method != "POST":
        form = ObjectiveForm(
            choices=choices,
            editing=True,
            state_choices=states,
            initial=_objective_initial(before),
        )
        rows = alignment_rows_from_links(objective.alignment_links)  # type: ignore[attr-defined]
        return _render_objective(request, form, rows, **render_with)
    rows = rows_of(request.POST, "al")
    if _row_button(request, rows):
        form = ObjectiveForm(
            choices=choices,
            editing=True,
            state_choices=states,
            initial=_initial_from_post(request.POST, ObjectiveForm),
        )
        return _render_objective(request, form, rows, **render_with)
    form = ObjectiveForm(request.POST, choices=choices, editing=True, state_choices=states)
    specs, used_rows = alignment_payload(rows)
    if not form.is_valid() or any(row.errors for row in rows):
        return _render_objective(request, form, rows, **render_with)
    changes = objective_changes(form.service_fields(specs), before)
    try:
        _updated, warnings = objective_update(
            objective=objective, actor=user, reason=form.cleaned_data["reason"], **changes
        )
    except ValidationError as exc:
        apply_service_errors(
            form,
            exc,
            {"alignments": used_rows},
            field_map=ObjectiveForm.FIELD_MAP,
            list_errors={"__alignments__": form.alignment_errors},
        )
        return _render_objective(request, form, rows, **render_with)
    except PermissionDenied as exc:
        form.add_error(None, str(exc) or _("You may not do this."))
        return _render_objective(request, form, rows, status=403, **render_with)
    messages.success(request, _("Objective saved.") if changes else _("Nothing changed."))
    _warn(request, warnings)
    url = _safe_next(request) or reverse("web:objective", kwargs={"org": org.slug, "pk": pk})
    return _done(request, url)


# --- key result form -----------------------------------------------------------------------


def _render_key_result(
    request: HttpRequest,
    form: KeyResultForm,
    *,
    objective: Objective,
    key_result: KeyResult | None,
    milestones: list[Row],
    phases: list[Row],
    status: int = 200,
) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    mark_invalid(form)
    reason_error = form.is_bound and "reason" in form.errors
    started = key_result is not None and cycle_started(objective.cycle)
    context = {
        "nav": "home",
        "form": form,
        "objective": objective,
        "key_result": key_result,
        "siblings": [kr for kr in objective.key_results.all() if kr != key_result],
        "milestone_rows": milestones or [Row(0, {"title": "", "weight": "1"})],
        "milestone_next": next_index(milestones) if milestones else 1,
        "phase_rows": phases,
        "phase_next": next_index(phases),
        "policy": _policy(org),
        "next": _safe_next(request) or "",
        "reason_possible": started,
        "reason_shown": reason_error or bool(form["reason"].value()),
        "original": key_result_initial(key_result) if key_result else {},
        "kind_options": [(v, label, KIND_HELP[v]) for v, label in KeyResultKind.choices],
        "fragment": _is_htmx(request),
        "has_row_errors": any(row.errors for row in milestones + phases)
        or bool(form.milestone_errors or form.phase_errors),
    }
    template = "web/key_result_form.html"
    if _is_htmx(request):
        template = "web/partials/_form_key_result.html"
    return render(request, template, context, status=status)


KIND_HELP = {
    "metric": _lazy("A number that moves from a start value to a target value."),
    "percentage": _lazy("A percentage from 0 to 100 (or any start and target between)."),
    "threshold": _lazy("A level to hold: each check-in counts when it is at or beyond the level."),
    "milestone": _lazy("A weighted checklist: progress is the done weight over the total weight."),
    "boolean": _lazy("Done or not done: nothing to set up."),
    "rollup": _lazy(
        "Progress comes from the child objectives that contribute to this key result; "
        "people align their objectives to it with the type “contributes”."
    ),
}


def _key_result_rows(request: HttpRequest, milestones: list[Row], phases: list[Row]) -> bool:
    data = request.POST
    pressed = apply_row_action(milestones, data, "ms", {"title": "", "weight": "1"})
    return apply_row_action(phases, data, "ph", {"date": "", "target": ""}) or pressed


def _save_key_result(
    request: HttpRequest,
    form: KeyResultForm,
    milestones: list[Row],
    phases: list[Row],
    *,
    objective: Objective,
    key_result: KeyResult | None,
) -> HttpResponse:
    org, user = request.org, request.user  # type: ignore[attr-defined]
    render_with = {
        "objective": objective,
        "key_result": key_result,
        "milestones": milestones,
        "phases": phases,
    }
    if not form.is_valid():
        return _render_key_result(request, form, **render_with)
    fields, used_milestones, used_phases = form.service_fields(milestones, phases)
    warnings: list[PolicyWarning] = []
    try:
        if key_result is None:
            _kr, warnings = key_result_create(objective=objective, actor=user, **fields)
        else:
            key_result_update(
                key_result=key_result, actor=user, reason=form.cleaned_data["reason"], **fields
            )
    except ValidationError as exc:
        apply_service_errors(
            form,
            exc,
            {"milestones": used_milestones, "phases": used_phases},
            field_map={**KeyResultForm.FIELD_MAP, "direction": form.direction_field()},
            list_errors={"__milestones__": form.milestone_errors, "__phases__": form.phase_errors},
        )
        return _render_key_result(request, form, **render_with)
    except PermissionDenied as exc:
        form.add_error(None, str(exc) or _("You may not do this."))
        return _render_key_result(request, form, status=403, **render_with)
    messages.success(request, _("Key result saved."))
    _warn(request, warnings)
    if request.POST.get("_then") == "another":
        url = reverse("web:key-result-new", kwargs={"org": org.slug, "pk": objective.pk})
    else:
        url = _safe_next(request) or reverse(
            "web:objective", kwargs={"org": org.slug, "pk": objective.pk}
        )
    return _done(request, url)


@org_page
def key_result_new(request: HttpRequest, pk: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    objective, _viewer = _editable_objective(request, pk)
    choices = _org_choices(org)
    if request.method != "POST":
        form = KeyResultForm(
            choices=choices,
            editing=False,
            initial={"kind": request.GET.get("kind") or "metric", "weight": 1},
        )
        empty_milestones = [
            Row(0, {"title": "", "weight": "1"}),
            Row(1, {"title": "", "weight": "1"}),
        ]
        return _render_key_result(
            request,
            form,
            objective=objective,
            key_result=None,
            milestones=empty_milestones,
            phases=[],
        )
    milestones, phases = rows_of(request.POST, "ms"), rows_of(request.POST, "ph")
    if _key_result_rows(request, milestones, phases):
        form = KeyResultForm(
            choices=choices,
            editing=False,
            initial=_initial_from_post(request.POST, KeyResultForm),
        )
        return _render_key_result(
            request,
            form,
            objective=objective,
            key_result=None,
            milestones=milestones,
            phases=phases,
        )
    form = KeyResultForm(request.POST, choices=choices, editing=False)
    return _save_key_result(request, form, milestones, phases, objective=objective, key_result=None)


@org_page
def key_result_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = request.org  # type: ignore[attr-defined]
    objective_id = (
        KeyResult.objects.filter(organization=org, pk=pk).values_list("objective_id", flat=True)
    ).first()
    if objective_id is None:
        raise Http404
    objective, _viewer = _editable_objective(request, objective_id)  # 404 when not visible
    key_result = next(kr for kr in objective.key_results.all() if kr.pk == pk)
    key_result.objective = objective
    choices = _org_choices(org)
    if request.method != "POST":
        form = KeyResultForm(choices=choices, editing=True, initial=key_result_initial(key_result))
        return _render_key_result(
            request,
            form,
            objective=objective,
            key_result=key_result,
            milestones=milestone_rows_of(key_result),
            phases=phase_rows_of(key_result),
        )
    milestones, phases = rows_of(request.POST, "ms"), rows_of(request.POST, "ph")
    if _key_result_rows(request, milestones, phases):
        form = KeyResultForm(
            choices=choices,
            editing=True,
            initial=_initial_from_post(request.POST, KeyResultForm),
        )
        return _render_key_result(
            request,
            form,
            objective=objective,
            key_result=key_result,
            milestones=milestones,
            phases=phases,
        )
    form = KeyResultForm(request.POST, choices=choices, editing=True)
    return _save_key_result(
        request, form, milestones, phases, objective=objective, key_result=key_result
    )


# --- copy into another cycle ---------------------------------------------------------------


@org_page
def objective_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: pick the target cycle (default: the next one). POST: copy and open the copy."""
    org, user = request.org, request.user  # type: ignore[attr-defined]
    objective = objective_get(organization=org, user=user, objective_id=pk)
    if objective is None:
        raise Http404
    cycles = cycles_of(org)
    targets = [c for c in cycles if c.state != CycleState.CLOSED and c.pk != objective.cycle_id]
    default = next_cycle(objective.cycle, cycles)
    error = ""
    status = 200
    if request.method == "POST":
        wanted = request.POST.get("cycle", "")
        cycle_id = int(wanted) if wanted.isdecimal() else (default.pk if default else None)
        if cycle_id is None:
            error = _("There is no later open cycle. Create the next cycle first.")
        else:
            try:
                copy, warnings = objective_copy_to_cycle(
                    objective=objective, actor=user, cycle_id=cycle_id
                )
            except ValidationError as exc:
                error = (
                    " ".join(str(m) for messages_ in exc.message_dict.values() for m in messages_)
                    if hasattr(exc, "error_dict")
                    else " ".join(exc.messages)
                )
                default = next((c for c in cycles if c.pk == cycle_id), default)
            except PermissionDenied as exc:
                error = str(exc) or _("You may not do this.")
                status = 403
            else:
                messages.success(
                    request,
                    _("Copied into %(cycle)s with %(count)d key results. Progress starts fresh.")
                    % {"cycle": copy.cycle.name, "count": copy.key_results.count()},
                )
                _warn(request, warnings)
                return _done(
                    request, reverse("web:objective", kwargs={"org": org.slug, "pk": copy.pk})
                )
        status = status if status != 200 else 400
    context = {
        "nav": "home",
        "objective": objective,
        "targets": targets,
        "default": default,
        "error": error,
        "live_key_results": [kr for kr in objective.key_results.all() if kr.state != "cancelled"],
        "fragment": _is_htmx(request),
    }
    template = "web/objective_copy.html"
    if _is_htmx(request):
        template = "web/partials/_form_copy.html"
    return render(request, template, context, status=status)
