"""The demo shop of ``nextbuy up``: a generated shop (``nextbuy data generate``) of demo size.

Generated once into the data home and reused, so a restart seeds the same shop: about 1,000
shoppers, 500 products, 20,000 events over 90 days, their orders and stock. Seeding it takes
about as long as the small hand-made shop it replaced (16.9 s against 21.1 s on the shared
2-core machine, see docs/benchmarks.md), and its shoppers behave like a real shop's.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc

from nextbuy.data.format import Dataset, read_dataset
from nextbuy.data.generator import GeneratorConfig, generate
from nextbuy.data.seed_checkpoint import Checkpoint
from nextbuy.data.seed_dataset import LAYOUT, seed_dataset, send_events
from nextbuy.data.seed_events import engine_events
from nextbuy.data.seed_records import RECENT_VIEWS
from nextbuy.data.seeding import ProgressCallback, SeedReport, ServiceUrls

DEMO_SHOP = GeneratorConfig(users=1000, products=500, days=90, seed=7)


def demo_dataset(home: Path, config: GeneratorConfig = DEMO_SHOP) -> Dataset:
    """The demo shop under ``home``, generated on first use (about a second)."""
    folder = (
        home / "demo-shop" / f"{config.users}u-{config.products}p-{config.days}d-s{config.seed}"
    )
    if not (folder / "manifest.json").is_file():
        generate(config, folder)
    return read_dataset(folder)


def demo_totals(dataset: Dataset) -> dict[str, int]:
    """Records per kind that :func:`seed_demo` sends to the four upstream services."""
    counts = dataset.counts()
    events = dataset.events
    views = events.filter(
        pc.and_(pc.equal(events["event_type"], "view"), pc.is_valid(events["user_id"]))
    )
    per_user = pc.value_counts(views["user_id"]).field("counts").to_pylist()
    return {
        "products": counts["products"],
        "stock": counts.get("inventory", 0),
        "users": counts.get("users", 0),
        "orders": counts.get("orders", 0),
        # Each user's latest RECENT_VIEWS views (the profile keeps no more).
        "views": sum(min(n, RECENT_VIEWS) for n in per_user),
    }


async def seed_demo(
    dataset: Dataset, urls: ServiceUrls, home: Path, notify: ProgressCallback
) -> SeedReport:
    """Products, stock, users, orders and recent views; the engine is not up yet."""
    checkpoint = Checkpoint.open(home / "seed" / "demo-shop.log", layout=LAYOUT)
    return await seed_dataset(dataset, urls, checkpoint, notify)


async def send_demo_events(dataset: Dataset, engine_url: str, notify: ProgressCallback) -> int:
    """Every event to the engine once it is up; returns how many it stored."""
    report = await send_events(engine_events(dataset), engine_url, notify)
    return report.counts.get("events", {}).get("created", 0)


def busiest_user(dataset: Dataset) -> str:
    """The shopper with the most orders (the smallest id among equals): the banner's example."""
    if dataset.orders is None or dataset.orders.num_rows == 0:
        raise ValueError("the demo shop has no orders")
    counts = pc.value_counts(dataset.orders["user_id"]).to_pylist()
    most = max(int(item["counts"]) for item in counts)
    return min(str(item["values"]) for item in counts if item["counts"] == most)
