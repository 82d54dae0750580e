"""My OKRs: the home page of every person."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from luodi.collab.selectors import feedback_for
from luodi.okrs.choices import KeyResultState, Status
from luodi.okrs.models import KeyResult, KeyResultContributor
from luodi.okrs.permissions import viewer_for, visible_objectives_q
from luodi.okrs.selectors import Clock, contributors_prefetch, objective_list
from luodi.rhythm.selectors import home_action_items
from luodi.web.cycles import chosen_cycle, cycles_of
from luodi.web.decorators import org_page
from luodi.web.presenters import key_result_row, objective_cards


@org_page
def home(request: HttpRequest) -> HttpResponse:
    org, user = request.org, request.user  # type: ignore[attr-defined]
    clock = Clock.for_org(org)
    cycles = cycles_of(org)
    cycle = chosen_cycle(request, cycles, clock.today)
    context = {"nav": "home", "cycles": cycles, "cycle": cycle, "cards": [], "other_rows": []}
    if cycle is None:
        return render(request, "web/home.html", context)
    objectives = list(
        objective_list(organization=org, user=user, cycle_id=cycle.pk, owner_id=user.pk)
        .select_related("unit")  # cards name the unit
        .prefetch_related("key_results")
    )
    others = _krs_i_work_on(org, user, cycle)
    # What the rows need of every key result on the page, in one go: three queries
    # whether or not the person also works on other people's objectives.
    krs = [kr for objective in objectives for kr in objective.key_results.all()] + others
    prefetch_related_objects(krs, "phases", "milestones", contributors_prefetch())
    cards = objective_cards(objectives, clock)
    other_rows = [key_result_row(kr, clock) for kr in others]
    week_start = clock.start_of(clock.today - timedelta(days=clock.today.weekday()))
    my_rows = [row for card in cards for row in card.key_results] + other_rows
    due = [
        row
        for row in my_rows
        if row.kr.state == KeyResultState.ACTIVE
        and row.kr.kind != "rollup"
        and row.status != Status.DONE
        and (row.kr.last_checkin_at is None or row.kr.last_checkin_at < week_start)
        and (row.kr.owner_id == user.pk or user.pk in row.contributor_ids)
    ]
    context.update(cards=cards, other_rows=other_rows, due=due, week_start=week_start.date())
    context["received_feedback"] = feedback_for(organization=org, user=user)
    context["action_items"] = home_action_items(organization=org, user=user)
    return render(request, "web/home.html", context)


def _krs_i_work_on(org, user, cycle) -> list[KeyResult]:  # type: ignore[no-untyped-def]
    """Key results I own or contribute to on other people's objectives in this cycle
    (their phases, milestones and contributors not loaded)."""
    viewer = viewer_for(org, user)
    # One indexed subquery per role, united: an OR across the contributor join would
    # read every key result of the organization.
    owned = KeyResult.objects.filter(organization=org, owner=user).values("pk").order_by()
    contributed = (
        KeyResultContributor.objects.filter(organization=org, user=user)
        .values("key_result_id")
        .order_by()
    )
    return list(
        KeyResult.objects.filter(organization=org, objective__cycle=cycle)
        .filter(pk__in=owned.union(contributed))
        .exclude(objective__owner=user)
        .filter(visible_objectives_q(viewer, prefix="objective__"))
        .select_related("objective", "objective__cycle")
        .order_by("objective_id", "position", "id")
    )
