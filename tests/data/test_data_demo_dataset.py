"""The demo shop of ``nextbuy up``: generated once, reused, with a busiest shopper to show."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from nextbuy.data.demo_dataset import busiest_user, demo_dataset, demo_totals
from nextbuy.data.generator import GeneratorConfig
from tests.data.data_builders import T0, make_dataset

SMALL = GeneratorConfig(users=80, products=40, days=14, seed=7)


def test_the_demo_shop_is_generated_once_and_reused(tmp_path: Path) -> None:
    first = demo_dataset(tmp_path, SMALL)
    again = demo_dataset(tmp_path, SMALL)
    assert again.manifest.created_at == first.manifest.created_at  # read back, not regenerated
    totals = demo_totals(first)
    assert (totals["products"], totals["users"]) == (40, 80)
    assert totals["orders"] > 0
    assert 0 < totals["views"] <= 50 * 80
    user = busiest_user(first)
    assert first.orders is not None
    assert user in set(first.orders["user_id"].to_pylist())


def test_the_busiest_user_has_most_orders_and_ties_go_to_the_smallest_id() -> None:
    orders = pa.table(
        {
            "order_id": ["o1", "o2", "o3", "o4"],
            "user_id": ["u2", "u1", "u2", "u1"],
            "created_at": pa.array([T0] * 4, pa.timestamp("us", tz="UTC")),
            "status": ["placed"] * 4,
            "currency": ["EUR"] * 4,
        }
    )
    assert busiest_user(make_dataset(orders=orders)) == "u1"
