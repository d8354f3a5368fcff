"""Fit the configured algorithms on the gathered data and publish them as a new model version."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from nextbuy.engine.storage.model_registry import ModelRegistry, ModelVersion
from nextbuy.engine.training.sources import TrainingData
from nextbuy.recommend.events import build_interactions
from nextbuy.recommend.hybrid import DEFAULT_COMPONENTS
from nextbuy.recommend.registry import create

logger = logging.getLogger(__name__)
EASE_MAX_ITEMS = 20_000
"""EASE inverts a dense items × items matrix: beyond this it does not fit in memory."""


class TrainingError(RuntimeError):
    """Nothing to learn from, or an algorithm that cannot be trained on this data."""


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
    progress: Callable[[str], None] = lambda _name: None,
) -> TrainingResult:
    """Fit every algorithm, write them as one version, make it the serving one."""
    if serving not in algorithms:
        raise TrainingError(f"the serving algorithm {serving!r} must be among {list(algorithms)}")
    if not data.users:
        raise TrainingError("no interactions to learn from (no events, orders or dataset)")
    interactions = build_interactions(data.event_log())
    n_users, n_items = interactions.shape
    seconds: dict[str, float] = {}
    with registry.new_version() as (version, folder):
        for name in algorithms:
            if name == "ease" and n_items > EASE_MAX_ITEMS:
                logger.warning("skipping EASE: %d items do not fit a dense inverse", n_items)
                continue
            progress(name)
            started = time.perf_counter()
            model = create(name, data.side(), **_params(name, n_items)).fit(interactions)
            model.save(folder / name)
            seconds[name] = round(time.perf_counter() - started, 3)
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
                "train_seconds": seconds,
            },
        )
    registry.publish(version)
    registry.prune(keep_versions)
    return TrainingResult(registry.get(version), seconds)


def _params(name: str, n_items: int) -> dict[str, Any]:
    """The hybrid without its EASE component when EASE would not fit in memory."""
    if name == "hybrid" and n_items > EASE_MAX_ITEMS:
        logger.warning("hybrid without EASE: %d items do not fit a dense inverse", n_items)
        return {"components": {k: v for k, v in DEFAULT_COMPONENTS.items() if k != "ease"}}
    return {}
