"""A validation split carved from training data, and the NDCG@k used to choose blend weights.

Kept private and minimal on purpose: :mod:`nextbuy.evaluation` is the tested, complete metrics
package; an algorithm that tunes itself needs only this much and must not depend on it.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import sparse

from nextbuy.recommend.interactions import IdIndex, Interactions


def holdout(
    interactions: Interactions, fraction: float, seed: int
) -> tuple[Interactions, sparse.csr_matrix]:
    """Hide a random ``fraction`` of each user's items (at least one when they have two)."""
    matrix = sparse.csr_matrix(interactions.matrix)
    matrix.sort_indices()
    lengths = np.diff(matrix.indptr)
    rows = np.repeat(np.arange(matrix.shape[0]), lengths)
    keys = np.random.default_rng(seed).random(matrix.nnz)
    order = np.lexsort((keys, rows))
    rank = np.empty(matrix.nnz, dtype=np.int64)
    rank[order] = np.arange(matrix.nnz) - np.repeat(matrix.indptr[:-1], lengths)
    quota = np.where(lengths >= 2, np.maximum(1, np.round(fraction * lengths)), 0)
    held = rank < quota[rows]
    kept = matrix.copy()
    kept.data = np.where(held, 0.0, kept.data)
    kept.eliminate_zeros()
    hidden = matrix.copy()
    hidden.data = np.where(held, hidden.data, 0.0)
    hidden.eliminate_zeros()
    return interactions.with_matrix(kept), sparse.csr_matrix(hidden)


def user_subset(interactions: Interactions, rows: npt.NDArray[np.int64]) -> Interactions:
    """Only the given user rows (sorted), every item kept."""
    times = interactions.times
    return Interactions(
        sparse.csr_matrix(interactions.matrix[rows]),
        IdIndex(tuple(interactions.users.ids[row] for row in rows.tolist())),
        interactions.items,
        None if times is None else sparse.csr_matrix(times[rows]),
    )


def ndcg_at_k(top_items: npt.NDArray[np.int64], relevant: sparse.csr_matrix) -> float:
    """Mean binary NDCG@k over the rows that have at least one relevant item."""
    k = top_items.shape[1]
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    scores = []
    for row in range(top_items.shape[0]):
        truth = relevant.indices[relevant.indptr[row] : relevant.indptr[row + 1]]
        if truth.size == 0:
            continue
        gains = np.isin(top_items[row], truth) & (top_items[row] >= 0)
        ideal = discounts[: min(k, truth.size)].sum()
        scores.append(float((gains * discounts).sum() / ideal))
    return float(np.mean(scores)) if scores else 0.0
