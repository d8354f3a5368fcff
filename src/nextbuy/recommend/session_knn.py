"""Session-based kNN (Jannach & Ludewig, 2017) for anonymous visitors.

Given only the products seen in the current session, find the past sessions most similar to it
(cosine over binary item sets) and score items by how strongly those sessions featured them. No
login, no profile, nothing to fit but the sessions themselves.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.preprocessing import normalize

from nextbuy.recommend.artifacts import Arrays
from nextbuy.recommend.base import Recommender, Scores
from nextbuy.recommend.interactions import Interactions
from nextbuy.recommend.reasons import ReasonKind


class SessionKNN(Recommender):
    """Session kNN: the fitted "users" are past sessions (or users, treated as one session).

    Args:
        neighbours: most similar past sessions that vote for the next item.
        binary: compare sessions as item sets (True) or by their event weights.
    """

    name = "session-knn"
    reason_kind = ReasonKind.SESSION

    def __init__(self, neighbours: int = 100, binary: bool = True) -> None:
        super().__init__()
        self.neighbours, self.binary = neighbours, binary
        self._sessions = sparse.csr_matrix((0, 0), dtype=np.float32)

    def params(self) -> dict[str, Any]:
        return {"neighbours": self.neighbours, "binary": self.binary}

    def recommend_session(self, item_rows: npt.NDArray[np.int64], k: int = 10) -> Any:
        """The next items for one anonymous session, given the item rows it has seen."""
        seen = np.unique(np.asarray(item_rows, dtype=np.int64))
        row = sparse.csr_matrix(
            (np.ones(seen.size, np.float32), (np.zeros(seen.size, np.int64), seen)),
            shape=(1, len(self.items)),
        )
        return self.recommend_history(row, k, exclude=[seen])

    def _fit(self, interactions: Interactions) -> None:
        self._sessions = self._prepare(interactions.matrix)

    def _prepare(self, matrix: sparse.spmatrix) -> sparse.csr_matrix:
        matrix = sparse.csr_matrix(matrix, dtype=np.float32, copy=True)
        if self.binary:
            matrix.data = np.ones_like(matrix.data)
        return sparse.csr_matrix(normalize(matrix))

    def _score_users(self, user_rows: npt.NDArray[np.int64]) -> Scores:
        # A stored session must not vote for itself: its own items are not a neighbour's signal.
        return self._vote(self._prepare(self.history[user_rows]), own_rows=user_rows)

    def _score_history(self, history: sparse.csr_matrix) -> Scores:
        return self._vote(self._prepare(history), own_rows=None)

    def _vote(self, current: sparse.csr_matrix, own_rows: npt.NDArray[np.int64] | None) -> Scores:
        similarity = np.asarray((current @ self._sessions.T).toarray(), dtype=np.float32)
        if own_rows is not None:
            similarity[np.arange(own_rows.size), own_rows] = 0.0
        if self.neighbours < similarity.shape[1]:
            cut = np.argpartition(-similarity, self.neighbours - 1, axis=1)[:, self.neighbours :]
            np.put_along_axis(similarity, cut, 0.0, axis=1)
        votes = sparse.csr_matrix(similarity) @ self._sessions
        return np.asarray(votes.toarray(), dtype=np.float32)

    def _item_similarity(self, item_rows: npt.NDArray[np.int64]) -> Scores:
        columns = sparse.csc_matrix(self._sessions)
        together = columns[:, item_rows].T @ columns
        return np.asarray(normalize(together).toarray(), dtype=np.float32)

    def _state(self) -> Arrays:
        return {}

    def _restore(self, arrays: Arrays, directory: Path) -> None:
        self._sessions = self._prepare(self.history)
