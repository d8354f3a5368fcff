"""The columnar read model: upserts, stock before catalogue, staleness, compact strings."""

from __future__ import annotations

import asyncio

from nextbuy.core.deadline import Deadline
from nextbuy.engine.domain.ports import StockLevel
from nextbuy.engine.storage.read_model import ProductReadModel
from nextbuy.engine.storage.read_model_resolver import ReadModelResolver
from tests.engine.unit.builders import make_product


def test_products_round_trip_through_the_columns() -> None:
    read_model = ProductReadModel(capacity=2)
    products = [make_product(f"p{i}", title=f"Tïtle {i}", price=i + 0.5) for i in range(100)]
    read_model.apply_products(products)
    assert len(read_model) == 100
    assert read_model.get("p42") == products[42]
    read_model.apply_products([make_product("p42", title="Renamed", active=False)])
    product = read_model.get("p42")
    assert product is not None
    assert (product.title, product.active) == ("Renamed", False)


def test_stock_for_a_product_the_catalogue_has_not_listed_yet() -> None:
    read_model = ProductReadModel()
    read_model.apply_stock([StockLevel("later", 7)])
    assert read_model.get("later") is None
    assert "later" not in read_model
    read_model.apply_products([make_product("later")])
    assert read_model.sellable_units("later") == 7
    assert "later" in read_model


def test_resolver_flags_sources_past_their_staleness_budget() -> None:
    read_model = ProductReadModel()
    resolver = ReadModelResolver(read_model, catalogue_budget_s=600, stock_budget_s=120)
    assert resolver.stale_sources() == ("catalog", "inventory")  # never synced
    read_model.apply_products([make_product("a")])
    read_model.apply_stock([StockLevel("a", 1)])
    resolved = asyncio.run(resolver.resolve(["a", "zz"], Deadline(0.1)))
    assert resolved.degraded_sources == ()
    assert set(resolved.products) == {"a"}
    assert resolved.sellable("a")
    assert not resolved.sellable("zz")
    read_model.stock_synced_at = (read_model.stock_synced_at or 0) - 121
    assert resolver.stale_sources() == ("inventory",)


def test_memory_per_product_is_small() -> None:
    read_model = ProductReadModel()
    read_model.apply_products(make_product(f"p{i}", title="x" * 40) for i in range(10_000))
    assert read_model.memory_bytes() / 10_000 < 120  # columns only; ids are counted by the bench


def test_an_older_change_arriving_late_never_undoes_a_newer_one() -> None:
    read_model = ProductReadModel()
    read_model.apply_stock([StockLevel("a", 0, updated_at=200.0)])
    read_model.apply_stock([StockLevel("a", 9, updated_at=100.0)])  # a retried, older event
    assert read_model.sellable_units("a") == 0
    read_model.apply_stock([StockLevel("a", 4, updated_at=200.0)])  # same instant: applied
    assert read_model.sellable_units("a") == 4
    read_model.apply_products([make_product("a", title="New", updated_at=300.0)])
    read_model.apply_products([make_product("a", title="Old", updated_at=250.0)])
    product = read_model.get("a")
    assert product is not None
    assert product.title == "New"
    assert read_model.stale_changes_ignored == 2


def test_filter_columns_align_with_the_asked_ids_whatever_the_read_model_knows() -> None:
    read_model = ProductReadModel()
    read_model.apply_products(
        [
            make_product("pan", category="Home/Kitchen", price=20.0),
            make_product("lamp", category="Home/Lighting", price=40.0),
            make_product("old", category="Home/Kitchen", active=False),
            make_product("rake", category="Homeware", price=5.0),
        ]
    )
    read_model.apply_stock([StockLevel("pan", 3), StockLevel("lamp", 0), StockLevel("later", 9)])
    asked = ["lamp", "ghost", "later", "pan", "old", "rake"]
    columns = read_model.columns(asked, ["Home"])
    assert columns.listed.tolist() == [True, False, False, True, False, True]
    assert columns.sellable.tolist() == [False, False, True, True, False, False]
    assert columns.in_categories.tolist() == [True, False, False, True, False, False]
    assert columns.price[[0, 3, 5]].tolist() == [40.0, 20.0, 5.0]
    assert columns.category[[1, 2, 4]].tolist() == [-1, -1, -1]  # unknown to ranking
    assert columns.category[0] != columns.category[3]
    assert read_model.columns(asked, []).in_categories.all()


def test_content_version_moves_only_when_an_answer_could_change() -> None:
    read_model = ProductReadModel()
    read_model.apply_products([make_product("p1", updated_at=1.0)])
    read_model.apply_stock([StockLevel("p1", 5, updated_at=1.0)])
    version = read_model.content_version

    def moved(change: object) -> bool:
        nonlocal version
        before, version = version, read_model.content_version
        return version != before

    read_model.apply_products([make_product("p1", updated_at=1.0)])  # a feed's overlap re-read
    assert not moved("same listing again")
    read_model.apply_stock([StockLevel("p1", 4, updated_at=2.0)])
    assert not moved("still in stock")
    read_model.apply_stock([StockLevel("p1", 0, updated_at=3.0)])
    assert moved("out of stock")
    read_model.apply_stock([StockLevel("p1", 2, updated_at=4.0)])
    assert moved("back in stock")
    for field, value in [("title", "New"), ("price", 11.0), ("category", "Garden"),
                         ("currency", "USD"), ("active", False)]:  # fmt: skip
        read_model.apply_products([make_product("p1", updated_at=5.0, **{field: value})])
        assert moved(field), field
    read_model.apply_products([make_product("p2", updated_at=5.0)])
    assert moved("newly listed")
