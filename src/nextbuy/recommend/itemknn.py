"""Item-to-item collaborative filtering: weighted co-occurrence, normalised, top-N per item.

``similarity(i, j)`` is computed over user histories already weighted per event type (a purchase
counts more than a view) and optionally decayed by age, then normalised by cosine (popular items
do not become everyone's neighbour) or BM25 (heavy users count less, as in ``implicit``). Only the
``neighbours`` best of each item are kept, as a CSR matrix: memory grows with items × N, not items².
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy import sparse

from nextbuy.recommend.artifacts import Arrays, csr_arrays, csr_from_arrays
from nextbuy.recommend.base import Recommender, Scores
from nextbuy.recommend.events import decayed_matrix
from nextbuy.recommend.interactions import Interactions

Similarity = Literal["cosine", "bm25"]
#: Items whose similarity rows are computed at once: bounds the (block × items) product.
BLOCK_ITEMS = 2048
#: From this catalogue size on, ``implicit``'s compiled, multi-threaded ``all_pairs_knn`` keeps
#: the top N per item with a heap while it multiplies: the block path's per-row Python sort
#: over ~10⁴ co-occurring items per row took minutes at 100k items. Below it the exact block
#: path stays, so the small benchmarks keep their tie-breaking (lowest item row first) exactly.
COMPILED_FROM_ITEMS = 20_000


class ItemKNN(Recommender):
    """Item-based kNN over co-occurrence.

    Args:
        neighbours: similar items kept per item.
        similarity: ``"cosine"`` or ``"bm25"``.
        shrinkage: added to the cosine denominator, damping pairs seen by few users.
        half_life_days: decay the weight of old interactions (``None``: no decay).
        k1: BM25 term saturation (the default is ``implicit``'s ``BM25Recommender``'s).
        b: BM25 length normalisation (likewise).
    """

    name = "item-knn"

    def __init__(
        self,
        neighbours: int = 100,
        similarity: Similarity = "cosine",
        shrinkage: float = 0.0,
        half_life_days: float | None = None,
        k1: float = 1.2,
        b: float = 0.75,
    ) -> None:
        super().__init__()
        if similarity not in ("cosine", "bm25"):
            raise ValueError(f"unknown similarity {similarity!r}")
        self.neighbours, self.similarity, self.shrinkage = neighbours, similarity, shrinkage
        self.half_life_days, self.k1, self.b = half_life_days, k1, b
        self._similar = sparse.csr_matrix((0, 0), dtype=np.float32)

    def params(self) -> dict[str, Any]:
        return {
            "neighbours": self.neighbours,
            "similarity": self.similarity,
            "shrinkage": self.shrinkage,
            "half_life_days": self.half_life_days,
            "k1": self.k1,
            "b": self.b,
        }

    @property
    def neighbour_matrix(self) -> sparse.csr_matrix:
        """Row ``i`` holds the kept neighbours of item ``i`` and their similarities."""
        return self._similar

    def _fit(self, interactions: Interactions) -> None:
        matrix = interactions.matrix
        if self.half_life_days is not None:
            matrix = decayed_matrix(interactions, self.half_life_days)
        matrix = sparse.csr_matrix(matrix, dtype=np.float32)
        left, right = self._operands(matrix)
        if self.shrinkage == 0 and matrix.shape[1] >= COMPILED_FROM_ITEMS:
            self._similar = _compiled_top_n(right, self.neighbours)
            return
        blocks = [
            _top_n_rows(self._block(left, right, start), self.neighbours, start)
            for start in range(0, matrix.shape[1], BLOCK_ITEMS)
        ]
        n = matrix.shape[1]
        self._similar = (
            sparse.csr_matrix(sparse.vstack(blocks))
            if blocks
            else sparse.csr_matrix((n, n), dtype=np.float32)
        )

    def _operands(self, matrix: sparse.csr_matrix) -> tuple[sparse.csc_matrix, sparse.csr_matrix]:
        """(left, right) with ``similarity = left.T @ right`` before the cosine shrinkage."""
        if self.similarity == "bm25":
            # Both sides weighted, as implicit's BM25Recommender does (same figures to 1e-6).
            weighted = bm25_weight(matrix, self.k1, self.b)
            return sparse.csc_matrix(weighted), weighted
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=0)).ravel())
        self._norms = norms
        inverse = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
        scaled = sparse.csr_matrix(matrix @ sparse.diags(inverse.astype(np.float32)))
        return sparse.csc_matrix(scaled), scaled

    def _block(self, left: sparse.csc_matrix, right: sparse.csr_matrix, start: int) -> Any:
        stop = min(start + BLOCK_ITEMS, left.shape[1])
        block = sparse.csr_matrix(left[:, start:stop].T @ right)
        if self.similarity == "cosine" and self.shrinkage > 0:
            # cos·|i||j| / (|i||j| + shrink): the raw dot product over a damped denominator.
            norms = self._norms
            outer = norms[start:stop][block.nonzero()[0]] * norms[block.indices]
            block.data = block.data * outer / (outer + self.shrinkage)
        return block

    def _score_history(self, history: sparse.csr_matrix) -> Scores:
        return np.asarray((history @ self._similar).toarray(), dtype=np.float32)

    def _item_similarity(self, item_rows: npt.NDArray[np.int64]) -> Scores:
        return np.asarray(self._similar[item_rows].toarray(), dtype=np.float32)

    def _state(self) -> Arrays:
        return csr_arrays("similar", self._similar)

    def _restore(self, arrays: Arrays, directory: Path) -> None:
        self._similar = csr_from_arrays("similar", arrays)


def bm25_weight(matrix: sparse.csr_matrix, k1: float = 1.2, b: float = 0.75) -> sparse.csr_matrix:
    """BM25-weight a user × item matrix: users are the "terms", items the "documents"."""
    weighted = sparse.csc_matrix(matrix, dtype=np.float32, copy=True)
    n_items = max(matrix.shape[1], 1)
    user_degree = np.diff(matrix.indptr)
    idf = np.log(n_items) - np.log1p(user_degree)
    item_length = np.asarray(weighted.sum(axis=0), dtype=np.float32).ravel()  # total weight
    length_norm = (1.0 - b) + b * item_length / max(float(item_length.mean()), 1e-9)
    rows = weighted.indices
    columns = np.repeat(np.arange(weighted.shape[1]), np.diff(weighted.indptr))
    weighted.data = (
        weighted.data * (k1 + 1.0) / (k1 * length_norm[columns] + weighted.data) * idf[rows]
    ).astype(np.float32)
    return sparse.csr_matrix(weighted)


def _compiled_top_n(right: sparse.csr_matrix, n: int) -> sparse.csr_matrix:
    """Top ``n`` of every row of ``rightᵀ · right`` without the diagonal, via ``implicit``."""
    from implicit.nearest_neighbours import all_pairs_knn

    # One more than wanted: the item itself is usually among the best, and is dropped below.
    found = all_pairs_knn(
        sparse.csr_matrix(right, dtype=np.float64), n + 1, num_threads=0, show_progress=False
    )
    return _top_n_rows(sparse.csr_matrix(found), n, 0)


def _top_n_rows(block: sparse.csr_matrix, n: int, offset: int) -> sparse.csr_matrix:
    """Keep the ``n`` largest entries of each row, dropping the diagonal (no self-neighbour)."""
    block = sparse.csr_matrix(block, dtype=np.float32)
    row_of = np.repeat(np.arange(block.shape[0]), np.diff(block.indptr))
    block.data[row_of + offset == block.indices] = 0
    block.eliminate_zeros()
    data, indices, indptr = [], [], [0]
    for row in range(block.shape[0]):
        lo, hi = block.indptr[row], block.indptr[row + 1]
        values, columns = block.data[lo:hi], block.indices[lo:hi]
        order = np.lexsort((columns, -values))[:n]
        data.append(values[order])
        indices.append(columns[order])
        indptr.append(indptr[-1] + order.size)
    return sparse.csr_matrix(
        (
            np.concatenate(data or [np.zeros(0)]),
            np.concatenate(indices or [np.zeros(0, int)]),
            np.asarray(indptr),
        ),
        shape=block.shape,
        dtype=np.float32,
    )
