"""Benchmark: the engine's read model at catalogue scale — memory, load time, lookups.

Issue 5 asks for the memory of a million products to be measured and written down. This loads
``--products`` generated products (titles of ~40 characters, 500 three-level categories, two
currencies, prices) and their stock into the engine's real ``ProductReadModel`` in batches, as
the change feeds would, and reports the process's resident memory before and after, the load
rate, and the time to gather the filter columns of 100 candidates (what a request does).

    python -m nextbuy.engine.read_model_bench --products 1000000
"""

from __future__ import annotations

import argparse
import gc
import random
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from itertools import islice

import numpy as np

from nextbuy.engine.domain.ports import ProductInfo, StockLevel
from nextbuy.engine.storage.read_model import ProductReadModel
from nextbuy.evaluation.memory import resident_bytes

BATCH = 10_000
"""Products applied at once: ten feed pages, as a first sync applies them."""
WORDS = ("oak", "linen", "steel", "compact", "classic", "travel", "garden", "kitchen", "smart")


@dataclass(frozen=True)
class ReadModelMemory:
    products: int
    rss_before_mib: float
    rss_after_mib: float
    bytes_per_product: float
    load_seconds: float
    products_per_s: float
    gather_100_p50_us: float
    gather_100_p99_us: float


def measure(products: int, *, seed: int = 7) -> ReadModelMemory:
    """Load ``products`` generated products and their stock; measure memory and lookups."""
    gc.collect()
    before = resident_bytes()
    started = time.perf_counter()
    model = ProductReadModel()
    catalogue = _products(products, random.Random(seed))
    while batch := list(islice(catalogue, BATCH)):
        model.apply_products(batch)
        model.apply_stock(StockLevel(p.product_id, len(p.title) % 7) for p in batch)
    load_seconds = time.perf_counter() - started
    gc.collect()
    after = resident_bytes()
    rng = random.Random(seed + 1)
    timings = []
    for _ in range(2_000):
        ids = [_product_id(rng.randrange(products)) for _ in range(100)]
        began = time.perf_counter()
        model.columns(ids, ())
        timings.append((time.perf_counter() - began) * 1e6)
    assert len(model) == products
    return ReadModelMemory(
        products,
        round(before / 2**20, 1),
        round(after / 2**20, 1),
        round((after - before) / products, 1),
        round(load_seconds, 2),
        round(products / load_seconds),
        round(float(np.percentile(timings, 50)), 1),
        round(float(np.percentile(timings, 99)), 1),
    )


def _products(n: int, rng: random.Random) -> Iterator[ProductInfo]:
    for i in range(n):
        words = " ".join(rng.choice(WORDS) for _ in range(4))
        category = f"Dept {i % 10} > Aisle {i % 50} > Shelf {i % 500}"
        yield ProductInfo(
            _product_id(i),
            f"{words} model {i}"[:60],
            round(rng.uniform(2.0, 500.0), 2),
            "EUR" if i % 4 else "USD",
            category,
            i % 50 != 0,
            updated_at=1.0,
        )


def _product_id(i: int) -> str:
    return f"p{i:07d}"


def main() -> None:
    """Print one measurement as ``name: value`` lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=1_000_000)
    args = parser.parse_args()
    for name, value in asdict(measure(args.products)).items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
