"""Fit the configured algorithms on the gathered data and publish them as a new model version."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from nextbuy.engine.storage.model_registry import ModelRegistry, ModelVersion
from nextbuy.engine.training.sources import TrainingData
from nextbuy.recommend.base import Recommender
from nextbuy.recommend.errors import RecommendError
from nextbuy.recommend.events import interactions_from_encoded
from nextbuy.recommend.hybrid import DEFAULT_COMPONENTS, Hybrid
from nextbuy.recommend.registry import create

logger = logging.getLogger(__name__)
EASE_MAX_ITEMS = 20_000
"""EASE inverts a dense items × items matrix (≈ 3 copies of 8 · items² bytes while fitting):
beyond this it would not fit the 8 GiB training budget."""


class TrainingError(RuntimeError):
    """Nothing to learn from, or an algorithm that cannot be trained on this data."""


class StepListener(Protocol):
    """Told when each step of a training run starts and ends (a progress display, a log)."""

    def started(self, step: str) -> None: ...

    def finished(self, step: str, seconds: float) -> None: ...


class _Silent:
    def started(self, step: str) -> None:
        pass

    def finished(self, step: str, seconds: float) -> None:
        pass


@dataclass(frozen=True)
class TrainingResult:
    version: ModelVersion
    seconds: dict[str, float]


def train_and_publish(
    data: TrainingData,
    registry: ModelRegistry,
    *,
    algorithms: Sequence[str],
    serving: str,
    keep_versions: int = 5,
    steps: StepListener | None = None,
) -> TrainingResult:
    """Fit every algorithm, write them as one version, make it the serving one.

    ``data``'s events are released once the interactions are built (see ``release_events``).
    """
    steps = steps or _Silent()
    if serving not in algorithms:
        raise TrainingError(f"the serving algorithm {serving!r} must be among {list(algorithms)}")
    if not len(data):
        raise TrainingError("no interactions to learn from (no events, orders or dataset)")
    started = time.perf_counter()
    steps.started("interactions")
    interactions = interactions_from_encoded(data.encoded())
    data.release_events()
    prepare = round(time.perf_counter() - started, 3)
    steps.finished("interactions", prepare)
    n_users, n_items = interactions.shape
    seconds: dict[str, float] = {}
    fitted: dict[str, Recommender] = {}
    skipped: dict[str, str] = {}
    with registry.new_version() as (version, folder):
        # Single models first, so the hybrid can reuse the ones it blends instead of refitting.
        for name in sorted(algorithms, key=lambda name: name == "hybrid"):
            steps.started(name)
            started = time.perf_counter()
            model = create(name, data.side(), **_params(name))
            if isinstance(model, Hybrid):
                model.prefitted = fitted
            try:
                fitted[name] = model.fit(interactions)
            except RecommendError as error:
                logger.warning("skipping %s: %s", name, error)
                skipped[name] = str(error)
                steps.finished(name, 0.0)
                continue
            model.save(folder / name)
            seconds[name] = round(time.perf_counter() - started, 3)
            steps.finished(name, seconds[name])
        if serving in skipped:
            raise TrainingError(f"the serving algorithm {serving} was skipped: {skipped[serving]}")
        hybrid = fitted.get("hybrid")
        registry.write_manifest(
            folder,
            version=version,
            algorithms=sorted(seconds),
            serving=serving,
            details={
                "users": n_users,
                "items": n_items,
                "interactions": int(interactions.matrix.nnz),
                "events_by_source": data.counts,
                "prepare_seconds": prepare,
                "train_seconds": seconds,
                "skipped": skipped,
                **(_hybrid_details(hybrid) if isinstance(hybrid, Hybrid) else {}),
            },
        )
    registry.publish(version)
    registry.prune(keep_versions)
    return TrainingResult(registry.get(version), seconds)


def _hybrid_details(hybrid: Hybrid) -> dict[str, Any]:
    return {
        "hybrid_weights": hybrid.weights,
        "hybrid_skipped": hybrid.skipped,
        "hybrid_seconds": hybrid.timings,
    }


def _params(name: str) -> dict[str, Any]:
    """EASE, alone or in the hybrid, refuses catalogues whose dense inverse would not fit; the
    hybrid then blends the rest and names EASE in ``skipped``."""
    if name == "ease":
        return {"max_items": EASE_MAX_ITEMS}
    if name == "hybrid":
        components = {k: dict(v) for k, v in DEFAULT_COMPONENTS.items()}
        if "ease" in components:
            components["ease"]["max_items"] = EASE_MAX_ITEMS
        return {"components": components}
    return {}
