"""Co-purchase neighbours: items bought by the same users (or in the same order), top-N per item.

``similarity(i, j) = users(i ∩ j) / sqrt(users(i) · users(j))`` over binarised histories, so a
best-seller does not become everyone's neighbour just by being common. Fitted on baskets instead
of users (:func:`basket_interactions`), the same measure is "frequently bought together".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from nextbuy.recommend.interactions import Interactions
from nextbuy.recommend.itemknn import ItemKNN
from nextbuy.recommend.reasons import ReasonKind


@dataclass(frozen=True)
class CoPurchaseNeighbours:
    """The ``top_n`` most similar items of every item, as two dense (items × top_n) arrays.

    ``neighbours[i]`` holds item rows (−1 pads short lists) and ``similarities[i]`` their cosine.
    """

    neighbours: npt.NDArray[np.int64]
    similarities: npt.NDArray[np.float32]

    @classmethod
    def fit(cls, interactions: Interactions, *, top_n: int = 50) -> CoPurchaseNeighbours:
        """Compute item-item cosine over binarised user histories and keep the top ``top_n``."""
        binary = (interactions.matrix > 0).astype(np.float64)
        cooccurrence = sparse.csr_matrix(binary.T @ binary)
        norms = np.sqrt(cooccurrence.diagonal())
        cooccurrence.setdiag(0)
        cooccurrence.eliminate_zeros()
        cosine = _scale_rows_and_columns(cooccurrence, _safe_inverse(norms))
        return cls(*_top_n_per_row(cosine, top_n))

    @property
    def item_count(self) -> int:
        return int(self.neighbours.shape[0])

    def of(self, item: int) -> list[tuple[int, float]]:
        """The neighbours of one item row, most similar first."""
        row = self.neighbours[item]
        valid = row >= 0
        return list(zip(row[valid].tolist(), self.similarities[item][valid].tolist(), strict=True))

    def score(self, seed_items: npt.NDArray[np.int64]) -> dict[int, tuple[float, int]]:
        """Sum neighbour similarities over ``seed_items``; keep which seed contributed most.

        Returns ``{item: (score, strongest_seed)}``: the seed is the item behind the reason
        ("bought together with X").
        """
        scores: dict[int, tuple[float, int]] = {}
        best: dict[int, float] = {}
        for seed in seed_items.tolist():
            for item, similarity in self.of(seed):
                total, strongest = scores.get(item, (0.0, seed))
                if similarity > best.get(item, -1.0):
                    best[item], strongest = similarity, seed
                scores[item] = (total + similarity, strongest)
        return scores


class FrequentlyBoughtTogether(ItemKNN):
    """Item-kNN fitted on orders: two products are neighbours when they share baskets.

    Fit it on :func:`basket_interactions`; recommend for a cart with ``recommend_history``.
    Takes the parameters of :class:`~nextbuy.recommend.itemknn.ItemKNN`.
    """

    name = "bought-together"
    reason_kind = ReasonKind.BOUGHT_TOGETHER


def basket_interactions(order_ids: Sequence[str], product_ids: Sequence[str]) -> Interactions:
    """Order × product interactions from order lines: one row per basket, each product once."""
    baskets = Interactions.from_triples(order_ids, product_ids)
    return baskets.with_matrix(sparse.csr_matrix(baskets.matrix > 0, dtype=np.float64))


def _safe_inverse(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    inverse = np.zeros_like(values)
    nonzero = values > 0
    inverse[nonzero] = 1.0 / values[nonzero]
    return inverse


def _scale_rows_and_columns(
    matrix: sparse.csr_matrix, factors: npt.NDArray[np.float64]
) -> sparse.csr_matrix:
    scale = sparse.diags(factors)
    return sparse.csr_matrix(scale @ matrix @ scale)


def _top_n_per_row(
    matrix: sparse.csr_matrix, top_n: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    n_items = matrix.shape[0]
    neighbours = np.full((n_items, top_n), -1, dtype=np.int64)
    similarities = np.zeros((n_items, top_n), dtype=np.float32)
    for row in range(n_items):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        columns, values = matrix.indices[start:end], matrix.data[start:end]
        if columns.size == 0:
            continue
        # Sort by similarity descending, then by column for a deterministic order among ties.
        order = np.lexsort((columns, -values))[:top_n]
        neighbours[row, : order.size] = columns[order]
        similarities[row, : order.size] = values[order]
    return neighbours, similarities
