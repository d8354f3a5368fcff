"""Benchmark: one user's recommendation in process — the ranking chain with no network at all.

Trains the serving algorithm on a dataset folder, loads the catalogue into the engine's real
read model (every product in stock except a few, prices spread over 5–100), then times
``Recommender.for_user`` (k=10, stock and already-bought filters, reasons) for many users —
cold (first request for a user: candidates computed) and hot (precomputed candidates, the
session re-rank and filters only) — and the same with a request's business rules (a price
range and a diversity cap, :data:`FILTERED`) on a fresh recommender.

    nextbuy data load movielens /work/shared/datasets/movielens-100k --out /tmp/ml100k
    python -m nextbuy.engine.inprocess_bench /tmp/ml100k --algorithm als
    python -m nextbuy.engine.inprocess_bench /tmp/ml100k --algorithm als --category Documentary
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from nextbuy.core.deadline import Deadline
from nextbuy.engine.domain.filters import NO_FILTERS, RequestFilters
from nextbuy.engine.domain.ports import ProductInfo, StockLevel, UserSignals
from nextbuy.engine.domain.recommender import Recommender
from nextbuy.engine.domain.trained_model import TrainedModel
from nextbuy.engine.storage.read_model import ProductReadModel
from nextbuy.engine.storage.read_model_resolver import ReadModelResolver
from nextbuy.engine.training.sources import TrainingData, from_dataset
from nextbuy.recommend.events import interactions_from_encoded
from nextbuy.recommend.registry import create

FILTERED = RequestFilters(min_price=10.0, max_price=50.0, max_per_category=2)
"""The filtered request timed: about 40% of the catalogue's prices, two per category at most."""


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
    filtered_cold_p50_ms: float
    filtered_cold_p99_ms: float
    filtered_hot_p50_ms: float
    filtered_hot_p99_ms: float
    filtered_short: int
    """Filtered answers with fewer than k items (the filters left too few products)."""
    filtered_fallback_items: int
    """Items of filtered answers that were best sellers filling in for personal picks."""


def measure_in_process(
    folder: Path, *, algorithm: str, users: int = 500, filters: RequestFilters = FILTERED
) -> InProcessResult:
    """Train on ``folder``, time cold and hot recommendations (BLAS on one thread, as served)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return _measure(folder, algorithm=algorithm, users=users, filters=filters)


def _measure(
    folder: Path, *, algorithm: str, users: int, filters: RequestFilters
) -> InProcessResult:
    data = TrainingData()
    from_dataset(data, folder)
    interactions = interactions_from_encoded(data.encoded())
    started = time.perf_counter()
    model = TrainedModel.of("bench", create(algorithm, data.side()).fit(interactions))
    train_seconds = time.perf_counter() - started
    read_model = ProductReadModel()
    ids = model.item_ids
    read_model.apply_products(
        ProductInfo(
            p,
            data.item_texts.get(p, p)[:80],
            _price(i),
            "EUR",
            data.item_categories.get(p, ""),
            True,
        )
        for i, p in enumerate(ids)
    )
    read_model.apply_stock(StockLevel(p, 0 if i % 20 == 0 else 5) for i, p in enumerate(ids))
    history = interactions.matrix
    purchases = {
        interactions.users.ids[u]: tuple(ids[i] for i in history[u].indices.tolist())
        for u in range(min(users, history.shape[0]))
    }

    def fresh_recommender() -> Recommender:
        return Recommender(
            HistoryUserData(purchases),
            ReadModelResolver(read_model, catalogue_budget_s=1e9, stock_budget_s=1e9),
            lambda: model,
            budget_s=1.0,
        )

    visitors = list(purchases)
    plain = fresh_recommender()
    cold, _ = asyncio.run(_time_all(plain, visitors, NO_FILTERS))
    hot, _ = asyncio.run(_time_all(plain, visitors, NO_FILTERS))
    filtered = fresh_recommender()
    filtered_cold, _ = asyncio.run(_time_all(filtered, visitors, filters))
    filtered_hot, answers = asyncio.run(_time_all(filtered, visitors, filters))
    return InProcessResult(
        algorithm,
        len(purchases),
        len(ids),
        round(train_seconds, 2),
        *_p50_p99(cold),
        *_p50_p99(hot),
        *_p50_p99(filtered_cold),
        *_p50_p99(filtered_hot),
        filtered_short=sum(len(items) < 10 for items in answers),
        filtered_fallback_items=sum(r.startswith("fallback") for items in answers for r in items),
    )


def _price(row: int) -> float:
    """Prices spread evenly over 5–100 (MovieLens has none), the same on every run."""
    return 5.0 + (row * 37) % 96


async def _time_all(
    recommender: Recommender, users: list[str], filters: RequestFilters
) -> tuple[list[float], list[list[str]]]:
    """Each user's latency, and the reasons of each answer."""
    latencies, answers = [], []
    for user in users:
        started = time.perf_counter()
        ranked = await recommender.for_user(user, 10, filters=filters)
        latencies.append((time.perf_counter() - started) * 1000)
        assert len(ranked.items) <= 10
        answers.append([item.reason for item in ranked.items])
    return latencies, answers


def _p50_p99(values: list[float]) -> tuple[float, float]:
    array = np.asarray(values)
    return round(float(np.percentile(array, 50)), 3), round(float(np.percentile(array, 99)), 3)


def main() -> None:
    """Print one in-process measurement as ``name: value`` lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a dataset folder (MovieLens 100k)")
    parser.add_argument("--algorithm", default="hybrid")
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument(
        "--category", action="append", default=[], help="filter instead of the default one"
    )
    args = parser.parse_args()
    filters = RequestFilters(categories=tuple(args.category)) if args.category else FILTERED
    result = measure_in_process(
        args.folder, algorithm=args.algorithm, users=args.users, filters=filters
    )
    for name, value in asdict(result).items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
