"""Implicit-feedback matrix factorisation (Hu, Koren & Volinsky 2008) via ``implicit``'s CPU ALS.

``implicit`` is a maintained, multi-threaded Cython implementation; wrapping it keeps this package
to one interface while the heavy loop stays in compiled code. Histories the model was not fitted on
(a new user, a session) are folded in with one exact least-squares step against the item factors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from nextbuy.recommend._threads import single_threaded_blas
from nextbuy.recommend.artifacts import Arrays
from nextbuy.recommend.base import Recommender, Scores
from nextbuy.recommend.interactions import Interactions


class ALS(Recommender):
    """Alternating least squares on confidence-weighted implicit feedback.

    Args:
        factors: latent dimensions.
        regularization: L2 penalty on the factors.
        alpha: confidence scale: ``c = alpha · weight`` (``implicit``'s convention).
        iterations: ALS sweeps.
        random_state: seed of the initial factors (same seed, same model).
        threads: worker threads for ``implicit`` (0: every core).
    """

    name = "als"

    def __init__(
        self,
        factors: int = 64,
        regularization: float = 0.05,
        alpha: float = 1.0,
        iterations: int = 15,
        random_state: int = 42,
        threads: int = 0,
    ) -> None:
        super().__init__()
        self.factors, self.regularization, self.alpha = factors, regularization, alpha
        self.iterations, self.random_state, self.threads = iterations, random_state, threads
        self._user_factors = np.zeros((0, factors), dtype=np.float32)
        self._item_factors = np.zeros((0, factors), dtype=np.float32)
        self._unit_items: npt.NDArray[np.float32] | None = None

    def params(self) -> dict[str, Any]:
        return {
            "factors": self.factors,
            "regularization": self.regularization,
            "alpha": self.alpha,
            "iterations": self.iterations,
            "random_state": self.random_state,
            "threads": self.threads,
        }

    def _fit(self, interactions: Interactions) -> None:
        from implicit.cpu.als import AlternatingLeastSquares

        # implicit checks the BLAS thread pool when the model is built, so build it inside too.
        with single_threaded_blas():
            model = AlternatingLeastSquares(
                factors=self.factors,
                regularization=self.regularization,
                alpha=self.alpha,
                iterations=self.iterations,
                random_state=self.random_state,
                num_threads=self.threads,
            )
            model.fit(sparse.csr_matrix(interactions.matrix, dtype=np.float32), show_progress=False)
        self._user_factors = np.asarray(model.user_factors, dtype=np.float32)
        self._item_factors = np.asarray(model.item_factors, dtype=np.float32)
        self._unit_items = None

    def _score_users(self, user_rows: npt.NDArray[np.int64]) -> Scores:
        return np.asarray(self._user_factors[user_rows] @ self._item_factors.T, dtype=np.float32)

    def _score_history(self, history: sparse.csr_matrix) -> Scores:
        return np.asarray(self.fold_in(history) @ self._item_factors.T, dtype=np.float32)

    def fold_in(self, history: sparse.csr_matrix) -> npt.NDArray[np.float32]:
        """User factors for new histories: ``(YᵀCY + λI)⁻¹ YᵀCp`` with ``C = α·weight``."""
        items = self._item_factors.astype(np.float64)
        gram = items.T @ items + self.regularization * np.eye(self.factors)
        factors = np.zeros((history.shape[0], self.factors), dtype=np.float32)
        for row in range(history.shape[0]):
            cols = history.indices[history.indptr[row] : history.indptr[row + 1]]
            confidence = self.alpha * history.data[history.indptr[row] : history.indptr[row + 1]]
            if cols.size == 0:
                continue
            seen = items[cols]
            lhs = gram + (seen.T * (confidence - 1.0)) @ seen
            rhs = seen.T @ confidence
            factors[row] = np.linalg.solve(lhs, rhs)
        return factors

    def _item_similarity(self, item_rows: npt.NDArray[np.int64]) -> Scores:
        unit = self._unit_factors()
        return np.asarray(unit[item_rows] @ unit.T, dtype=np.float32)

    def _unit_factors(self) -> npt.NDArray[np.float32]:
        """Item factors scaled to unit length, once per fitted model (serving asks per request)."""
        if self._unit_items is None or self._unit_items.shape != self._item_factors.shape:
            norms = np.linalg.norm(self._item_factors, axis=1)
            scaled = self._item_factors / np.where(norms > 0, norms, 1.0)[:, None]
            self._unit_items = np.asarray(scaled, dtype=np.float32)
        return self._unit_items

    def _state(self) -> Arrays:
        return {"user_factors": self._user_factors, "item_factors": self._item_factors}

    def _restore(self, arrays: Arrays, directory: Path) -> None:
        self._user_factors = arrays["user_factors"]
        self._item_factors = arrays["item_factors"]
        self._unit_items = None
