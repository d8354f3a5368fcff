"""``implicit``'s own models as baselines: ALS, BPR and item-kNN, run exactly as shipped.

They are scored through ``implicit``'s ``recommend`` (with its own filtering of already-liked
items), not through Nextbuy's ranking, so a comparison measures their library, not our wrapper.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from nextbuy.recommend._ranking import ExcludeLike, Recommendations, exclusion_matrix
from nextbuy.recommend._threads import single_threaded_blas
from nextbuy.recommend.interactions import Interactions


class ImplicitBaseline:
    """One ``implicit`` model behind the runner's ``fit`` / ``recommend`` calls.

    Args:
        kind: ``"als"``, ``"bpr"`` or ``"item-knn"`` (implicit's BM25 item-item model;
            ``similarity="cosine"`` in ``params`` picks its cosine one instead).
        params: keyword arguments of the ``implicit`` class.
    """

    library = "implicit"

    def __init__(self, kind: str, **params: Any) -> None:
        if kind not in ("als", "bpr", "item-knn"):
            raise ValueError(f"unknown implicit baseline {kind!r}")
        self.kind, self.params = kind, dict(params)
        self.name = f"implicit-{kind}"
        self._model: Any = None
        self._history = sparse.csr_matrix((0, 0), dtype=np.float32)

    def _build(self) -> Any:
        params = dict(self.params)
        if self.kind == "als":
            from implicit.cpu.als import AlternatingLeastSquares

            return AlternatingLeastSquares(**params)
        if self.kind == "bpr":
            from implicit.cpu.bpr import BayesianPersonalizedRanking

            return BayesianPersonalizedRanking(**params)
        from implicit.nearest_neighbours import BM25Recommender, CosineRecommender

        cosine = params.pop("similarity", "bm25") == "cosine"
        return CosineRecommender(**params) if cosine else BM25Recommender(**params)

    def fit(self, interactions: Interactions) -> ImplicitBaseline:
        """Fit on the weighted user × item matrix."""
        self._history = sparse.csr_matrix(interactions.matrix, dtype=np.float32)
        with single_threaded_blas(), warnings.catch_warnings():
            # implicit's BM25/cosine models pass their own COO intermediate to a CSR-only step
            # and warn about it; we pass CSR, so only that one internal message is silenced.
            warnings.filterwarnings("ignore", "Method expects CSR input", category=Warning)
            self._model = self._build()
            self._model.fit(self._history, show_progress=False)
        return self

    def recommend(
        self, user_rows: npt.NDArray[np.int64], k: int = 10, exclude: ExcludeLike = None
    ) -> Recommendations:
        """implicit's top-k per user, already-liked items filtered, then ``exclude`` applied."""
        rows = np.asarray(user_rows, dtype=np.int64)
        excluded = exclusion_matrix(exclude, rows.size, self._history.shape[1])
        extra = int(np.diff(excluded.indptr).max(initial=0)) if excluded is not None else 0
        want = min(k + extra, self._history.shape[1])
        with single_threaded_blas():
            ids, scores = self._model.recommend(
                rows, self._history[rows], N=want, filter_already_liked_items=True
            )
        return _drop_excluded(np.atleast_2d(ids), np.atleast_2d(scores), excluded, k)


def _drop_excluded(
    ids: npt.NDArray[Any],
    scores: npt.NDArray[Any],
    excluded: sparse.csr_matrix | None,
    k: int,
) -> Recommendations:
    items = np.full((ids.shape[0], k), -1, dtype=np.int64)
    kept_scores = np.zeros((ids.shape[0], k), dtype=np.float32)
    for row in range(ids.shape[0]):
        valid = (ids[row] >= 0) & np.isfinite(scores[row])
        if excluded is not None:
            banned = excluded.indices[excluded.indptr[row] : excluded.indptr[row + 1]]
            valid &= ~np.isin(ids[row], banned)
        chosen = ids[row][valid][:k]
        items[row, : chosen.size] = chosen
        kept_scores[row, : chosen.size] = scores[row][valid][:k]
    return Recommendations(items, kept_scores)
