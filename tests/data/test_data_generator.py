"""The generator: same seed same shop, valid, and shaped like a real shop."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pytest

from nextbuy.data.format import Dataset, read_dataset
from nextbuy.data.generator import GeneratorConfig, generate
from nextbuy.data.stats import dataset_stats

SMALL = GeneratorConfig(users=2000, products=800, days=60, seed=11, chunk_users=700)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    out = tmp_path_factory.mktemp("generated") / "shop"
    generate(SMALL, out)
    return read_dataset(out)  # read_dataset validates every table and reference


def test_same_seed_writes_the_same_shop(tmp_path: Path, shop: Dataset) -> None:
    generate(SMALL, tmp_path / "again")
    again = read_dataset(tmp_path / "again")
    assert again.events.equals(shop.events)
    assert again.orders is not None
    assert shop.orders is not None
    assert again.orders.equals(shop.orders)
    generate(GeneratorConfig(users=2000, products=800, days=60, seed=12), tmp_path / "other")
    assert not read_dataset(tmp_path / "other").events.equals(shop.events)


def test_sizes_and_every_table(shop: Dataset) -> None:
    assert shop.products.num_rows == 800
    assert shop.users is not None
    assert shop.users.num_rows == 2000
    assert shop.inventory is not None
    assert 15 * 2000 < shop.events.num_rows < 28 * 2000  # about 20 events per shopper
    assert set(shop.products["category_path"].to_pylist()) >= {"Home/Kitchen/Essentials"}


def test_funnel_converts_a_few_percent_of_views(shop: Dataset) -> None:
    kinds = dataset_stats(shop).events_by_type
    assert set(kinds) == {"view", "add_to_cart", "remove_from_cart", "purchase"}
    assert 0.01 < kinds["purchase"] / kinds["view"] < 0.08
    assert kinds["add_to_cart"] > kinds["purchase"]


def test_popularity_has_a_long_tail(shop: Dataset) -> None:
    figures = dataset_stats(shop)
    assert figures.top_share(0.2) > 0.5
    assert figures.density < 0.05


def test_anonymous_sessions_and_orders_only_for_known_shoppers(shop: Dataset) -> None:
    anonymous = pc.is_null(shop.events["user_id"])
    share = pc.mean(pc.cast(anonymous, "int8")).as_py()
    assert 0.1 < share < 0.35
    assert shop.orders is not None
    assert shop.orders["user_id"].null_count == 0


def test_consumables_are_bought_again(shop: Dataset) -> None:
    bought = shop.events.filter(
        pc.and_(
            pc.equal(shop.events["event_type"], "purchase"), pc.is_valid(shop.events["user_id"])
        )
    )
    pairs = pc.binary_join_element_wise(bought["user_id"], bought["product_id"], "|")
    counts = pc.value_counts(pairs).field("counts").to_numpy()
    assert (counts > 1).sum() > 20


def test_new_products_arrive_and_some_sell_out(shop: Dataset) -> None:
    created = shop.products["created_at"].to_pylist()
    start = min(shop.events["timestamp"].to_pylist())
    assert sum(c > start for c in created) > 0.1 * len(created)
    assert shop.inventory is not None
    assert pc.sum(pc.equal(shop.inventory["available"], 0)).as_py() > 0


def test_demographics_predict_tastes(shop: Dataset) -> None:
    assert shop.users is not None
    young = pc.equal(shop.users["age_band"], "18-24")
    old = pc.equal(shop.users["age_band"], "65+")
    fav = shop.users["favourite_categories"]

    def share(mask: object, department: str) -> float:
        chosen = fav.filter(mask).to_pylist()
        return float(np.mean([c.startswith(department) for c in chosen]))

    assert share(young, "Fashion") > 2 * share(old, "Fashion")
    assert share(old, "Books") > 2 * share(young, "Books")


def test_weekly_seasonality(shop: Dataset) -> None:
    weekday = pc.day_of_week(shop.events["timestamp"]).to_numpy()
    per_day = np.bincount(weekday, minlength=7)
    assert per_day[6] > per_day[2]  # Sunday busier than Wednesday
