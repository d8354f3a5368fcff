"""A weighted blend of other algorithms, with weights fitted on a validation split.

Each component's scores are standardised per user (z-scores) so that a cosine in [0, 1] and a
factor dot product in the hundreds can be added. Weights are chosen by coordinate ascent on NDCG@k
over a per-user holdout carved from the training data; the components are then refitted on all of
it. The test data of an evaluation is never seen.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from nextbuy.recommend._ranking import top_k
from nextbuy.recommend._validation import holdout, ndcg_at_k, user_subset
from nextbuy.recommend.artifacts import Arrays
from nextbuy.recommend.base import Recommender, Scores
from nextbuy.recommend.errors import RecommendError
from nextbuy.recommend.interactions import Interactions
from nextbuy.recommend.reasons import Reason

if TYPE_CHECKING:
    from nextbuy.recommend.registry import SideInformation

DEFAULT_COMPONENTS: Mapping[str, Mapping[str, Any]] = {
    "ease": {},
    "item-knn": {},
    "als": {},
    "popularity": {},
}
_CANDIDATE_WEIGHTS = (0.0, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0)


class Hybrid(Recommender):
    """Blend of named components.

    Args:
        components: ``{algorithm name: constructor parameters}``.
        weights: fixed weights per component; ``None`` fits them on a validation split.
        validation_fraction: share of each user's items held out to fit the weights.
        k: list length whose NDCG the weights maximise.
        max_validation_users: sample at most this many users for the weight search.
        max_fit_users: above this many users, the components fitted to choose the weights see
            only the validation users and a random sample of the rest, up to this many (the
            final components always see everyone).
        rounds: coordinate-ascent sweeps over the components.
        random_state: seed of the holdout and the user sample.
        side: side information forwarded to the components that need it.
    """

    name = "hybrid"

    def __init__(
        self,
        components: Mapping[str, Mapping[str, Any]] | None = None,
        weights: Mapping[str, float] | None = None,
        validation_fraction: float = 0.2,
        k: int = 10,
        max_validation_users: int = 1000,
        max_fit_users: int = 200_000,
        rounds: int = 2,
        random_state: int = 42,
        side: SideInformation | None = None,
    ) -> None:
        super().__init__()
        self.components = {n: dict(p) for n, p in (components or DEFAULT_COMPONENTS).items()}
        self.weights = dict(weights) if weights is not None else None
        self.validation_fraction, self.k = validation_fraction, k
        self.max_validation_users, self.rounds = max_validation_users, rounds
        self.max_fit_users = max_fit_users
        self.random_state, self.side = random_state, side
        self._models: dict[str, Recommender] = {}
        self.skipped: dict[str, str] = {}
        self.prefitted: Mapping[str, Recommender] = {}
        """Models the caller already fitted on the same interactions: a component with the same
        algorithm and parameters is reused for the final fit instead of being fitted twice
        (never for the validation fit, which sees less data)."""
        self.timings: dict[str, float] = {}
        """Seconds per stage of the last fit (``validation:als``, ``weights``, ``final:als``…)."""

    def params(self) -> dict[str, Any]:
        return {
            "components": self.components,
            "weights": self.weights,
            "validation_fraction": self.validation_fraction,
            "k": self.k,
            "max_validation_users": self.max_validation_users,
            "max_fit_users": self.max_fit_users,
            "rounds": self.rounds,
            "random_state": self.random_state,
        }

    @property
    def models(self) -> Mapping[str, Recommender]:
        """The fitted components by name."""
        return self._models

    def _build(self) -> dict[str, Recommender]:
        from nextbuy.recommend.registry import create

        return {name: create(name, self.side, **p) for name, p in self.components.items()}

    def _fit_components(self, interactions: Interactions, stage: str) -> dict[str, Recommender]:
        """Fit every component; one that refuses the data (EASE on a huge catalogue) is left
        out and named in ``skipped`` rather than failing the whole blend."""
        fitted = {}
        for name, model in self._build().items():
            ready = self.prefitted.get(name) if stage == "final" else None
            if (
                ready is not None
                and type(ready) is type(model)
                and ready.params() == model.params()
            ):
                fitted[name] = ready
                continue
            started = time.perf_counter()
            try:
                fitted[name] = model.fit(interactions)
            except RecommendError as error:
                self.skipped[name] = str(error)
            self.timings[f"{stage}:{name}"] = round(time.perf_counter() - started, 3)
        if not fitted:
            raise RecommendError(f"every hybrid component refused the data: {self.skipped}")
        return fitted

    def _fit(self, interactions: Interactions) -> None:
        self.skipped, self.timings = {}, {}
        if self.weights is None:
            self.weights = self._fit_weights(interactions)
        self._models = self._fit_components(interactions, "final")

    def _fit_weights(self, interactions: Interactions) -> dict[str, float]:
        kept, hidden = holdout(interactions, self.validation_fraction, self.random_state)
        users = np.flatnonzero(np.diff(hidden.indptr) > 0)
        rng = np.random.default_rng(self.random_state)
        if users.size > self.max_validation_users:
            users = np.sort(rng.choice(users, self.max_validation_users, replace=False))
        if kept.shape[0] > self.max_fit_users:
            # The weights only need the validation users' scores: fit the validation
            # components on them plus a random sample of everyone else, not on all users.
            others = np.setdiff1d(np.arange(kept.shape[0]), users)
            extra = rng.choice(others, max(self.max_fit_users - users.size, 0), replace=False)
            rows = np.union1d(users, extra)
            kept, hidden = user_subset(kept, rows), sparse.csr_matrix(hidden[rows])
            users = np.searchsorted(rows, users)
        models = self._fit_components(kept, "validation")
        started = time.perf_counter()
        scores = {name: _standardise(m.recommend_scores(users)) for name, m in models.items()}
        seen = kept.matrix[users]

        def quality(weights: Mapping[str, float]) -> float:
            ranked = top_k(_blend(scores, weights), self.k, seen)
            return ndcg_at_k(ranked.items, hidden[users])

        weights = _coordinate_ascent(list(scores), quality, self.rounds)
        self.timings["weights"] = round(time.perf_counter() - started, 3)
        return weights

    def _combined(self, score: Callable[[Recommender], Scores]) -> Scores:
        parts = {name: _standardise(score(model)) for name, model in self._models.items()}
        return _blend(parts, self.weights or {})

    def _score_users(self, user_rows: npt.NDArray[np.int64]) -> Scores:
        return self._combined(lambda model: model.recommend_scores(user_rows))

    def _score_history(self, history: sparse.csr_matrix) -> Scores:
        return self._combined(lambda model: model.history_scores(history))

    def _item_similarity(self, item_rows: npt.NDArray[np.int64]) -> Scores:
        return self._combined(lambda model: model.similarity_scores(item_rows))

    def explain(self, user_row: int, item_rows: Any) -> list[Reason]:
        """Each item's reason comes from the component that contributed most to its score."""
        rows = np.array([user_row])
        weights = self.weights or {}
        contributions = {
            name: weights.get(name, 0.0) * _standardise(model.recommend_scores(rows))[0]
            for name, model in self._models.items()
        }
        reasons = []
        for item in item_rows:
            best = max(contributions, key=lambda name: contributions[name][item])
            reasons.extend(self._models[best].explain(user_row, [item]))
        return reasons

    def _state(self) -> Arrays:
        return {}

    def _save_parts(self, directory: Path) -> None:
        for name, model in self._models.items():
            model.save(directory / "components" / name)

    def _restore(self, arrays: Arrays, directory: Path) -> None:
        from nextbuy.recommend.registry import load_model

        folder = directory / "components"
        self._models = {
            name: load_model(folder / name) for name in self.components if (folder / name).is_dir()
        }


def _standardise(scores: Scores) -> Scores:
    finite = np.where(np.isfinite(scores), scores, np.nan)
    mean = np.nanmean(finite, axis=1, keepdims=True)
    std = np.nanstd(finite, axis=1, keepdims=True)
    z = (finite - mean) / np.where(std > 0, std, 1.0)
    return np.asarray(np.nan_to_num(z, nan=-1e9), dtype=np.float32)


def _blend(scores: Mapping[str, Scores], weights: Mapping[str, float]) -> Scores:
    total: Scores | None = None
    for name, part in scores.items():
        weighted = np.float32(weights.get(name, 0.0)) * part
        total = weighted if total is None else total + weighted
    assert total is not None
    return total


def _coordinate_ascent(
    names: list[str], quality: Callable[[Mapping[str, float]], float], rounds: int
) -> dict[str, float]:
    """Try each candidate weight for one component at a time, keeping any improvement.

    The search starts from the best of "all equal" and "each component alone", so on the
    validation split the blend never scores below its best single component.
    """
    starts = [dict.fromkeys(names, 1.0)]
    starts += [{other: float(other == name) for other in names} for name in names]
    scored = [(quality(start), start) for start in starts]
    best, weights = max(scored, key=lambda entry: entry[0])
    for _ in range(rounds):
        for name in names:
            for candidate in _CANDIDATE_WEIGHTS:
                trial = {**weights, name: candidate}
                if not any(trial.values()):
                    continue
                value = quality(trial)
                if value > best + 1e-6:
                    best, weights = value, trial
    return weights
