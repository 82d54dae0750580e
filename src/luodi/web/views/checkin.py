"""The weekly check-in: every key result a person works on, in one form, saved at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from luodi.accounts.models import User
from luodi.checkins.services import checkin_submit
from luodi.okrs import engine
from luodi.okrs.models import KeyResult, Objective
from luodi.okrs.permissions import Viewer, viewer_for
from luodi.okrs.selectors import Clock, Measures, key_result_measures, objective_measures
from luodi.orgs.choices import CycleState
from luodi.orgs.models import Cycle
from luodi.web.cycles import chosen_cycle, current_cycle, cycles_of
from luodi.web.decorators import org_page
from luodi.web.forms_checkin import CheckinForm
from luodi.web.queries_checkin import checkin_blocker, checkin_key_results


@dataclass
class CheckinRow:
    kr: KeyResult
    measures: Measures
    form: CheckinForm | None  # None: read only, see `blocker`
    blocker: str | None
    checked_in_this_week: bool


@dataclass
class CheckinGroup:
    objective: Objective
    measures: Measures
    mine: bool
    rows: list[CheckinRow] = field(default_factory=list)


@org_page
def checkin(request: HttpRequest) -> HttpResponse:
    org, user = request.org, request.user  # type: ignore[attr-defined]
    viewer = viewer_for(org, user)
    clock = Clock.for_org(org)
    cycles = cycles_of(org)
    explicit, shown = _shown_cycles(request, cycles, clock.today)
    if request.method == "POST" and not viewer.can_write:
        raise PermissionDenied
    context: dict = {
        "nav": "checkin",
        "cycles": cycles,
        "cycle": shown[0] if shown else None,
        "shown_cycles": shown,
        "explicit_cycle": explicit,
        "running_count": len(_running(cycles, clock.today)),
        "can_write": viewer.can_write,
        "groups": [],
    }
    if not shown:
        return render(request, "web/checkin.html", context)
    krs = checkin_key_results(organization=org, viewer=viewer, user=user, cycles=shown)
    data = request.POST if request.method == "POST" else None
    week_start = clock.start_of(clock.today - timedelta(days=clock.today.weekday()))
    groups = _groups(krs, viewer, user, clock, data, week_start)
    rows = [row for group in groups for row in group.rows]
    if data is not None:
        saved = _save(rows, user)
        if saved is not None:
            _report(request, saved)
            return HttpResponseRedirect(_page_url(org.slug, explicit))
    error_rows = [row for row in rows if row.form is not None and row.form.errors]
    _autofocus(rows, error_rows)
    editable = [row for row in rows if row.form is not None]
    context.update(
        groups=groups,
        editable_count=len(editable),
        done_this_week=sum(1 for row in editable if row.checked_in_this_week),
        error_rows=error_rows,
        action=_page_url(org.slug, explicit),
        week_start=week_start.date(),
    )
    return render(request, "web/checkin.html", context)


def _groups(
    krs: list[KeyResult],
    viewer: Viewer,
    user: User,
    clock: Clock,
    data: QueryDict | None,
    week_start: datetime,
) -> list[CheckinGroup]:
    groups: dict[int, CheckinGroup] = {}
    for kr in krs:
        objective = kr.objective
        group = groups.get(objective.pk)
        if group is None:
            group = groups[objective.pk] = CheckinGroup(
                objective,
                objective_measures(objective, objective.cycle, clock),
                mine=objective.owner_id == user.pk,
            )
        blocker = checkin_blocker(kr, viewer)
        form = None
        if blocker is None:
            prefix = f"kr{kr.pk}"
            # A row the person never saw (added since the page loaded) is not bound.
            bound = data is not None and f"{prefix}-row" in data
            form = CheckinForm(data if bound else None, key_result=kr, bulk=True, prefix=prefix)
        group.rows.append(
            CheckinRow(
                kr=kr,
                measures=key_result_measures(kr, objective.cycle, clock),
                form=form,
                blocker=blocker,
                checked_in_this_week=blocker is None
                and kr.last_checkin_at is not None
                and kr.last_checkin_at >= week_start,
            )
        )
    return list(groups.values())


def _save(rows: list[CheckinRow], user: User) -> int | None:
    """Check in every touched row in one transaction; None (nothing saved) if any row fails."""
    bound = [row.form for row in rows if row.form is not None and row.form.is_bound]
    valid = [form.is_valid() for form in bound]  # validate every row, to show every error
    if not all(valid):
        return None
    touched = [form for form in bound if form.has_changed()]
    with transaction.atomic():
        # Every lock the rows need, first and in the engine's global order: taken row by row
        # they interleave with a concurrent check-in on a shared chain and can deadlock.
        if touched:
            engine.lock_for_edit(
                objective_ids={form.key_result.objective_id for form in touched},
                key_result_ids=[form.key_result.pk for form in touched],
            )
        failed = False
        for form in touched:
            try:
                with transaction.atomic():
                    checkin_submit(key_result=form.key_result, actor=user, **form.service_kwargs())
            except ValidationError as error:
                form.add_service_error(error)
                failed = True
            except PermissionDenied as error:
                form.add_error(None, str(error))
                failed = True
        if failed:
            transaction.set_rollback(True)
            return None
    return len(touched)


def _report(request: HttpRequest, saved: int) -> None:
    if saved:
        text = ngettext(
            "%(count)d key result updated.", "%(count)d key results updated.", saved
        ) % {"count": saved}
        messages.success(request, text)
    else:
        messages.info(request, gettext("Nothing changed, so nothing was saved."))


def _autofocus(rows: list[CheckinRow], error_rows: list[CheckinRow]) -> None:
    """Focus the first field with an error, else the first row's new value."""
    if error_rows:
        form = error_rows[0].form
        assert form is not None
        name = next((n for n in form.fields if n in form.errors), None)
    else:
        form = next((row.form for row in rows if row.form is not None), None)
        name = None
    if form is None:
        return
    bound = form[name] if name else form.value_field or form["confidence"]
    bound.field.widget.attrs["autofocus"] = True


def _running(cycles: list[Cycle], today: date) -> list[Cycle]:
    return [
        c for c in cycles if c.state == CycleState.ACTIVE and c.start_date <= today <= c.end_date
    ]


def _shown_cycles(
    request: HttpRequest, cycles: list[Cycle], today: date
) -> tuple[Cycle | None, list[Cycle]]:
    """(the cycle asked for, the cycles shown). By default every running cycle — a
    quarter and its year are checked in on in the same week — else the current one."""
    explicit = chosen_cycle(request, cycles, today) if request.GET.get("cycle") else None
    if explicit is not None:
        return explicit, [explicit]
    running = sorted(_running(cycles, today), key=lambda c: (c.end_date - c.start_date, c.pk))
    if running:
        return None, running
    current = current_cycle(cycles, today)
    return None, [current] if current else []


def _page_url(slug: str, cycle: Cycle | None) -> str:
    url = reverse("web:checkin", kwargs={"org": slug})
    return f"{url}?cycle={cycle.pk}" if cycle else url
