"""Popularity: global (distinct users per item) and trending (time-decayed interaction weight).

Popularity is the floor every personalised list falls back to, and the first baseline any
evaluation must beat.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from nextbuy.recommend.artifacts import Arrays
from nextbuy.recommend.base import Recommender, Scores
from nextbuy.recommend.events import decayed_matrix
from nextbuy.recommend.interactions import Interactions
from nextbuy.recommend.reasons import Reason, ReasonKind


@dataclass(frozen=True)
class Popularity:
    """Items ranked by the number of distinct users who bought them (ties broken by id order)."""

    scores: npt.NDArray[np.float64]
    ranking: npt.NDArray[np.int64]

    @classmethod
    def fit(cls, interactions: Interactions) -> Popularity:
        """Count distinct users per item; repeat purchases by one user count once."""
        scores = distinct_users(interactions.matrix).astype(np.float64)
        # A stable sort on the negated scores keeps equal items in index order: deterministic.
        ranking = np.argsort(-scores, kind="stable").astype(np.int64)
        return cls(scores, ranking)

    def top(self, n: int, exclude: npt.NDArray[np.int64] | None = None) -> npt.NDArray[np.int64]:
        """The ``n`` most popular item rows, skipping ``exclude``."""
        if exclude is None or exclude.size == 0:
            return self.ranking[:n]
        keep = ~np.isin(self.ranking, exclude)
        return self.ranking[keep][:n]


def distinct_users(matrix: sparse.spmatrix) -> npt.NDArray[np.float32]:
    """How many users have a positive interaction with each item."""
    return np.asarray((matrix > 0).sum(axis=0), dtype=np.float32).ravel()


class _ItemPrior(Recommender):
    """An algorithm whose score is one vector over items, the same for every user."""

    reason_kind = ReasonKind.POPULAR

    def __init__(self) -> None:
        super().__init__()
        self._prior = np.zeros(0, dtype=np.float32)

    def _score_history(self, history: sparse.csr_matrix) -> Scores:
        return np.tile(self._prior, (history.shape[0], 1))

    def _item_similarity(self, item_rows: npt.NDArray[np.int64]) -> Scores:
        # Without content, "similar" to a popular item is simply what else is popular.
        return np.tile(self._prior, (item_rows.size, 1))

    def explain(self, user_row: int, item_rows: Any) -> list[Reason]:
        return [Reason(self.reason_kind) for _ in item_rows]

    def _state(self) -> Arrays:
        return {"prior": self._prior}

    def _restore(self, arrays: Arrays, directory: Path) -> None:
        self._prior = arrays["prior"].astype(np.float32)


class GlobalPopularity(_ItemPrior):
    """Most popular items overall: the number of distinct users per item."""

    name = "popularity"

    def _fit(self, interactions: Interactions) -> None:
        self._prior = distinct_users(interactions.matrix)


class TrendingPopularity(_ItemPrior):
    """Items gaining attention now: interaction weight decayed by the age of the interaction.

    Args:
        half_life_days: an interaction this many days older than the newest one counts half.
    """

    name = "trending"
    reason_kind = ReasonKind.TRENDING

    def __init__(self, half_life_days: float = 7.0) -> None:
        super().__init__()
        if half_life_days <= 0:
            raise ValueError("half_life_days must be positive")
        self.half_life_days = half_life_days

    def params(self) -> dict[str, Any]:
        return {"half_life_days": self.half_life_days}

    def _fit(self, interactions: Interactions) -> None:
        matrix = decayed_matrix(interactions, self.half_life_days)
        self._prior = np.asarray(matrix.sum(axis=0), dtype=np.float32).ravel()
