"""Request and response shapes of the API. Field names are the public contract (API.md).

Inputs are strict about JSON types (a boolean is not a number, a number is not an id
string) and forbid unknown fields; the services judge the values themselves. In PATCH
bodies a field left out is left alone; `null` clears it where that makes sense, and is a
type error where it does not (title, kind, …).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    FiniteFloat,
    StrictBool,
    StrictInt,
    StrictStr,
)

from luodi.api.pagination import MAX_ID, PageQuery
from luodi.checkins.models import Source
from luodi.okrs.choices import (
    AlignmentType,
    Direction,
    KeyResultKind,
    KeyResultState,
    Level,
    ObjectiveState,
    Status,
    Visibility,
)
from luodi.orgs.choices import CycleState, PolicyMode, Role, ThemeKind, UnitKind

# Transport guards only: the services give the precise limits and messages.
MAX_TEXT = 20_000
MAX_LIST = 200
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        return dt.date.fromisoformat(value)
    raise ValueError(str(_("Enter a date as YYYY-MM-DD.")))


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refuse it everywhere rather than 500 on one backend.
    if "\x00" in value:
        raise ValueError(str(_("Text cannot contain NUL characters.")))
    return value


def _number(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(str(_("Enter a number.")))
    return value


def choice(choices: Any) -> Any:
    """A string documented as one of the choices; the service checks it."""
    return Annotated[
        StrictStr,
        Field(max_length=50, json_schema_extra={"enum": list(choices.values)}),
        AfterValidator(_no_nul),
    ]


Id = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
Text = Annotated[StrictStr, Field(max_length=MAX_TEXT), AfterValidator(_no_nul)]
ApiDate = Annotated[dt.date, BeforeValidator(_iso_date)]
# JSON numbers or numeric strings, finite; exact (the body is parsed with Decimal floats).
Number = Annotated[Decimal, BeforeValidator(_number)]
IdList = Annotated[list[Id], Field(max_length=MAX_LIST)]
Score = Annotated[FiniteFloat, BeforeValidator(_number)]

RoleChoice = choice(Role)
UnitKindChoice = choice(UnitKind)
ThemeKindChoice = choice(ThemeKind)
CycleStateChoice = choice(CycleState)
PolicyModeChoice = choice(PolicyMode)
LevelChoice = choice(Level)
VisibilityChoice = choice(Visibility)
ObjectiveStateChoice = choice(ObjectiveState)
KindChoice = choice(KeyResultKind)
DirectionChoice = choice(Direction)
KeyResultStateChoice = choice(KeyResultState)
AlignmentTypeChoice = choice(AlignmentType)


def omitted() -> Any:
    """Default of a PATCH field: absent means unchanged (bodies are dumped exclude_unset)."""
    return Field(default=None)


class In(Schema):
    model_config = ConfigDict(extra="forbid")

    def changes(self) -> dict[str, Any]:
        """The fields the client sent, as plain Python values."""
        return self.model_dump(exclude_unset=True)


# --- errors --------------------------------------------------------------------------


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]


class ErrorOut(Schema):
    error: ErrorDetail


class WarningOut(Schema):
    code: str
    message: str


# --- me and organizations ------------------------------------------------------------


class MyOrganizationOut(Schema):
    slug: str
    name: str
    role: str


class MeOut(Schema):
    id: int
    email: str
    name: str
    organizations: list[MyOrganizationOut]


class OrganizationIn(In):
    name: Text
    slug: Text


class OrganizationPatch(In):
    name: Text = omitted()
    locale: Text = omitted()
    timezone: Text = omitted()
    checkin_weekday: StrictInt = omitted()
    status_tolerance: Number = omitted()
    policy_mode: PolicyModeChoice = omitted()
    policy_objectives_min: StrictInt = omitted()
    policy_objectives_max: StrictInt = omitted()
    policy_key_results_min: StrictInt = omitted()
    policy_key_results_max: StrictInt = omitted()
    requires_approval: StrictBool = omitted()


class OrganizationOut(Schema):
    id: int
    name: str
    slug: str
    role: str | None = Field(description="Your role in this organization.")
    locale: str
    timezone: str
    checkin_weekday: int = Field(description="0 = Monday … 6 = Sunday")
    status_tolerance: float
    policy_mode: str
    policy_objectives_min: int
    policy_objectives_max: int
    policy_key_results_min: int
    policy_key_results_max: int
    requires_approval: bool
    created_at: dt.datetime


# --- members, units, themes, cycles --------------------------------------------------


class MemberIn(In):
    email: Text
    name: Text = ""
    role: RoleChoice = Role.MEMBER.value
    unit_id: Id | None = None
    manager_id: Id | None = Field(None, description="The manager's user id.")


class MemberPatch(In):
    role: RoleChoice = omitted()
    unit_id: Id | None = omitted()
    manager_id: Id | None = omitted()


class MemberOut(Schema):
    id: int
    user_id: int
    email: str
    name: str
    role: str
    unit_id: int | None
    manager_id: int | None


class UnitIn(In):
    name: Text
    kind: UnitKindChoice
    parent_id: Id | None = None
    leader_id: Id | None = Field(None, description="The leader's user id.")


class UnitPatch(In):
    name: Text = omitted()
    kind: UnitKindChoice = omitted()
    parent_id: Id | None = omitted()
    leader_id: Id | None = omitted()


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    parent_id: int | None
    leader_id: int | None


class ThemeIn(In):
    title: Text
    description: Text = ""
    kind: ThemeKindChoice = ThemeKind.MID_TERM.value


class ThemePatch(In):
    title: Text = omitted()
    description: Text = omitted()
    kind: ThemeKindChoice = omitted()
    position: Annotated[StrictInt, Field(ge=0, le=1_000_000)] = omitted()


class ThemeOut(Schema):
    id: int
    title: str
    description: str
    kind: str
    position: int


class CycleIn(In):
    name: Text
    start_date: ApiDate
    end_date: ApiDate
    state: CycleStateChoice = CycleState.PLANNING.value


class CyclePatch(In):
    name: Text = omitted()
    start_date: ApiDate = omitted()
    end_date: ApiDate = omitted()
    state: CycleStateChoice = omitted()


class CycleOut(Schema):
    id: int
    name: str
    start_date: dt.date
    end_date: dt.date
    state: str


# --- objectives ----------------------------------------------------------------------


class AlignmentIn(In):
    parent_objective_id: Id | None = None
    parent_key_result_id: Id | None = None
    type: AlignmentTypeChoice = AlignmentType.CONTRIBUTES.value
    weight: Number = Decimal(1)


class ApprovalOut(Schema):
    status: str = Field(json_schema_extra={"enum": ["submitted", "approved", "returned"]})
    note: str
    comment: str
    submitted_at: dt.datetime | None
    decided_by: int | None
    decided_at: dt.datetime | None


class AlignmentOut(Schema):
    parent_objective_id: int | None
    parent_key_result_id: int | None
    type: str
    weight: float


class ObjectiveIn(In):
    cycle_id: Id
    title: Text
    description: Text = ""
    level: LevelChoice
    unit_id: Id | None = None
    owner_id: Id | None = Field(None, description="Defaults to you for individual objectives.")
    weight: Number | None = None
    visibility: VisibilityChoice = Visibility.ORGANIZATION.value
    state: Literal["draft", "active"] | None = Field(
        None,
        description="draft or active; members' objectives start as drafts when approval "
        "is required.",
    )
    theme_ids: IdList = []
    alignments: Annotated[list[AlignmentIn], Field(max_length=MAX_LIST)] = []


class ObjectivePatch(In):
    cycle_id: Id = omitted()
    title: Text = omitted()
    description: Text = omitted()
    level: LevelChoice = omitted()
    unit_id: Id | None = omitted()
    owner_id: Id | None = omitted()
    weight: Number = omitted()
    visibility: VisibilityChoice = omitted()
    state: ObjectiveStateChoice = omitted()
    self_score: Score | None = omitted()
    final_score: Score | None = omitted()
    theme_ids: IdList = omitted()
    alignments: Annotated[list[AlignmentIn], Field(max_length=MAX_LIST)] = Field(
        default=None, description="Replaces the whole set."
    )
    reason: Text = Field("", description="Why it changes; kept in the revision history.")


class ObjectiveQuery(PageQuery):
    cycle_id: int | None = Field(None, ge=1, le=MAX_ID)
    unit_id: int | None = Field(None, ge=1, le=MAX_ID)
    owner_id: int | None = Field(None, ge=1, le=MAX_ID)
    state: ObjectiveStateChoice | None = None
    q: Annotated[str, AfterValidator(_no_nul)] | None = Field(
        None, max_length=200, description="Words in title or description."
    )


class PhaseIn(In):
    date: ApiDate
    target: Number


class PhaseOut(Schema):
    date: dt.date
    target: float


class MilestoneIn(In):
    id: Id | None = Field(None, description="Keep this existing milestone (PATCH).")
    title: Text
    weight: Number = Decimal(1)


class MilestoneOut(Schema):
    id: int
    title: str
    weight: float
    done: bool


class KeyResultIn(In):
    title: Text
    kind: KindChoice
    start: Number | None = None
    target: Number | None = None
    unit: Text = Field("", description="Unit of measure, e.g. %, ¥, users.")
    direction: DirectionChoice | None = None
    phases: Annotated[list[PhaseIn], Field(max_length=MAX_LIST)] = []
    weight: Number = Decimal(1)
    owner_id: Id | None = Field(None, description="Defaults to the objective's owner.")
    contributor_ids: IdList = []
    start_date: ApiDate | None = None
    due_date: ApiDate | None = None
    milestones: Annotated[list[MilestoneIn], Field(max_length=MAX_LIST)] = []


class KeyResultPatch(In):
    title: Text = omitted()
    kind: KindChoice = omitted()
    start: Number | None = omitted()
    target: Number | None = omitted()
    unit: Text = omitted()
    direction: DirectionChoice | None = omitted()
    phases: Annotated[list[PhaseIn], Field(max_length=MAX_LIST)] = omitted()
    weight: Number = omitted()
    owner_id: Id | None = omitted()
    contributor_ids: IdList = omitted()
    start_date: ApiDate | None = omitted()
    due_date: ApiDate | None = omitted()
    milestones: Annotated[list[MilestoneIn], Field(max_length=MAX_LIST)] = omitted()
    state: KeyResultStateChoice = omitted()
    self_score: Score | None = omitted()
    final_score: Score | None = omitted()
    reason: Text = Field(
        "", description="Required to change start or target once the cycle has started."
    )


class KeyResultOut(Schema):
    id: int
    objective_id: int
    title: str
    kind: str
    state: str
    start: float | None
    target: float | None
    current: float | None
    unit: str
    direction: str
    phases: list[PhaseOut]
    weight: float
    owner_id: int | None
    contributor_ids: list[int]
    start_date: dt.date | None
    due_date: dt.date | None
    milestones: list[MilestoneOut]
    progress: float | None
    raw_progress: float | None = Field(description="Unclamped: over-achievement shows here.")
    expected_progress: float
    status: str = Field(json_schema_extra={"enum": list(Status.values)})
    stale: bool
    confidence: int | None = Field(description="Confidence of the latest check-in, 0–10.")
    score: float
    self_score: float | None
    final_score: float | None
    last_checkin_at: dt.datetime | None


class KeyResultWriteOut(KeyResultOut):
    warnings: list[WarningOut]


class ObjectiveOut(Schema):
    id: int
    cycle_id: int
    title: str
    description: str
    level: str
    unit_id: int | None
    owner_id: int | None
    weight: float
    visibility: str
    state: str
    theme_ids: list[int]
    alignments: list[AlignmentOut]
    progress: float | None
    expected_progress: float
    status: str = Field(json_schema_extra={"enum": list(Status.values)})
    score: float
    self_score: float | None
    final_score: float | None
    last_checkin_at: dt.datetime | None
    approval: ApprovalOut | None = Field(
        None, description="Approval of a draft (organizations that require it); null: none."
    )


class ObjectiveDetailOut(ObjectiveOut):
    key_results: list[KeyResultOut]


class ObjectiveWriteOut(ObjectiveDetailOut):
    warnings: list[WarningOut] = Field(description="Advice from the organization's OKR policy.")


# --- check-ins and revisions ---------------------------------------------------------


class CheckInIn(In):
    value: Number | None = Field(None, description="The new value (metric, threshold).")
    done: StrictBool | None = Field(None, description="Boolean key results.")
    milestone_ids_done: IdList | None = Field(
        None, description="Milestone key results: the complete set done after this check-in."
    )
    confidence: StrictInt | None = Field(None, description="0–10")
    note: Text = ""


class CheckInOut(Schema):
    id: int
    key_result_id: int
    value: float | None
    done: bool | None
    milestone_ids_done: list[int] | None
    progress: float | None
    confidence: int | None
    note: str
    author_id: int | None
    created_at: dt.datetime
    source: str = Field(json_schema_extra={"enum": list(Source.values)})


class RevisionOut(Schema):
    id: int
    field: str
    old: str | None
    new: str | None
    reason: str
    author_id: int | None
    created_at: dt.datetime


# --- pages ---------------------------------------------------------------------------


class MemberPage(Schema):
    items: list[MemberOut]
    next: str | None


class UnitPage(Schema):
    items: list[UnitOut]
    next: str | None


class ThemePage(Schema):
    items: list[ThemeOut]
    next: str | None


class CyclePage(Schema):
    items: list[CycleOut]
    next: str | None


class ObjectivePage(Schema):
    items: list[ObjectiveOut]
    next: str | None


class CheckInPage(Schema):
    items: list[CheckInOut]
    next: str | None


class RevisionPage(Schema):
    items: list[RevisionOut]
    next: str | None


ERROR_STATUSES = frozenset({400, 401, 403, 404, 409, 422})


def responses(schema: Any, status: int = 200) -> dict[Any, Any]:
    """The success shape plus the error shape, for the OpenAPI document."""
    return {status: schema, ERROR_STATUSES: ErrorOut}
