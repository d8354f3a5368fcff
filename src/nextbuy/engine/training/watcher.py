"""The serving side of model refresh: load the published version when CURRENT moves."""

from __future__ import annotations

import asyncio
import logging

from nextbuy.engine.domain.trained_model import TrainedModel
from nextbuy.engine.storage.model_registry import ModelRegistry, ModelRegistryError
from nextbuy.engine.storage.model_store import ModelStore
from nextbuy.recommend.registry import load_model

logger = logging.getLogger(__name__)


def load_trained(registry: ModelRegistry, version: str) -> TrainedModel:
    """Read the serving algorithm of ``version`` (blocking: call it in a worker thread)."""
    manifest = registry.get(version)
    return TrainedModel.of(version, load_model(manifest.path / manifest.serving))


async def follow_published_models(
    registry: ModelRegistry, store: ModelStore, *, interval_s: float = 2.0
) -> None:
    """Poll CURRENT; load a new version off the event loop, then swap it in with one assignment.

    A version that fails to load is logged and skipped: the engine keeps serving the model it
    has, and tries again when CURRENT moves (for example, on rollback).
    """
    loaded: str | None = None
    while True:
        version = registry.current()
        if version != loaded:
            if version is None:
                store.publish_trained(None)
                loaded = None
            else:
                try:
                    model = await asyncio.to_thread(load_trained, registry, version)
                except (ModelRegistryError, OSError, ValueError) as error:
                    logger.error(
                        "model version not loaded", extra={"version": version, "error": str(error)}
                    )
                else:
                    store.publish_trained(model)
                    logger.info("serving trained model", extra={"version": version})
                loaded = version
        await asyncio.sleep(interval_s)
