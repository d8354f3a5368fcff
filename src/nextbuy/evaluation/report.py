"""The evaluation report: one JSON document anyone can check by script, and table rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nextbuy.evaluation.runner import AlgorithmResult

#: Published NDCG@10 under the same protocol (Microsoft Recommenders' MovieLens 100k benchmark:
#: every rating an interaction, 75/25 per-user stratified split, seen items never recommended).
PUBLISHED_NDCG: dict[tuple[str, str, int], dict[str, float]] = {
    ("movielens-100k", "stratified", 10): {
        "BiVAE": 0.475,
        "BPR": 0.442,
        "LightGCN": 0.420,
        "SAR": 0.383,
    },
}

#: Metric columns of the table and the JSON, in order (``@k`` filled in).
HEADLINE = ("ndcg@{k}", "recall@{k}", "precision@{k}", "map@{k}", "hit_rate@{k}")


@dataclass(frozen=True)
class EvaluationReport:
    """Everything one ``nextbuy evaluate`` run measured."""

    dataset: str
    protocol: str
    k: int
    results: list[AlgorithmResult]
    split: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    tuning: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def published(self) -> dict[str, float]:
        """Published NDCG@k of other libraries for this dataset and protocol, if any."""
        return dict(PUBLISHED_NDCG.get((self.dataset, self.protocol, self.k), {}))

    def columns(self) -> list[str]:
        return [name.format(k=self.k) for name in HEADLINE]

    def to_json(self) -> dict[str, Any]:
        """``{"dataset", "protocol", "k", "results": [{"algorithm", "library", …}]}`` + context."""
        return {
            "dataset": self.dataset,
            "protocol": self.protocol,
            "k": self.k,
            "results": [self._row(result) for result in self.results],
            "split": self.split,
            "counts": self.counts,
            "tuning": self.tuning,
            "notes": self.notes,
            "published_ndcg": self.published(),
        }

    def _row(self, result: AlgorithmResult) -> dict[str, Any]:
        row: dict[str, Any] = {"algorithm": result.algorithm, "library": result.library}
        for column in self.columns():
            row[column] = _rounded(result.metrics.get(column))
        row["mrr"] = _rounded(result.metrics.get("mrr"))
        row["coverage"] = _rounded(result.metrics.get("coverage"))
        row["novelty"] = _rounded(result.metrics.get("novelty"))
        row["train_seconds"] = round(result.train_seconds, 3)
        row["recommend_seconds"] = round(result.recommend_seconds, 3)
        row["peak_memory_mib"] = round(result.peak_memory_mib, 1)
        row["params"] = result.params
        if result.error is not None:
            row["error"] = result.error
        return row

    def best(self, library: str) -> AlgorithmResult | None:
        """The result of ``library`` with the highest NDCG@k."""
        scored = [r for r in self.results if r.library == library and r.error is None]
        key = f"ndcg@{self.k}"
        return max(scored, key=lambda r: r.metrics.get(key, 0.0), default=None)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 6)
