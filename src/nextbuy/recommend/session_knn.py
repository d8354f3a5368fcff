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

from nextbuy.recommend.artifacts import Arrays
from nextbuy.recommend.base import Recommender, Scores
from nextbuy.recommend.interactions import Interactions
from nextbuy.recommend.norms import normalize
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
        # Sparse throughout: only sessions sharing an item with the current one have a
        # similarity, so a million stored sessions never become a dense row per visitor.
        similarity = sparse.csr_matrix(current @ self._sessions.T, dtype=np.float32)
        if own_rows is not None:
            similarity = sparse.csr_matrix(similarity.multiply(_not_self(similarity, own_rows)))
        nearest = _keep_top(similarity, self.neighbours)
        return np.asarray((nearest @ self._sessions).toarray(), dtype=np.float32)

    def _item_similarity(self, item_rows: npt.NDArray[np.int64]) -> Scores:
        columns = sparse.csc_matrix(self._sessions)
        together = columns[:, item_rows].T @ columns
        return np.asarray(normalize(together).toarray(), dtype=np.float32)

    def _state(self) -> Arrays:
        return {}

    def _restore(self, arrays: Arrays, directory: Path) -> None:
        self._sessions = self._prepare(self.history)


def _not_self(similarity: sparse.csr_matrix, own_rows: npt.NDArray[np.int64]) -> sparse.csr_matrix:
    """A 0/1 mask of ``similarity``'s entries that is 0 where a row meets its own session."""
    mask = similarity.copy()
    row_of = np.repeat(np.arange(mask.shape[0]), np.diff(mask.indptr))
    mask.data = (mask.indices != own_rows[row_of]).astype(np.float32)
    return sparse.csr_matrix(mask)


def _keep_top(similarity: sparse.csr_matrix, n: int) -> sparse.csr_matrix:
    """The ``n`` largest entries of each row (ties broken by the lower session row)."""
    similarity.eliminate_zeros()
    kept = similarity.copy()
    for row in range(kept.shape[0]):
        lo, hi = kept.indptr[row], kept.indptr[row + 1]
        if hi - lo > n:
            order = np.lexsort((kept.indices[lo:hi], -kept.data[lo:hi]))
            kept.data[lo:hi][order[n:]] = 0.0
    kept.eliminate_zeros()
    return kept
