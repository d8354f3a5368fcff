"""Benchmark: one user's recommendation in process — the ranking chain with no network at all.

Trains the serving algorithm on a dataset folder, loads the catalogue into the engine's real
read model (every product in stock except a few), then times ``Recommender.for_user`` (k=10,
stock and already-bought filters, reasons) for many users — cold (first request for a user:
candidates computed) and hot (precomputed candidates, the session re-rank and filters only).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nextbuy.core.deadline import Deadline
from nextbuy.engine.domain.ports import ProductInfo, StockLevel, UserSignals
from nextbuy.engine.domain.recommender import Recommender
from nextbuy.engine.domain.trained_model import TrainedModel
from nextbuy.engine.storage.read_model import ProductReadModel
from nextbuy.engine.storage.read_model_resolver import ReadModelResolver
from nextbuy.engine.training.sources import TrainingData, from_dataset
from nextbuy.recommend.events import build_interactions
from nextbuy.recommend.registry import create


@dataclass
class HistoryUserData:
    """Each user's training history as their purchases; what a warm cache would answer."""

    purchases: dict[str, tuple[str, ...]]

    async def signals(self, user_id: str, deadline: Deadline) -> UserSignals:
        bought = self.purchases.get(user_id, ())
        return UserSignals(bool(bought), bought, ())


@dataclass(frozen=True)
class InProcessResult:
    algorithm: str
    users: int
    items: int
    train_seconds: float
    cold_p50_ms: float
    cold_p99_ms: float
    hot_p50_ms: float
    hot_p99_ms: float


def measure_in_process(folder: Path, *, algorithm: str, users: int = 500) -> InProcessResult:
    """Train on ``folder``, time cold and hot recommendations (BLAS on one thread, as served)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return _measure(folder, algorithm=algorithm, users=users)


def _measure(folder: Path, *, algorithm: str, users: int) -> InProcessResult:
    data = TrainingData()
    from_dataset(data, folder)
    interactions = build_interactions(data.event_log())
    started = time.perf_counter()
    model = TrainedModel.of("bench", create(algorithm, data.side()).fit(interactions))
    train_seconds = time.perf_counter() - started
    read_model = ProductReadModel()
    ids = model.item_ids
    read_model.apply_products(
        ProductInfo(
            p, data.item_texts.get(p, p)[:80], 10.0, "EUR", data.item_categories.get(p, ""), True
        )
        for p in ids
    )
    read_model.apply_stock(StockLevel(p, 0 if i % 20 == 0 else 5) for i, p in enumerate(ids))
    history = interactions.matrix
    purchases = {
        interactions.users.ids[u]: tuple(ids[i] for i in history[u].indices.tolist())
        for u in range(min(users, history.shape[0]))
    }
    recommender = Recommender(
        HistoryUserData(purchases),
        ReadModelResolver(read_model, catalogue_budget_s=1e9, stock_budget_s=1e9),
        lambda: model,
        budget_s=1.0,
    )
    cold = asyncio.run(_time_all(recommender, list(purchases)))
    hot = asyncio.run(_time_all(recommender, list(purchases)))
    return InProcessResult(
        algorithm,
        len(purchases),
        len(ids),
        round(train_seconds, 2),
        *_p50_p99(cold),
        *_p50_p99(hot),
    )


async def _time_all(recommender: Recommender, users: list[str]) -> list[float]:
    latencies = []
    for user in users:
        started = time.perf_counter()
        ranked = await recommender.for_user(user, 10)
        latencies.append((time.perf_counter() - started) * 1000)
        assert len(ranked.items) <= 10
    return latencies


def _p50_p99(values: list[float]) -> tuple[float, float]:
    array = np.asarray(values)
    return round(float(np.percentile(array, 50)), 3), round(float(np.percentile(array, 99)), 3)
