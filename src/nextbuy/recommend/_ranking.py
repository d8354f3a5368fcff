"""Top-k selection with per-row exclusions: the one place every algorithm's scores are ranked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
from scipy import sparse

from nextbuy.recommend.interactions import IdIndex

#: Per-row items to exclude: a CSR matrix (rows × items, any non-zero excludes) or index arrays.
ExcludeLike: TypeAlias = "sparse.spmatrix | Sequence[npt.NDArray[np.int64]] | None"


@dataclass(frozen=True)
class Recommendations:
    """Ranked lists: ``items[r]`` holds item rows best first, ``-1`` padding short lists."""

    items: npt.NDArray[np.int64]
    scores: npt.NDArray[np.float32]

    def row(self, position: int) -> list[tuple[int, float]]:
        """The (item row, score) pairs of one list, without padding."""
        valid = self.items[position] >= 0
        return list(
            zip(
                self.items[position][valid].tolist(),
                self.scores[position][valid].tolist(),
                strict=True,
            )
        )

    def ids(self, items: IdIndex) -> list[list[str]]:
        """Every list as external item ids."""
        return [[items.ids[i] for i in row.tolist() if i >= 0] for row in self.items]


def exclusion_matrix(exclude: ExcludeLike, n_rows: int, n_items: int) -> sparse.csr_matrix | None:
    """Normalise any :data:`ExcludeLike` to a boolean-ish CSR matrix of shape (rows, items)."""
    if exclude is None:
        return None
    if sparse.issparse(exclude):
        matrix = sparse.csr_matrix(exclude)
    else:
        lists = [np.asarray(row, dtype=np.int64) for row in exclude]
        lengths = [row.size for row in lists]
        indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        indices = np.concatenate(lists) if lists else np.zeros(0, dtype=np.int64)
        data = np.ones(indices.size, dtype=np.float32)
        matrix = sparse.csr_matrix((data, indices, indptr), shape=(len(lists), n_items))
    if matrix.shape != (n_rows, n_items):
        raise ValueError(f"exclude has shape {matrix.shape}, expected {(n_rows, n_items)}")
    return matrix


def top_k(
    scores: npt.NDArray[np.floating], k: int, exclude: sparse.csr_matrix | None = None
) -> Recommendations:
    """The ``k`` best columns of every row of a dense score matrix, skipping excluded ones.

    Items scored ``-inf`` or NaN are never returned. Within a list, equal scores are ordered by
    item row; the selection itself is deterministic, so equal inputs always give equal lists.
    """
    scores = np.array(scores, dtype=np.float32, copy=True)
    scores[np.isnan(scores)] = -np.inf
    if exclude is not None and exclude.nnz:
        rows, cols = exclude.nonzero()
        scores[rows, cols] = -np.inf
    n_rows, n_items = scores.shape
    k = max(0, min(k, n_items))
    items = np.full((n_rows, k), -1, dtype=np.int64)
    best = np.zeros((n_rows, k), dtype=np.float32)
    if k == 0:
        return Recommendations(items, best)
    candidates = np.argpartition(-scores, k - 1, axis=1)[:, :k] if k < n_items else None
    for row in range(n_rows):
        columns = candidates[row] if candidates is not None else np.arange(n_items)
        order = np.lexsort((columns, -scores[row, columns]))
        chosen = columns[order]
        chosen = chosen[np.isfinite(scores[row, chosen])]
        items[row, : chosen.size] = chosen
        best[row, : chosen.size] = scores[row, chosen]
    return Recommendations(items, best)
