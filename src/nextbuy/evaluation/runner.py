"""Train every candidate on the same split, time it, measure its memory, and score its lists."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from nextbuy.evaluation import metrics
from nextbuy.evaluation.memory import measure_peak_memory
from nextbuy.evaluation.splits import Split
from nextbuy.recommend._ranking import ExcludeLike, Recommendations
from nextbuy.recommend.errors import RecommendError
from nextbuy.recommend.events import EventWeighting, build_interactions
from nextbuy.recommend.interactions import Interactions

#: Users whose lists are computed at once (bounds the dense score matrix).
USER_BATCH = 1024


class Trainable(Protocol):
    """What the runner needs of a model: Nextbuy's algorithms and the baselines both fit."""

    def fit(self, interactions: Interactions) -> Any: ...

    def recommend(
        self, user_rows: npt.NDArray[np.int64], k: int = 10, exclude: ExcludeLike = None
    ) -> Recommendations: ...


@dataclass(frozen=True)
class Candidate:
    """One row of the results table: a display name, its library and how to build it."""

    algorithm: str
    library: str
    build: Callable[[], Trainable]
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EvaluationData:
    """A split as matrices: training interactions and each test user's relevant item rows.

    Relevant items never seen in training get rows past the catalogue: they count in recall and
    NDCG denominators, and no model can hit them (as in the published protocol).
    """

    train: Interactions
    test_users: npt.NDArray[np.int64]
    relevant: list[npt.NDArray[np.int64]]


@dataclass(frozen=True)
class AlgorithmResult:
    """Metrics and costs of one candidate (``error`` set when it could not run)."""

    algorithm: str
    library: str
    metrics: dict[str, float]
    train_seconds: float
    recommend_seconds: float
    peak_memory_mib: float
    params: dict[str, Any]
    error: str | None = None


def prepare(
    split: Split,
    weighting: EventWeighting | None = None,
    relevant_types: Sequence[str] | None = None,
) -> EvaluationData:
    """Index the training events and map each test user's items onto the training columns.

    ``relevant_types`` restricts what counts as relevant (``["purchase"]``: what people buy);
    by default every test event with a positive weight does.
    """
    train = build_interactions(split.train, weighting)
    held = split.test
    if relevant_types is not None:
        held = held.take(np.isin(held.event_types, list(relevant_types)))
    test = build_interactions(held, weighting, users=train.users)
    n_items = train.shape[1]
    extra = (n_items + np.arange(len(test.items))).astype(np.int64)
    known = np.array([train.items.position(i) for i in test.items.ids], dtype=object)
    column = np.where(known == None, extra, known).astype(np.int64)  # noqa: E711 (elementwise)
    users = np.flatnonzero(np.diff(test.matrix.indptr) > 0).astype(np.int64)
    relevant = [np.sort(column[test.matrix[u].indices]) for u in users.tolist()]
    return EvaluationData(train, users, relevant)


def score_lists(data: EvaluationData, ranked: npt.NDArray[np.int64], k: int) -> dict[str, float]:
    """Every metric of :mod:`nextbuy.evaluation.metrics` for the test users' lists."""
    item_users = np.asarray((data.train.matrix > 0).sum(axis=0), dtype=np.float64).ravel()
    return {
        f"ndcg@{k}": metrics.ndcg_at_k(ranked, data.relevant, k),
        f"recall@{k}": metrics.recall_at_k(ranked, data.relevant, k),
        f"precision@{k}": metrics.precision_at_k(ranked, data.relevant, k),
        f"map@{k}": metrics.map_at_k(ranked, data.relevant, k),
        f"hit_rate@{k}": metrics.hit_rate_at_k(ranked, data.relevant, k),
        "mrr": metrics.mrr(ranked, data.relevant, k),
        "coverage": metrics.coverage(ranked, data.train.shape[1]),
        "novelty": metrics.novelty(ranked, item_users, data.train.shape[0]),
    }


def top_lists(model: Trainable, data: EvaluationData, k: int) -> npt.NDArray[np.int64]:
    """Each test user's top k, excluding everything they touched in training."""
    parts = []
    for start in range(0, data.test_users.size, USER_BATCH):
        rows = data.test_users[start : start + USER_BATCH]
        parts.append(model.recommend(rows, k, exclude=data.train.matrix[rows]).items)
    return np.concatenate(parts) if parts else np.zeros((0, k), dtype=np.int64)


def run_candidate(candidate: Candidate, data: EvaluationData, k: int) -> AlgorithmResult:
    """Fit (timed, memory sampled), rank, score; a model that refuses the data is reported."""
    gc.collect()
    try:
        model = candidate.build()
        with measure_peak_memory() as memory:
            started = time.perf_counter()
            model.fit(data.train)
            trained = time.perf_counter()
        ranked = top_lists(model, data, k)
        ranked_at = time.perf_counter()
    except (RecommendError, MemoryError, ValueError) as error:
        return AlgorithmResult(
            candidate.algorithm, candidate.library, {}, 0.0, 0.0, 0.0, candidate.params, str(error)
        )
    return AlgorithmResult(
        candidate.algorithm,
        candidate.library,
        score_lists(data, ranked, k),
        trained - started,
        ranked_at - trained,
        memory.growth_mib,
        candidate.params,
    )


def run_all(
    candidates: Sequence[Candidate],
    data: EvaluationData,
    k: int,
    on_result: Callable[[AlgorithmResult], None] | None = None,
) -> list[AlgorithmResult]:
    """Run every candidate in order on the same data."""
    results = []
    for candidate in candidates:
        result = run_candidate(candidate, data, k)
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results
