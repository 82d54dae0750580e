"""The objective page, and the check-in on one key result (a dialog there, a page without JS)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext

from luodi.checkins.services import checkin_submit
from luodi.okrs.models import Objective
from luodi.okrs.permissions import can_check_in, viewer_for
from luodi.okrs.selectors import Clock, key_result_get, objective_get
from luodi.web.decorators import org_page
from luodi.web.forms_checkin import CheckinForm
from luodi.web.queries_checkin import checkin_blocker
from luodi.web.queries_objective import objective_page
from luodi.web.views.approvals import objective_panel
from luodi.web.views.collab import discussion_context


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _objective_or_404(request: HttpRequest, pk: int) -> Objective:
    objective = objective_get(
        organization=request.org,  # type: ignore[attr-defined]
        user=request.user,  # type: ignore[arg-type]
        objective_id=pk,
    )
    if objective is None:
        raise Http404
    return objective


def _page_context(request: HttpRequest, objective: Objective) -> dict:
    org = request.org  # type: ignore[attr-defined]
    viewer = viewer_for(org, request.user)  # type: ignore[arg-type]
    clock = Clock.for_org(org)
    page = objective_page(organization=org, viewer=viewer, objective=objective, clock=clock)
    return {
        "nav": "home",
        "page": page,
        "objective": objective,
        "zone": clock.zone,
        "chart_labels": {
            "progress": gettext("Progress"),
            "value": gettext("Value"),
            "target": gettext("Target"),
        },
    }


@org_page
def objective_detail(request: HttpRequest, pk: int) -> HttpResponse:
    objective = _objective_or_404(request, pk)
    context = _page_context(request, objective)
    context["approval_panel"] = objective_panel(request, objective)
    context.update(discussion_context(request, objective, context["page"]))
    return render(request, "web/objective.html", context)


@org_page
def key_result_checkin(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the check-in form (a partial for htmx, a page without JS). POST: record it.

    With htmx a success answers with the refreshed objective body, swapped in place of the
    page's; errors answer with the form again, as typed, inside the dialog."""
    org, user = request.org, request.user  # type: ignore[attr-defined]
    kr = key_result_get(organization=org, user=user, key_result_id=pk)
    if kr is None:
        raise Http404
    viewer = viewer_for(org, user)
    contributor_ids = {link.user_id for link in getattr(kr, "contributor_links", [])}
    if not can_check_in(viewer, kr, contributor_ids):
        raise PermissionDenied
    blocker = checkin_blocker(kr, viewer)
    form = CheckinForm(
        request.POST if request.method == "POST" else None, key_result=kr, prefix=f"kr{kr.pk}"
    )
    if request.method == "POST" and blocker is None and form.is_valid():
        try:
            checkin_submit(key_result=kr, actor=user, **form.service_kwargs())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            return _checked_in(request, kr.objective_id, kr.pk)
    if form.errors:
        name = next((n for n in form.fields if n in form.errors), None)
        target = form[name] if name else form.value_field or form["confidence"]
        target.field.widget.attrs["autofocus"] = True
    context = {
        "nav": "home",
        "kr": kr,
        "objective": kr.objective,
        "form": form,
        "blocker": blocker,
        "in_dialog": _is_htmx(request),
    }
    if _is_htmx(request):
        return render(request, "web/partials/_objective_checkin_form.html", context)
    return render(request, "web/objective_checkin.html", context)


def _checked_in(request: HttpRequest, objective_id: int, kr_id: int) -> HttpResponse:
    message = gettext("Check-in saved.")
    if not _is_htmx(request):
        messages.success(request, message)
        url = reverse("web:objective", kwargs={"org": request.org.slug, "pk": objective_id})  # type: ignore[attr-defined]
        return HttpResponseRedirect(f"{url}#kr-{kr_id}")
    objective = _objective_or_404(request, objective_id)
    context = _page_context(request, objective)
    context.update(flash=message, focus_kr=kr_id)
    response = render(request, "web/partials/_objective_body.html", context)
    # The discussion lists the latest check-ins to comment on: swapped out of band with it.
    context.update(discussion_context(request, objective, context["page"]), discussion_oob=True)
    response.write(render_to_string("web/collab/_discussion.html", context, request=request))
    response["HX-Retarget"] = "#objective-body"
    response["HX-Reswap"] = "outerHTML"
    return response
