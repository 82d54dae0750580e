"""Turn objectives and key results into what the pages show: measures computed once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from luodi.okrs.models import KeyResult, Objective
from luodi.okrs.selectors import Clock, Measures, key_result_measures, objective_measures


@dataclass
class KeyResultRow:
    kr: KeyResult
    measures: Measures
    contributor_ids: list[int] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.measures.status


@dataclass
class ObjectiveCard:
    objective: Objective
    measures: Measures
    key_results: list[KeyResultRow]

    @property
    def status(self) -> str:
        return self.measures.status


def key_result_row(kr: KeyResult, clock: Clock) -> KeyResultRow:
    links = getattr(kr, "contributor_links", None)
    return KeyResultRow(
        kr=kr,
        measures=key_result_measures(kr, kr.objective.cycle, clock),
        contributor_ids=[link.user_id for link in links] if links is not None else [],
    )


def objective_cards(objectives: Iterable[Objective], clock: Clock) -> list[ObjectiveCard]:
    """Cards for objectives with their key results (and what key_results_prefetch() loads
    on them) and their cycle loaded."""
    cards = []
    for objective in objectives:
        rows = []
        for kr in objective.key_results.all():
            kr.objective = objective  # avoid a query per key result
            rows.append(key_result_row(kr, clock))
        cards.append(
            ObjectiveCard(objective, objective_measures(objective, objective.cycle, clock), rows)
        )
    return cards
