"""Reads for the objective page: its key results with their check-ins, the merged history,
and the alignment links up and down — a fixed number of queries whatever the size."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from luodi.accounts.models import User
from luodi.checkins.models import CheckIn
from luodi.okrs.choices import (
    Direction,
    KeyResultKind,
    KeyResultState,
    Level,
    ObjectiveState,
    Visibility,
)
from luodi.okrs.models import (
    Alignment,
    ApprovalStatus,
    KeyResult,
    Objective,
    ObjectiveTheme,
    Revision,
)
from luodi.okrs.permissions import Viewer, can_edit_objective, can_see_objective
from luodi.okrs.selectors import Clock, Measures, key_result_measures, objective_measures
from luodi.orgs.models import Cycle, Organization, Theme, Unit
from luodi.web.forms_checkin import VALUE_KINDS, CheckinForm
from luodi.web.queries_checkin import checkin_blocker

# Revisions made by one save land microseconds apart; within this gap they read as one.
SAME_CHANGE = timedelta(seconds=2)
LONG_TEXT = 140

FIELD_LABELS = {
    "created": gettext_lazy("created"),
    "title": gettext_lazy("title"),
    "description": gettext_lazy("description"),
    "level": gettext_lazy("level"),
    "unit_id": gettext_lazy("unit"),
    "owner_id": gettext_lazy("owner"),
    "weight": gettext_lazy("weight"),
    "visibility": gettext_lazy("visibility"),
    "state": gettext_lazy("state"),
    "cycle_id": gettext_lazy("cycle"),
    "self_score": gettext_lazy("self score"),
    "final_score": gettext_lazy("final score"),
    "theme_ids": gettext_lazy("themes"),
    "alignments": gettext_lazy("alignment"),
    "measure_unit": gettext_lazy("unit of measure"),
    "start_date": gettext_lazy("start date"),
    "due_date": gettext_lazy("due date"),
    "start": gettext_lazy("start"),
    "target": gettext_lazy("target"),
    "kind": gettext_lazy("kind"),
    "direction": gettext_lazy("direction"),
    "phases": gettext_lazy("phased targets"),
    "milestones": gettext_lazy("milestones"),
    "contributor_ids": gettext_lazy("contributors"),
    "approval": gettext_lazy("approval"),
}
CHOICE_LABELS: dict[str, dict[str, Any]] = {
    "level": dict(Level.choices),
    "visibility": dict(Visibility.choices),
    "direction": dict(Direction.choices),
    "kind": dict(KeyResultKind.choices),
    "state": {**dict(ObjectiveState.choices), **dict(KeyResultState.choices)},
    "approval": dict(ApprovalStatus.choices),
}


@dataclass
class KeyResultView:
    kr: KeyResult
    measures: Measures
    owner: User | None
    contributors: list[User]
    checkins: list[CheckIn]  # oldest first
    blocker: str | None  # why the viewer cannot check in; None: they can
    form: CheckinForm | None  # the dialog's form, for those who may check in

    @property
    def is_value_kind(self) -> bool:
        return self.kr.kind in VALUE_KINDS

    def chart(self) -> dict[str, Any]:
        """What objective.js draws: values for measured kinds, else progress in percent."""
        kr = self.kr
        points = []
        for checkin in self.checkins:
            progress = None if checkin.progress is None else round(checkin.progress * 100, 2)
            value = float(checkin.value) if checkin.value is not None else None
            points.append([checkin.created_at.isoformat(), value, progress])
        chart: dict[str, Any] = {"id": kr.pk, "values": self.is_value_kind, "points": points}
        if self.is_value_kind:
            chart["target"] = None if kr.target is None else float(kr.target)
            chart["start"] = None if kr.start is None else float(kr.start)
            chart["unit"] = kr.measure_unit or ("%" if kr.kind == KeyResultKind.PERCENTAGE else "")
        return chart


@dataclass
class Change:
    field: str
    label: str
    old: str
    new: str


@dataclass
class TimelineEntry:
    at: datetime
    author: User | None
    key_result: KeyResult | None  # None: the objective itself
    checkin: CheckIn | None = None
    changes: list[Change] = field(default_factory=list)
    reason: str = ""
    created: bool = False


@dataclass
class ParentLink:
    alignment: Alignment
    objective: Objective  # the parent objective, or the objective of the parent key result
    key_result: KeyResult | None


@dataclass
class ChildLink:
    alignment: Alignment
    child: Objective
    measures: Measures
    via: KeyResult | None  # the key result of this objective it aligns to


@dataclass
class ObjectivePage:
    objective: Objective
    measures: Measures
    owner: User | None
    unit: Unit | None
    themes: list[Theme]
    key_results: list[KeyResultView]
    timeline: list[TimelineEntry]
    parents: list[ParentLink]
    children: list[ChildLink]
    can_edit: bool
    charts: list[dict] = field(default_factory=list)


def objective_page(
    *,
    organization: Organization,
    viewer: Viewer,
    objective: Objective,
    clock: Clock,
) -> ObjectivePage:
    """Everything the page shows about an objective fetched with `objective_get`."""
    krs = list(objective.key_results.all())
    for kr in krs:
        kr.objective = objective  # no query per key result
    # The objective's key results, as a subquery: it scopes what follows to the
    # organization and lets each read go through the key_result index. (Filtering the
    # big tables by organization too would steer SQLite to scan the organization index.)
    kr_ids = KeyResult.objects.filter(organization=organization, objective=objective).values("pk")
    checkins = list(
        CheckIn.objects.filter(key_result_id__in=kr_ids)
        .select_related("author")
        .order_by("created_at", "id")
    )
    revision_ids = _union(
        Revision.objects.filter(objective=objective),
        Revision.objects.filter(key_result_id__in=kr_ids),
    )
    revisions = list(
        Revision.objects.filter(organization=organization, pk__in=revision_ids)
        .select_related("author")
        .order_by("created_at", "id")
    )
    parents = _parents(organization, viewer, objective)
    children = _children(organization, viewer, objective, clock)
    names = _Names.load(organization, objective, krs, revisions)
    by_kr: dict[int, list[CheckIn]] = {}
    for checkin in checkins:
        by_kr.setdefault(checkin.key_result_id, []).append(checkin)
    views = [_key_result_view(kr, viewer, clock, by_kr, names) for kr in krs]
    return ObjectivePage(
        objective=objective,
        measures=objective_measures(objective, objective.cycle, clock),
        owner=names.users.get(objective.owner_id) if objective.owner_id else None,
        unit=names.units.get(objective.unit_id) if objective.unit_id else None,
        themes=names.themes,
        key_results=views,
        timeline=_timeline(checkins, revisions, {kr.pk: kr for kr in krs}, names),
        parents=parents,
        children=children,
        can_edit=can_edit_objective(viewer, objective),
        charts=[view.chart() for view in views],
    )


def _key_result_view(
    kr: KeyResult,
    viewer: Viewer,
    clock: Clock,
    by_kr: dict[int, list[CheckIn]],
    names: _Names,
) -> KeyResultView:
    blocker = checkin_blocker(kr, viewer)
    form = None
    if blocker is None:
        form = CheckinForm(key_result=kr, prefix=f"kr{kr.pk}")
    contributor_ids = [link.user_id for link in getattr(kr, "contributor_links", [])]
    return KeyResultView(
        kr=kr,
        measures=key_result_measures(kr, kr.objective.cycle, clock),
        owner=names.users.get(kr.owner_id) if kr.owner_id else None,
        contributors=[names.users[u] for u in contributor_ids if u in names.users],
        checkins=by_kr.get(kr.pk, []),
        blocker=blocker,
        form=form,
    )


def _parents(organization: Organization, viewer: Viewer, objective: Objective) -> list[ParentLink]:
    """The objectives and key results this objective aligns to, the visible ones only."""
    links = list(getattr(objective, "alignment_links", []))
    # Subqueries rather than the ids at hand: both queries run whatever kinds of parent
    # there are, so the page's query count does not depend on its data.
    up = Alignment.objects.filter(child=objective)
    objective_ids = up.filter(parent_objective__isnull=False).values("parent_objective_id")
    kr_ids = up.filter(parent_key_result__isnull=False).values("parent_key_result_id")
    # The few parents are checked one by one (the same rule as visible_objectives_q): the
    # visibility subqueries of a manager would only make the database plan worse.
    parents = {
        o.pk: o
        for o in Objective.objects.filter(
            organization=organization, pk__in=objective_ids
        ).select_related("owner")
        if can_see_objective(viewer, o)
    }
    parent_krs = {
        kr.pk: kr
        for kr in KeyResult.objects.filter(organization=organization, pk__in=kr_ids).select_related(
            "objective", "objective__owner"
        )
        if can_see_objective(viewer, kr.objective)
    }
    found = []
    for link in links:
        if link.parent_objective_id in parents:
            found.append(ParentLink(link, parents[link.parent_objective_id], None))
        elif link.parent_key_result_id in parent_krs:
            kr = parent_krs[link.parent_key_result_id]
            found.append(ParentLink(link, kr.objective, kr))
    return found


def _children(
    organization: Organization, viewer: Viewer, objective: Objective, clock: Clock
) -> list[ChildLink]:
    """Visible objectives aligned to this objective or to one of its key results."""
    kr_ids = KeyResult.objects.filter(organization=organization, objective=objective).values("pk")
    link_ids = _union(
        Alignment.objects.filter(parent_objective=objective),
        Alignment.objects.filter(parent_key_result_id__in=kr_ids),
    )
    links = (
        Alignment.objects.filter(organization=organization, pk__in=link_ids)
        .select_related("child", "child__owner", "child__cycle", "parent_key_result")
        .order_by("parent_key_result__position", "parent_key_result_id", "child_id")
    )
    return [
        ChildLink(
            alignment=link,
            child=link.child,
            measures=objective_measures(link.child, link.child.cycle, clock),
            via=link.parent_key_result,
        )
        for link in links
        if can_see_objective(viewer, link.child)  # as visible_objectives_q, for few rows
    ]


def _union(*querysets: QuerySet) -> QuerySet:
    """The ids of rows matching any of the querysets: each one reads its own index, where
    an OR of their conditions would make the database scan the organization's rows."""
    first, *rest = (qs.order_by().values("pk") for qs in querysets)
    return first.union(*rest)


@dataclass
class _Names:
    """Names for the ids the page and its history mention: one query per kind."""

    users: dict[int, User]
    units: dict[int, Unit]
    cycles: dict[int, Cycle]
    themes: list[Theme]

    @classmethod
    def load(
        cls,
        organization: Organization,
        objective: Objective,
        krs: list[KeyResult],
        revisions: list[Revision],
    ) -> _Names:
        user_ids = {objective.owner_id} | {kr.owner_id for kr in krs}
        for kr in krs:
            user_ids |= {link.user_id for link in getattr(kr, "contributor_links", [])}
        unit_ids = {objective.unit_id}
        for revision in revisions:
            if revision.field == "owner_id":
                user_ids |= {_int(revision.old), _int(revision.new)}
            elif revision.field == "contributor_ids":
                user_ids |= set(_int_list(revision.old)) | set(_int_list(revision.new))
            elif revision.field == "unit_id":
                unit_ids |= {_int(revision.old), _int(revision.new)}
        # Only members of this organization are named.
        users = User.objects.filter(
            pk__in=[u for u in user_ids if u], memberships__organization=organization
        )
        # A subquery, so the query runs (and is counted) with or without themes.
        theme_ids = ObjectiveTheme.objects.filter(objective=objective).values("theme_id")
        return cls(
            users={u.pk: u for u in users},
            units={
                u.pk: u
                for u in Unit.objects.filter(
                    organization=organization, pk__in=[u for u in unit_ids if u]
                )
            },
            cycles={c.pk: c for c in Cycle.objects.filter(organization=organization)},
            themes=list(
                Theme.objects.filter(organization=organization, pk__in=theme_ids).order_by(
                    "position", "id"
                )
            ),
        )

    def describe(self, field_name: str, text: str | None) -> str:
        """A revision's stored text as a person reads it."""
        if text is None or text == "":
            return "—"
        if field_name == "owner_id":
            user = self.users.get(_int(text) or 0)
            return user.display_name if user else "—"
        if field_name == "unit_id":
            unit = self.units.get(_int(text) or 0)
            return unit.name if unit else "—"
        if field_name == "cycle_id":
            cycle = self.cycles.get(_int(text) or 0)
            return cycle.name if cycle else "—"
        if field_name == "contributor_ids":
            named = [self.users[u].display_name for u in _int_list(text) if u in self.users]
            return ", ".join(named) or "—"
        if field_name in CHOICE_LABELS:
            return str(CHOICE_LABELS[field_name].get(text, text))
        if field_name == "milestones":
            return ", ".join(str(item[0]) for item in _json_list(text)) or "—"
        if field_name == "phases":
            return "; ".join(f"{day}: {_number(value)}" for day, value in _json_list(text)) or "—"
        if field_name in ("theme_ids", "alignments"):
            return str(len(_json_list(text)))
        if field_name in ("start", "target", "weight"):
            return _number(text)
        if len(text) > LONG_TEXT:
            return text[: LONG_TEXT - 1] + "…"
        return text


def _timeline(
    checkins: list[CheckIn],
    revisions: list[Revision],
    krs: dict[int, KeyResult],
    names: _Names,
) -> list[TimelineEntry]:
    """Check-ins and revisions in one list, newest first; the fields one save changed
    together read as one entry."""
    entries: list[TimelineEntry] = [
        TimelineEntry(
            at=c.created_at, author=c.author, key_result=krs.get(c.key_result_id), checkin=c
        )
        for c in checkins
    ]
    current: TimelineEntry | None = None
    for revision in revisions:
        kr = krs.get(revision.key_result_id) if revision.key_result_id else None
        same = (
            current is not None
            and not current.created
            and revision.field != "created"
            and current.key_result is kr
            and current.author == revision.author
            and current.reason == revision.reason
            and revision.created_at - current.at <= SAME_CHANGE
        )
        if not same:
            current = TimelineEntry(
                at=revision.created_at,
                author=revision.author,
                key_result=kr,
                reason=revision.reason,
                created=revision.field == "created",
            )
            entries.append(current)
        if revision.field != "created":
            assert current is not None
            current.changes.append(
                Change(
                    field=revision.field,
                    label=str(FIELD_LABELS.get(revision.field, revision.field)),
                    old=names.describe(revision.field, revision.old),
                    new=names.describe(revision.field, revision.new),
                )
            )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _json_list(text: str | None) -> list:
    try:
        data = json.loads(text or "[]")
    except ValueError:
        return []
    return data if isinstance(data, list) else []


def _int_list(text: str | None) -> list[int]:
    return [i for i in _json_list(text) if isinstance(i, int)]


def _number(text: Any) -> str:
    try:
        number = Decimal(str(text)).normalize()
    except (InvalidOperation, ValueError):
        return str(text)
    return format(number, "f")
