"""Popularity within a group: per product category, and per demographic segment of users.

Both answer the cold-start question "what do people like this one like?" before any history
exists: a category from stated preferences, a segment from the profile's demographics.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from nextbuy.recommend.artifacts import Arrays
from nextbuy.recommend.base import Recommender, Scores
from nextbuy.recommend.interactions import Interactions
from nextbuy.recommend.popularity import distinct_users
from nextbuy.recommend.reasons import Reason, ReasonKind


def _codes(keys: list[str]) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.int64]]:
    names, codes = np.unique(np.asarray(keys, dtype=np.str_), return_inverse=True)
    return names, codes.ravel().astype(np.int64)


class CategoryPopularity(Recommender):
    """Popular items of the categories a user's history (or stated taste) leans to.

    Args:
        item_categories: category path per item id (``"garden/tools"``); unknown items get "".
        level: keep this many leading path segments (0 keeps the full path).
    """

    name = "popularity-category"
    reason_kind = ReasonKind.POPULAR_IN_CATEGORY

    def __init__(self, item_categories: Mapping[str, str] | None = None, level: int = 1) -> None:
        super().__init__()
        self.item_categories = dict(item_categories or {})
        self.level = level
        self._names = np.zeros(0, dtype=np.str_)
        self._codes = np.zeros(0, dtype=np.int64)
        self._popularity = np.zeros(0, dtype=np.float32)

    def params(self) -> dict[str, Any]:
        return {"level": self.level}

    def _fit(self, interactions: Interactions) -> None:
        paths = [self._category(self.item_categories.get(i, "")) for i in self.items.ids]
        self._names, self._codes = _codes(paths)
        counts = distinct_users(interactions.matrix)
        self._popularity = counts / max(float(counts.max(initial=0.0)), 1.0)

    def category_scores(self, weights: Mapping[str, float]) -> Scores:
        """Scores for a stated taste: ``{category path: weight}`` (cold start)."""
        share = np.zeros(self._names.size, dtype=np.float32)
        for path, weight in weights.items():
            share[self._names == self._category(path)] += weight
        return self._blend(share[None, :])

    def explain(self, user_row: int, item_rows: Any) -> list[Reason]:
        return [Reason(self.reason_kind, label=str(self._names[self._codes[i]])) for i in item_rows]

    def _category(self, path: str) -> str:
        segments = [s for s in path.split("/") if s]
        return "/".join(segments[: self.level] if self.level else segments)

    def _score_history(self, history: sparse.csr_matrix) -> Scores:
        membership = sparse.csr_matrix(
            (np.ones(self._codes.size), (np.arange(self._codes.size), self._codes)),
            shape=(self._codes.size, self._names.size),
        )
        return self._blend(np.asarray((history @ membership).todense(), dtype=np.float32))

    def _blend(self, share: npt.NDArray[np.float32]) -> Scores:
        totals = share.sum(axis=1, keepdims=True)
        share = np.divide(share, totals, out=np.zeros_like(share), where=totals > 0)
        # A small global term ranks the rest of the catalogue after the preferred categories.
        return np.asarray(share[:, self._codes] * self._popularity + 1e-3 * self._popularity)

    def _item_similarity(self, item_rows: npt.NDArray[np.int64]) -> Scores:
        same = self._codes[item_rows][:, None] == self._codes[None, :]
        return np.asarray(same * self._popularity + 1e-3 * self._popularity, dtype=np.float32)

    def _state(self) -> Arrays:
        return {"names": self._names, "codes": self._codes, "popularity": self._popularity}

    def _restore(self, arrays: Arrays, directory: Path) -> None:
        self._names, self._codes = arrays["names"], arrays["codes"]
        self._popularity = arrays["popularity"]


class SegmentPopularity(Recommender):
    """Items popular with the user's demographic segment, shrunk towards global popularity.

    Args:
        user_segments: segment key per user id (see :func:`nextbuy.recommend.coldstart.segment_of`).
        shrinkage: pseudo-users of global taste added to every segment, so a small segment's
            accidents do not dominate its list.
    """

    name = "popularity-segment"
    reason_kind = ReasonKind.POPULAR_IN_SEGMENT

    def __init__(
        self, user_segments: Mapping[str, str] | None = None, shrinkage: float = 20.0
    ) -> None:
        super().__init__()
        self.user_segments = dict(user_segments or {})
        self.shrinkage = shrinkage
        self._names = np.zeros(0, dtype=np.str_)
        self._user_codes = np.zeros(0, dtype=np.int64)
        self._table = np.zeros((0, 0), dtype=np.float32)
        self._global = np.zeros(0, dtype=np.float32)

    def params(self) -> dict[str, Any]:
        return {"shrinkage": self.shrinkage}

    def _fit(self, interactions: Interactions) -> None:
        keys = [self.user_segments.get(u, "") for u in self.users.ids]
        self._names, self._user_codes = _codes(keys)
        members = sparse.csr_matrix(
            (np.ones(self._user_codes.size), (self._user_codes, np.arange(self._user_codes.size))),
            shape=(self._names.size, self._user_codes.size),
        )
        counts = np.asarray((members @ (interactions.matrix > 0)).todense(), dtype=np.float32)
        sizes = np.asarray(members.sum(axis=1), dtype=np.float32)
        global_share = counts.sum(axis=0) / max(float(sizes.sum()), 1.0)
        self._table = (counts + self.shrinkage * global_share) / (sizes + self.shrinkage)
        self._global = global_share.astype(np.float32)

    def segment_scores(self, segment: str) -> Scores:
        """Scores for a segment key (cold start); an unknown segment gets global popularity."""
        match = np.flatnonzero(self._names == segment)
        row = self._table[match[0]] if match.size else self._global
        return np.asarray(row[None, :], dtype=np.float32)

    def explain(self, user_row: int, item_rows: Any) -> list[Reason]:
        label = str(self._names[self._user_codes[user_row]]) or "everyone"
        return [Reason(self.reason_kind, label=label) for _ in item_rows]

    def _score_users(self, user_rows: npt.NDArray[np.int64]) -> Scores:
        return np.asarray(self._table[self._user_codes[user_rows]], dtype=np.float32)

    def _score_history(self, history: sparse.csr_matrix) -> Scores:
        return np.tile(self._global, (history.shape[0], 1))

    def _item_similarity(self, item_rows: npt.NDArray[np.int64]) -> Scores:
        return np.tile(self._global, (item_rows.size, 1))

    def _state(self) -> Arrays:
        return {
            "names": self._names,
            "codes": self._user_codes,
            "table": self._table,
            "global": self._global,
        }

    def _restore(self, arrays: Arrays, directory: Path) -> None:
        self._names, self._user_codes = arrays["names"], arrays["codes"]
        self._table, self._global = arrays["table"], arrays["global"]
