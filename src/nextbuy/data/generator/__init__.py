"""``nextbuy data generate``: a realistic, deterministic shop at any scale.

The same configuration always writes the same dataset. Memory stays bounded: shoppers are
simulated in blocks and each block's events are appended to Parquet before the next starts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import numpy as np

from nextbuy.data.format import DatasetWriter, Manifest
from nextbuy.data.format.build import canonical
from nextbuy.data.generator.catalogue import build_catalogue, inventory_columns, product_columns
from nextbuy.data.generator.config import GeneratorConfig
from nextbuy.data.generator.people import make_people, user_columns
from nextbuy.data.generator.sessions import simulate
from nextbuy.data.generator.tables import events_table, order_tables

__all__ = ["GeneratorConfig", "generate"]
Progress = Callable[[int, int], None]


def generate(
    config: GeneratorConfig, out_dir: Path, progress: Progress | None = None
) -> dict[str, int]:
    """Write a generated shop to ``out_dir`` (atomically); return the row count of each table.

    ``progress(done, total)`` is called after each block, counting shoppers and visitors.
    """
    rng = np.random.default_rng(config.seed)
    catalogue = build_catalogue(rng, config)
    people = make_people(rng, config.users, catalogue, config)
    products = canonical("products", catalogue.size, product_columns(rng, catalogue, config))
    users = canonical("users", config.users, user_columns(rng, people, catalogue, config))
    inventory = canonical("inventory", catalogue.size, inventory_columns(rng, catalogue))
    share = config.anonymous_share
    visitors = round(config.users * config.sessions_per_user * share / (1 - share))
    blocks = _blocks(config.users, visitors, config.chunk_users)
    total, done, next_session = config.users + visitors, 0, 0
    user_ids, product_ids = (
        users["user_id"].combine_chunks(),
        products["product_id"].combine_chunks(),
    )
    manifest = Manifest(
        name=f"generated-{config.users}u-{config.products}p-{config.days}d-s{config.seed}",
        source="nextbuy data generate",
        parameters={k: str(v) if k == "start" else v for k, v in asdict(config).items()},
        notes=("events are in time order within each block of shoppers, not across blocks",),
    )
    with DatasetWriter(out_dir, manifest) as writer:
        writer.append("products", products)
        writer.append("users", users)
        for index, shoppers in enumerate(blocks):
            block_rng = np.random.default_rng([config.seed, index])
            events, used = simulate(block_rng, people, shoppers, catalogue, config, next_session)
            next_session += used
            writer.append("events", events_table(events, user_ids, catalogue.price, product_ids))
            orders, lines = order_tables(events, user_ids, catalogue.price, product_ids)
            writer.append("orders", orders)
            writer.append("order_lines", lines)
            done += shoppers.size
            if progress is not None:
                progress(done, total)
        writer.append("inventory", inventory)
        counts = dict(writer.counts)
    return counts


def _blocks(users: int, visitors: int, size: int) -> list[np.ndarray]:
    """Known shoppers in blocks, then anonymous visits (-1) in blocks of the same size."""
    known = [np.arange(i, min(i + size, users)) for i in range(0, users, size)]
    anonymous = [np.full(min(size, visitors - i), -1) for i in range(0, visitors, size)]
    return known + anonymous
