"""Global popularity: how many distinct users interacted with each item."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from nextbuy.recommend.interactions import Interactions


@dataclass(frozen=True)
class Popularity:
    """Items ranked by the number of distinct users who bought them (ties broken by id order)."""

    scores: npt.NDArray[np.float64]
    ranking: npt.NDArray[np.int64]

    @classmethod
    def fit(cls, interactions: Interactions) -> Popularity:
        """Count distinct users per item; repeat purchases by one user count once."""
        distinct_users = (interactions.matrix > 0).sum(axis=0)
        scores = np.asarray(distinct_users, dtype=np.float64).ravel()
        # A stable sort on the negated scores keeps equal items in index order: deterministic.
        ranking = np.argsort(-scores, kind="stable").astype(np.int64)
        return cls(scores, ranking)

    def top(self, n: int, exclude: npt.NDArray[np.int64] | None = None) -> npt.NDArray[np.int64]:
        """The ``n`` most popular item rows, skipping ``exclude``."""
        if exclude is None or exclude.size == 0:
            return self.ranking[:n]
        keep = ~np.isin(self.ranking, exclude)
        return self.ranking[keep][:n]
