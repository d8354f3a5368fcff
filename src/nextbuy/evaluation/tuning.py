"""Hyper-parameters chosen on a validation split carved from the training data only.

The inner split uses the same protocol as the outer one (another seed), so the test split of an
evaluation is never looked at before the final, single measurement.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nextbuy.evaluation.runner import Candidate, EvaluationData, prepare, run_candidate
from nextbuy.evaluation.splits import Split, stratified_split, temporal_split
from nextbuy.recommend.events import EventWeighting


@dataclass(frozen=True)
class TuningResult:
    """The chosen parameters and the validation score of every grid point tried."""

    best: dict[str, Any]
    tried: list[tuple[dict[str, Any], float]]


def validation_data(
    split: Split,
    weighting: EventWeighting | None = None,
    relevant_types: Sequence[str] | None = None,
) -> EvaluationData:
    """Split the training events again with the outer protocol; the test events stay unseen."""
    if split.protocol == "temporal":
        inner = temporal_split(split.train, float(split.params.get("test_fraction", 0.25)))
    else:
        ratio = float(split.params.get("ratio", 0.75))
        inner = stratified_split(split.train, ratio, int(split.params.get("seed", 42)) + 1)
    return prepare(inner, weighting, relevant_types)


def tune(
    make: Callable[[Mapping[str, Any]], Candidate],
    grid: Sequence[Mapping[str, Any]],
    validation: EvaluationData,
    k: int,
) -> TuningResult:
    """Fit every grid point on the validation training part; keep the best NDCG@k."""
    tried: list[tuple[dict[str, Any], float]] = []
    for params in grid:
        result = run_candidate(make(params), validation, k)
        tried.append((dict(params), result.metrics.get(f"ndcg@{k}", -1.0)))
    best = max(tried, key=lambda entry: entry[1])[0] if tried else {}
    return TuningResult(best, tried)
