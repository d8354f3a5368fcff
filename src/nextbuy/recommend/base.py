"""The one interface every algorithm implements: fit, recommend, similar_items, save, load.

Rows, not ids: like ``implicit``, a model speaks in user and item rows of the matrix it was fitted
on, and keeps the :class:`IdIndex` of each so callers can translate. A model keeps its training
history, so it can recommend for a stored user, and ``recommend_history`` serves a history it has
never seen (a new user, an anonymous session) without refitting.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar, Self, TypeVar

import numpy as np
import numpy.typing as npt
from scipy import sparse

from nextbuy.recommend._ranking import ExcludeLike, Recommendations, exclusion_matrix, top_k
from nextbuy.recommend.artifacts import (
    Arrays,
    csr_arrays,
    csr_from_arrays,
    read_artifact,
    write_artifact,
)
from nextbuy.recommend.errors import NotFittedError
from nextbuy.recommend.interactions import IdIndex, Interactions
from nextbuy.recommend.reasons import Reason, ReasonKind

_T = TypeVar("_T")
Scores = npt.NDArray[np.float32]
#: Rows scored at once: bounds the dense (batch × items) score matrix.
BATCH_ROWS = 1024


class Recommender(ABC):
    """Base class of every algorithm; subclasses implement the ``_``-prefixed hooks."""

    name: ClassVar[str]
    reason_kind: ClassVar[ReasonKind] = ReasonKind.SIMILAR_TO

    def __init__(self) -> None:
        self._users: IdIndex | None = None
        self._items: IdIndex | None = None
        self._history: sparse.csr_matrix | None = None

    # -- public API ---------------------------------------------------------------------------
    def fit(self, interactions: Interactions) -> Self:
        """Learn from a weighted user × item matrix (see :func:`build_interactions`).

        Args:
            interactions: the weighted matrix with its user and item indexes; event-type weights
                and decay were applied when it was built.

        Returns:
            The fitted model itself, so ``Model(...).fit(x)`` reads naturally.
        """
        self._users, self._items = interactions.users, interactions.items
        self._history = sparse.csr_matrix(interactions.matrix, dtype=np.float32)
        self._fit(interactions)
        return self

    def recommend(
        self,
        user_rows: Sequence[int] | npt.NDArray[np.int64],
        k: int = 10,
        exclude: ExcludeLike = None,
    ) -> Recommendations:
        """The top ``k`` items for each of a batch of fitted users.

        Args:
            user_rows: rows of users in the fitted matrix.
            k: list length; shorter lists are padded with ``-1``.
            exclude: items never to return, one row (or index array) per user in ``user_rows``;
                pass ``model.history[user_rows]`` to drop what each user already has.
        """
        rows = np.asarray(user_rows, dtype=np.int64)
        return self._ranked(rows, k, exclude, self._score_users)

    def recommend_history(
        self, history: sparse.spmatrix, k: int = 10, exclude: ExcludeLike = None
    ) -> Recommendations:
        """The top ``k`` items for histories the model was not fitted on (rows × fitted items).

        Args:
            history: weighted interactions, one row per visitor, columns as the fitted items.
            k: list length.
            exclude: as in :meth:`recommend`, one row per history row.
        """
        matrix = sparse.csr_matrix(history, dtype=np.float32)
        rows = np.arange(matrix.shape[0], dtype=np.int64)
        return self._ranked(rows, k, exclude, lambda chunk: self._score_history(matrix[chunk]))

    def similar_items(
        self, item_rows: Sequence[int] | npt.NDArray[np.int64], k: int = 10
    ) -> Recommendations:
        """The ``k`` items most similar to each of ``item_rows`` (never the item itself).

        Args:
            item_rows: rows of items in the fitted matrix.
            k: list length.
        """
        rows = np.asarray(item_rows, dtype=np.int64)
        itself = [np.array([row]) for row in rows.tolist()]
        return self._ranked(rows, k, itself, self._item_similarity)

    def recommend_scores(self, user_rows: Sequence[int] | npt.NDArray[np.int64]) -> Scores:
        """Raw dense scores (users × items) before exclusion and ranking (for blending)."""
        return self._score_users(np.asarray(user_rows, dtype=np.int64))

    def history_scores(self, history: sparse.spmatrix) -> Scores:
        """Raw dense scores for unseen histories (see :meth:`recommend_history`)."""
        return self._score_history(sparse.csr_matrix(history, dtype=np.float32))

    def similarity_scores(self, item_rows: Sequence[int] | npt.NDArray[np.int64]) -> Scores:
        """Raw dense similarities (items × items) behind :meth:`similar_items`."""
        return self._item_similarity(np.asarray(item_rows, dtype=np.int64))

    def explain(self, user_row: int, item_rows: Sequence[int]) -> list[Reason]:
        """A reason per recommended item: the user's history item most similar to it."""
        history = self.history[user_row]
        if history.nnz == 0:
            return [Reason(ReasonKind.POPULAR) for _ in item_rows]
        seeds = history.indices.astype(np.int64)
        affinity = self._item_similarity(seeds)[:, np.asarray(item_rows, dtype=np.int64)]
        affinity = affinity * history.data[:, None]
        anchors = seeds[np.argmax(affinity, axis=0)] if len(item_rows) else []
        return [Reason(self.reason_kind, item=int(anchor)) for anchor in anchors]

    @property
    def users(self) -> IdIndex:
        return _fitted(self._users)

    @property
    def items(self) -> IdIndex:
        return _fitted(self._items)

    @property
    def history(self) -> sparse.csr_matrix:
        return _fitted(self._history)

    # -- persistence --------------------------------------------------------------------------
    def params(self) -> dict[str, Any]:
        """The JSON-serialisable constructor arguments (saved in the manifest)."""
        return {}

    def save(self, directory: Path) -> None:
        """Write the model to ``directory`` as ``arrays.npz`` + ``manifest.json``."""
        arrays: Arrays = {
            "users": np.asarray(self.users.ids, dtype=np.str_),
            "items": np.asarray(self.items.ids, dtype=np.str_),
            **csr_arrays("history", self.history),
            **self._state(),
        }
        write_artifact(directory, algorithm=self.name, params=self.params(), arrays=arrays)
        self._save_parts(directory)

    @classmethod
    def load(cls, directory: Path) -> Self:
        """Read a model written by :meth:`save`; refuses another algorithm or format version."""
        artifact = read_artifact(directory, algorithm=cls.name)
        model = cls(**artifact.params)
        arrays = artifact.arrays
        model._users = IdIndex(tuple(arrays["users"].tolist()))
        model._items = IdIndex(tuple(arrays["items"].tolist()))
        model._history = csr_from_arrays("history", arrays).astype(np.float32)
        model._restore(arrays, directory)
        return model

    # -- hooks --------------------------------------------------------------------------------
    @abstractmethod
    def _fit(self, interactions: Interactions) -> None:
        """Learn the model state from the (already stored) history."""

    @abstractmethod
    def _score_history(self, history: sparse.csr_matrix) -> Scores:
        """Dense scores (rows × items) for arbitrary histories."""

    @abstractmethod
    def _item_similarity(self, item_rows: npt.NDArray[np.int64]) -> Scores:
        """Dense similarities (len(item_rows) × items)."""

    def _score_users(self, user_rows: npt.NDArray[np.int64]) -> Scores:
        return self._score_history(self.history[user_rows])

    def _state(self) -> Arrays:
        return {}

    def _restore(self, arrays: Arrays, directory: Path) -> None:  # noqa: B027 (optional hook)
        """Rebuild the fitted state from saved arrays (and, for composites, sub-folders)."""

    def _save_parts(self, directory: Path) -> None:  # noqa: B027 (optional hook)
        """Save sub-models into sub-folders (composites only)."""

    def _ranked(
        self,
        rows: npt.NDArray[np.int64],
        k: int,
        exclude: ExcludeLike,
        score: Callable[[npt.NDArray[np.int64]], Scores],
    ) -> Recommendations:
        excluded = exclusion_matrix(exclude, rows.size, len(self.items))
        parts = []
        for start in range(0, max(rows.size, 1), BATCH_ROWS):
            chunk = np.arange(start, min(start + BATCH_ROWS, rows.size))
            block = excluded[chunk] if excluded is not None else None
            parts.append(top_k(score(rows[chunk]), k, block))
        return Recommendations(
            np.concatenate([p.items for p in parts]), np.concatenate([p.scores for p in parts])
        )


def _fitted(value: _T | None) -> _T:
    if value is None:
        raise NotFittedError("call fit() or load() first")
    return value
