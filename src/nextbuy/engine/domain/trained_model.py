"""A trained algorithm from ``nextbuy.recommend``, behind the interface the ranking chain uses.

The online co-purchase model (``model.py``) and a trained, versioned artifact (ALS, EASE,
item-kNN, the hybrid, …) are interchangeable here: both score a history of seed items, name the
seed behind a candidate, rank best sellers and list similar items. The ranking chain and its
filters do not know which one is serving.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from nextbuy.engine.domain.model import rank_positive
from nextbuy.recommend.base import Recommender
from nextbuy.recommend.interactions import IdIndex

SIMILAR_ITEMS = 50


@dataclass(frozen=True)
class TrainedModel:
    version: str
    algorithm: Recommender
    popularity: npt.NDArray[np.float64]
    """Distinct users per item in the training history."""

    @classmethod
    def of(cls, version: str, algorithm: Recommender) -> TrainedModel:
        buyers = np.asarray((algorithm.history > 0).sum(axis=0), dtype=np.float64).ravel()
        return cls(version, algorithm, buyers)

    @property
    def items(self) -> IdIndex:
        return self.algorithm.items

    @property
    def item_ids(self) -> tuple[str, ...]:
        return self.items.ids

    def co_purchase_scores(
        self, seeds: Sequence[str], weight: float = 1.0
    ) -> npt.NDArray[np.float64]:
        """The algorithm's scores for a history made of ``seeds`` (each with ``weight``)."""
        rows = self.items.positions(seeds)
        if rows.size == 0:
            return np.zeros(len(self.item_ids))
        history = sparse.csr_matrix(
            (np.full(rows.size, weight), (np.zeros(rows.size, dtype=np.int64), rows)),
            shape=(1, len(self.item_ids)),
        )
        return np.asarray(self.algorithm.history_scores(history), dtype=np.float64).ravel()

    def top_scored(
        self, scores: npt.NDArray[np.float64], n: int, exclude: Iterable[str]
    ) -> list[tuple[str, float]]:
        return rank_positive(self.item_ids, self.items.positions(exclude), scores, n)

    def strongest_seeds(self, product_ids: Sequence[str], seeds: Sequence[str]) -> dict[str, str]:
        """For each product, the seed most similar to it, in one similarity computation."""
        targets = [p for p in product_ids if self.items.position(p) is not None]
        rows = self.items.positions(seeds)
        if not targets or rows.size == 0:
            return {}
        columns = self.items.positions(targets)
        affinity = np.asarray(self._explainer().similarity_scores(rows))[:, columns]
        best = affinity.argmax(axis=0)
        return {
            target: self.item_ids[int(rows[best[t]])]
            for t, target in enumerate(targets)
            if affinity[best[t], t] > 0
        }

    def _explainer(self) -> Recommender:
        """The model whose item similarity names reasons: a blend's cheapest component will do.

        A hybrid's similarity blends every component (a dense EASE row among them) just to
        pick one item to name; item-kNN or ALS alone names a sensible one in a fraction.
        """
        components = getattr(self.algorithm, "models", None)
        if isinstance(components, Mapping):
            for name in ("item-knn", "als"):
                if name in components:
                    explainer: Recommender = components[name]
                    return explainer
        return self.algorithm

    def popular(self, n: int, exclude: Iterable[str] = ()) -> list[tuple[str, float]]:
        return rank_positive(self.item_ids, self.items.positions(exclude), self.popularity, n)

    def similar(self, product_id: str) -> list[tuple[str, float]]:
        row = self.items.position(product_id)
        if row is None:
            return []
        ranked = self.algorithm.similar_items([row], k=SIMILAR_ITEMS).row(0)
        return [(self.item_ids[item], float(score)) for item, score in ranked if score > 0]
