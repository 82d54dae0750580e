"""The shapes the demo company is written in: plain frozen dataclasses, both languages side by
side in `T`, so the Chinese and the English demo cannot drift apart."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

LANGUAGES = ("zh-hans", "en")


def normalize_lang(lang: str) -> str:
    """'zh', 'zh-Hans', 'zh_CN' … → 'zh-hans'; 'en', 'en-US' … → 'en'."""
    value = (lang or "").strip().lower().replace("_", "-")
    if value.startswith("en"):
        return "en"
    if value.startswith("zh"):
        return "zh-hans"
    raise ValueError(f"unsupported demo language {lang!r}: use zh-hans or en")


@dataclass(frozen=True)
class T:
    """One text in Simplified Chinese and in English. `{year}` and the like are filled in."""

    zh: str
    en: str

    def get(self, lang: str, **values: object) -> str:
        text = self.en if lang == "en" else self.zh
        return text.format(**values) if values else text


@dataclass(frozen=True)
class UnitSpec:
    key: str
    name: T
    kind: str  # company | department | team
    parent: str | None
    leader: str  # a person key


@dataclass(frozen=True)
class PersonSpec:
    key: str
    email: str
    name: T
    role: str  # owner | admin | member | viewer
    unit: str
    manager: str | None
    job: T


@dataclass(frozen=True)
class ThemeSpec:
    key: str
    kind: str  # vision | mid_term | short_term
    title: T
    description: T


@dataclass(frozen=True)
class Story:
    """What the owner writes in check-ins: progress lines, one blocker, next steps."""

    did: tuple[T, ...]
    blocker: T
    next: tuple[T, ...]


# How a key result is doing when the demo loads, relative to the pace expected that day:
# (offset from expected progress, first confidence, last confidence).
PLANS: dict[str, tuple[float, int, int]] = {
    "ahead": (0.12, 7, 9),  # on track, comfortably
    "on_track": (0.02, 7, 8),
    "steady": (-0.04, 6, 7),  # on track, a little behind the line
    "worried": (-0.02, 7, 4),  # on pace, but the owner's confidence dropped → at risk
    "at_risk": (-0.15, 7, 5),
    "off_track": (-0.32, 6, 3),
    "blocked": (-0.12, 6, 2),  # confidence 2 → off track
    "done": (1.0, 8, 10),  # offset unused: reaches the target
}


@dataclass(frozen=True)
class KRSpec:
    key: str
    title: T
    kind: str  # metric | percentage | threshold | milestone | boolean | rollup
    unit: T = T("", "")
    start: str | None = None
    target: str | None = None
    direction: str = ""
    places: int = 0  # decimals of the values checked in
    plan: str = "on_track"
    story: Story | None = None
    # Phased targets as (fraction of the cycle, value).
    phases: tuple[tuple[float, str], ...] = ()
    milestones: tuple[tuple[T, int], ...] = ()
    # Threshold key results: (lowest good value, highest good value, a value that misses),
    # and how many weekly check-ins miss.
    threshold_values: tuple[str, str, str] | None = None
    misses: int = 0
    stale: bool = False  # stop checking in three weeks before the demo's day
    weight: str = "1"
    contributors: tuple[str, ...] = ()
    every_weeks: int = 1  # check-in cadence
    # Closed cycles: the progress reached at the end, and (self score, final score).
    final: float | None = None
    scores: tuple[float, float] | None = None

    def decimal(self, name: str) -> Decimal | None:
        value = getattr(self, name)
        return None if value is None else Decimal(value)


@dataclass(frozen=True)
class Link:
    """An alignment: parent 'O:<objective key>' or 'K:<key result key>'."""

    parent: str
    type: str = "contributes"
    weight: str = "1"


@dataclass(frozen=True)
class ObjectiveSpec:
    key: str
    cycle: str  # year | quarter | previous
    level: str  # company | unit | individual
    owner: str
    unit: str
    title: T
    description: T
    key_results: tuple[KRSpec, ...]
    themes: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    visibility: str = "organization"
    scores: tuple[float, float] | None = None  # closed cycles: (self, final)
    score_by: tuple[str, str] | None = None  # who self-scores, who sets the final score


# --- the conversation around the OKRs ---------------------------------------------------------
#
# Texts may name people as {person_key}: the loader writes "@" and the person's name there,
# so the comment mentions them. Times are shares of a window (see `Moment`), so the
# conversation always happens in the right order and before the moment the demo loads.


@dataclass(frozen=True)
class Moment:
    """When something happens: `share` of the way from the start of `window` to now.

    Windows: "talk" opens the evening of the last check-in day; "meeting" when last week's
    review meeting ended."""

    share: float
    window: str = "talk"


@dataclass(frozen=True)
class CommentSpec:
    """A comment on 'O:<objective>', 'K:<key result>' or 'C:<key result>' (its latest
    check-in); `likes` are the people who like it."""

    author: str
    on: str
    body: T
    at: Moment
    likes: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeedbackSpec:
    """Feedback about 'O:<objective>' (for its owner) or 'C:<key result>' (for the author of
    its latest check-in)."""

    giver: str
    on: str
    kind: str  # praise | suggestion | concern
    body: T
    at: Moment


@dataclass(frozen=True)
class ReportSpec:
    """A report drafted from the person's check-ins, then edited: a line before the
    drafted progress, one after the drafted plans."""

    person: str
    kind: str  # week (last week) | month (last month)
    opening: T
    plan: T
    problem: T = T("", "")


@dataclass(frozen=True)
class ActionSpec:
    title: T
    owner: str
    due_in_days: int
    key_result: str = ""
    done: bool = False


@dataclass(frozen=True)
class MeetingSpec:
    """Last week's review (notes, decisions, action items) and the next one (agenda)."""

    unit: str
    organizer: str
    title: T
    notes: T
    decisions: T
    actions: tuple[ActionSpec, ...]


@dataclass(frozen=True)
class AlignmentRequestSpec:
    """One department asks another to support an objective; an accepted request creates
    the asked team's objective (`answer_title`, with `answer_key_results`)."""

    objective: str
    asked_by: str
    to_unit: str
    message: T
    at: Moment
    answer: str = ""  # accept | "" (still waiting)
    answered_by: str = ""
    answer_comment: T = T("", "")
    answer_title: T = T("", "")
    answer_key_results: tuple[KRSpec, ...] = ()
    answered_at: Moment = Moment(0.5)


@dataclass(frozen=True)
class ApprovalSpec:
    """A member's new objective once the organization requires approval: a draft,
    submitted with a note, then approved by `approved_by` — or still waiting."""

    objective: ObjectiveSpec
    note: T
    at: Moment
    approved_by: str = ""
    comment: T = T("", "")
    decided_at: Moment = Moment(0.5)


@dataclass(frozen=True)
class Conversation:
    comments: tuple[CommentSpec, ...]
    feedback: tuple[FeedbackSpec, ...]
    reports: tuple[ReportSpec, ...]
    meeting: MeetingSpec
    alignment_requests: tuple[AlignmentRequestSpec, ...]
    approvals: tuple[ApprovalSpec, ...] = ()


@dataclass(frozen=True)
class Company:
    slug: str
    name: T
    timezone: str
    password: str
    units: tuple[UnitSpec, ...]
    people: tuple[PersonSpec, ...]
    themes: tuple[ThemeSpec, ...]
    objectives: tuple[ObjectiveSpec, ...] = field(default=())
    conversation: Conversation | None = None
