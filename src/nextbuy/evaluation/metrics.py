"""Ranking metrics over top-k lists with binary relevance.

``ranked`` is a (users × k) array of item rows (``-1`` pads a short list); ``relevant[u]`` the
item rows user ``u`` actually touched in the test period. Users with nothing relevant are left
out of every mean (they cannot be scored). Definitions follow the common literature:

- Precision@k = hits / k; Recall@k = hits / |R|; HitRate@k = 1 if any hit.
- NDCG@k = Σ 1/log2(rank + 1) over hits, divided by the same sum for min(k, |R|) hits.
- MAP@k = mean over users of (1 / min(k, |R|)) · Σ_{hits at rank r} Precision@r.
- MRR = mean of 1 / rank of the first hit within the k (0 without a hit).
- Coverage = distinct items recommended / items in the catalogue.
- Novelty = mean self-information −log2(popularity share) of the recommended items.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

Ranked = npt.NDArray[np.int64]
Relevant = Sequence[npt.NDArray[np.int64]]


def hits_matrix(ranked: Ranked, relevant: Relevant) -> npt.NDArray[np.bool_]:
    """``hits[u, r]``: the item at rank r of user u is relevant."""
    hits = np.zeros(ranked.shape, dtype=bool)
    for user, truth in enumerate(relevant):
        hits[user] = np.isin(ranked[user], truth) & (ranked[user] >= 0)
    return hits


def _scored(relevant: Relevant) -> npt.NDArray[np.bool_]:
    return np.array([truth.size > 0 for truth in relevant], dtype=bool)


def _mean(values: npt.NDArray[np.float64], relevant: Relevant) -> float:
    mask = _scored(relevant)
    return float(values[mask].mean()) if mask.any() else 0.0


def precision_at_k(ranked: Ranked, relevant: Relevant, k: int) -> float:
    """Mean share of the top k that is relevant (a short list still divides by k)."""
    hits = hits_matrix(ranked[:, :k], relevant)
    return _mean(np.asarray(hits.sum(axis=1) / k, dtype=np.float64), relevant)


def recall_at_k(ranked: Ranked, relevant: Relevant, k: int) -> float:
    """Mean share of each user's relevant items found in the top k."""
    hits = hits_matrix(ranked[:, :k], relevant).sum(axis=1)
    sizes = np.array([max(truth.size, 1) for truth in relevant])
    return _mean(hits / sizes, relevant)


def hit_rate_at_k(ranked: Ranked, relevant: Relevant, k: int) -> float:
    """Share of users with at least one relevant item in the top k."""
    hits = hits_matrix(ranked[:, :k], relevant)
    return _mean(np.asarray(hits.any(axis=1), dtype=np.float64), relevant)


def ndcg_at_k(ranked: Ranked, relevant: Relevant, k: int) -> float:
    """Mean normalised discounted cumulative gain with binary gains."""
    hits = hits_matrix(ranked[:, :k], relevant)
    discounts = 1.0 / np.log2(np.arange(2, hits.shape[1] + 2))
    dcg = (hits * discounts).sum(axis=1)
    ideal_counts = np.array([min(k, truth.size) for truth in relevant])
    ideal = np.concatenate([[0.0], np.cumsum(1.0 / np.log2(np.arange(2, k + 2)))])[ideal_counts]
    return _mean(np.divide(dcg, ideal, out=np.zeros_like(dcg), where=ideal > 0), relevant)


def map_at_k(ranked: Ranked, relevant: Relevant, k: int) -> float:
    """Mean average precision, normalised by min(k, |R|)."""
    hits = hits_matrix(ranked[:, :k], relevant)
    precision_at_rank = np.cumsum(hits, axis=1) / np.arange(1, hits.shape[1] + 1)
    summed = (precision_at_rank * hits).sum(axis=1)
    norms = np.array([max(min(k, truth.size), 1) for truth in relevant])
    return _mean(summed / norms, relevant)


def mrr(ranked: Ranked, relevant: Relevant, k: int) -> float:
    """Mean reciprocal rank of the first relevant item in the top k."""
    hits = hits_matrix(ranked[:, :k], relevant)
    first = np.argmax(hits, axis=1)
    reciprocal = np.where(hits.any(axis=1), 1.0 / (first + 1), 0.0)
    return _mean(reciprocal, relevant)


def coverage(ranked: Ranked, n_items: int) -> float:
    """Share of the catalogue that appears in at least one list."""
    shown = np.unique(ranked[ranked >= 0])
    return float(shown.size / n_items) if n_items else 0.0


def novelty(ranked: Ranked, item_users: npt.NDArray[np.float64], n_users: int) -> float:
    """Mean −log2(share of training users who touched the item) over recommended items.

    An item nobody touched counts as touched by one user (the most novel possible).
    """
    shown = ranked[ranked >= 0]
    if shown.size == 0 or n_users == 0:
        return 0.0
    share = np.maximum(item_users[shown], 1.0) / n_users
    return float(np.mean(-np.log2(share)))
