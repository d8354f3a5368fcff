"""EASE (Steck, 2019): a closed-form item-item linear model, for catalogues that fit in memory.

``B = I − P · diag(1 / diag(P))`` with ``P = (XᵀX + λI)⁻¹``: one dense items × items inverse, so
time grows with items³ and memory with items². ``max_items`` refuses catalogues where that would
not fit rather than swapping the machine to death.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import linalg, sparse

from nextbuy.recommend.artifacts import Arrays
from nextbuy.recommend.base import Recommender, Scores
from nextbuy.recommend.errors import RecommendError
from nextbuy.recommend.interactions import Interactions


class EASE(Recommender):
    """Embarrassingly shallow autoencoder.

    Args:
        regularization: λ on the Gram matrix diagonal; larger favours popular items less sharply.
        max_items: refuse to fit above this many items (memory ≈ 8 · items² bytes while fitting).
        binary: fit on 0/1 interactions instead of their weights.
    """

    name = "ease"

    def __init__(
        self, regularization: float = 300.0, max_items: int = 30_000, binary: bool = False
    ) -> None:
        super().__init__()
        if regularization <= 0:
            raise ValueError("regularization must be positive")
        self.regularization, self.max_items, self.binary = regularization, max_items, binary
        self._weights = np.zeros((0, 0), dtype=np.float32)

    def params(self) -> dict[str, Any]:
        return {
            "regularization": self.regularization,
            "max_items": self.max_items,
            "binary": self.binary,
        }

    def _fit(self, interactions: Interactions) -> None:
        n_items = interactions.matrix.shape[1]
        if n_items > self.max_items:
            raise RecommendError(
                f"EASE needs a dense {n_items}² matrix; raise max_items or use item-knn"
            )
        matrix = sparse.csr_matrix(interactions.matrix, dtype=np.float64)
        if self.binary:
            matrix.data = np.ones_like(matrix.data)
        gram = np.asarray((matrix.T @ matrix).toarray(), dtype=np.float64)
        gram[np.diag_indices(n_items)] += self.regularization
        # λ > 0 keeps the Gram matrix positive definite, so the inverse always exists.
        precision = linalg.inv(gram, overwrite_a=True, check_finite=False)
        weights = precision / -np.diag(precision)
        weights[np.diag_indices(n_items)] = 0.0
        self._weights = weights.astype(np.float32)

    def _score_history(self, history: sparse.csr_matrix) -> Scores:
        return np.asarray(history @ self._weights, dtype=np.float32)

    def _item_similarity(self, item_rows: npt.NDArray[np.int64]) -> Scores:
        return np.asarray(self._weights[item_rows], dtype=np.float32)

    def _state(self) -> Arrays:
        return {"weights": self._weights}

    def _restore(self, arrays: Arrays, directory: Path) -> None:
        self._weights = arrays["weights"].astype(np.float32)
