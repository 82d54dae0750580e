"""Query counts of the benchmark scenarios do not grow with the organization (what CI can
afford of "the same counts at 1k and 10k": 100 vs 400 people)."""

from __future__ import annotations

from typing import Any

from luodi.bench.generate import generate
from luodi.bench.runner import run
from luodi.reports import parts


def test_query_counts_do_not_grow_with_the_organization(db: Any) -> None:
    for slug, users in (("little", 100), ("bigger", 400)):
        generate(users=users, seed=5, slug=slug, log=lambda _message: None)
    counts = {}
    for slug in ("little", "bigger"):
        _subjects, results = run(slug=slug, repeat=1, warmup=1)
        counts[slug] = {r.name: r.queries for r in results}
    # After a check-in the dashboard works out again the parts of the blocks its chain
    # touched (reports.parts): how many depends on how deep the person sits in the unit
    # tree, never on the organization's size, and at most INLINE_LIMIT (each: objectives by
    # unit, the key result pass, the phased, the listed rows; then one write for all).
    after = "dashboard after check-in"
    bound = counts["little"]["company dashboard"] + 4 * parts.INLINE_LIMIT + 1
    assert counts["little"].pop(after) <= bound
    assert counts["bigger"].pop(after) <= bound
    assert counts["little"] == counts["bigger"]
