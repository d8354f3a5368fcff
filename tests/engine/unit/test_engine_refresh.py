"""The refresher follows the feeds, rebuilds on new orders, invalidates, and survives dead feeds."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from nextbuy.engine.domain.errors import UpstreamError
from nextbuy.engine.domain.model import RecommendationModel
from nextbuy.engine.domain.ports import StockLevel
from nextbuy.engine.domain.refresh import Refresher
from nextbuy.engine.storage.model_store import ModelStore
from nextbuy.engine.storage.purchase_index import PurchaseIndex
from nextbuy.engine.storage.read_model import ProductReadModel
from tests.engine.unit.builders import make_product, make_purchase
from tests.support.fresh_reads import feed_synced


@dataclass
class ScriptedFeed:
    batches: list[list[object]] = field(default_factory=list)
    down: bool = False

    async def poll(self) -> list[object]:
        if self.down:
            raise UpstreamError("feed", "down")
        return self.batches.pop(0) if self.batches else []


@dataclass
class RecordingInvalidator:
    users: list[str] = field(default_factory=list)

    async def invalidate_orders(self, user_id: str) -> None:
        self.users.append(user_id)

    async def invalidate_profile(self, user_id: str) -> None:
        self.users.append(f"profile:{user_id}")


def make_refresher(
    catalogue: ScriptedFeed,
    orders: ScriptedFeed,
    stock: ScriptedFeed | None = None,
    min_rebuild_interval_s: float = 0.0,
) -> tuple[Refresher, ProductReadModel, ModelStore, RecordingInvalidator]:
    read_model, store, invalidator = ProductReadModel(), ModelStore(), RecordingInvalidator()
    refresher = Refresher(
        catalogue_feed=catalogue,  # type: ignore[arg-type]
        stock_feed=stock or ScriptedFeed(),  # type: ignore[arg-type]
        orders_feed=orders,  # type: ignore[arg-type]
        apply_products=read_model.apply_products,
        apply_stock=read_model.apply_stock,
        publish_model=store.swap,
        neighbours_per_item=10,
        invalidator=invalidator,
        min_rebuild_interval_s=min_rebuild_interval_s,
    )
    return refresher, read_model, store, invalidator


def test_first_round_publishes_a_model_even_with_no_orders() -> None:
    refresher, _, store, _ = make_refresher(ScriptedFeed(), ScriptedFeed())
    asyncio.run(refresher.refresh_once())
    model = store.current()
    assert isinstance(model, RecommendationModel)
    assert model.popular(5) == []


def test_new_orders_rebuild_replace_old_versions_and_invalidate_their_users() -> None:
    orders = ScriptedFeed(
        [
            [make_purchase("o1", "u1", "a", "b")],
            [make_purchase("o1", "u1", "a", "b", cancelled=True), make_purchase("o2", "u2", "c")],
        ]
    )
    refresher, read_model, store, invalidator = make_refresher(
        ScriptedFeed([[make_product("a")]]), orders
    )
    asyncio.run(refresher.refresh_once())
    first = store.current()
    assert first is not None
    assert [p for p, _ in first.popular(5)] == ["a", "b"]
    assert "a" in read_model
    assert invalidator.users == []  # nothing cached before the first model
    asyncio.run(refresher.refresh_once())
    second = store.current()
    assert second is not None
    assert [p for p, _ in second.popular(5)] == ["c"]
    assert sorted(invalidator.users) == ["u1", "u2"]


def test_stock_changes_reach_the_read_model() -> None:
    stock = ScriptedFeed([[StockLevel("a", 3)], [StockLevel("a", 0)]])
    refresher, read_model, _, _ = make_refresher(
        ScriptedFeed([[make_product("a")]]), ScriptedFeed(), stock
    )
    asyncio.run(refresher.refresh_once())
    assert read_model.sellable_units("a") == 3
    asyncio.run(refresher.refresh_once())
    assert read_model.sellable_units("a") == 0


def test_a_dead_catalogue_feed_keeps_the_old_view_and_still_learns_orders() -> None:
    catalogue = ScriptedFeed([[make_product("a")]])
    orders = ScriptedFeed([[], [make_purchase("o1", "u1", "a")]])
    refresher, read_model, store, _ = make_refresher(catalogue, orders)
    asyncio.run(refresher.refresh_once())
    catalogue.down = True
    asyncio.run(refresher.refresh_once())
    assert "a" in read_model
    assert refresher.healthy_sources["catalog"] is False
    model = store.current()
    assert model is not None
    assert model.popular(1)[0][0] == "a"


def test_orders_read_again_by_the_feed_overlap_change_nothing() -> None:
    order = make_purchase("o1", "u1", "a", "b")
    orders = ScriptedFeed([[order], [order], [order]])
    refresher, _, store, invalidator = make_refresher(ScriptedFeed(), orders)
    asyncio.run(refresher.refresh_once())
    first = store.current()
    asyncio.run(refresher.refresh_once())
    asyncio.run(refresher.refresh_once())
    assert store.current() is first  # no rebuild
    assert invalidator.users == []  # no cache thrown away


def test_rebuilds_are_rate_limited_but_changes_are_kept_for_the_next_one() -> None:
    orders = ScriptedFeed([[make_purchase("o1", "u1", "a")], [make_purchase("o2", "u2", "b")]])
    refresher, _, store, invalidator = make_refresher(
        ScriptedFeed(), orders, min_rebuild_interval_s=3600
    )
    asyncio.run(refresher.refresh_once())
    first = store.current()
    asyncio.run(refresher.refresh_once())
    assert store.current() is first  # too soon to rebuild
    assert invalidator.users == ["u2"]  # but the buyer's cached orders are already gone
    assert "o2" in refresher.purchases


def test_orders_from_the_feed_and_from_events_reach_the_purchase_index_and_the_pulse() -> None:
    orders = ScriptedFeed([[make_purchase("o1", "u1", "a")]])
    refresher, _, _, _ = make_refresher(ScriptedFeed(), orders)
    index = PurchaseIndex(history_orders=100)
    refresher.apply_orders = index.apply
    assert not feed_synced(refresher.orders_pulse)
    asyncio.run(refresher.follow_orders_once())
    assert refresher.orders_pulse.current()
    assert index.purchased("u1") == ("a",)
    refresher.record_orders([make_purchase("o2", "u1", "b")])  # an order.placed event
    assert index.purchased("u1") == ("a", "b")
    orders.down = True
    asyncio.run(refresher.follow_orders_once())
    assert feed_synced(refresher.orders_pulse)
    assert not refresher.orders_pulse.current()
    orders.down = False
    asyncio.run(refresher.follow_orders_once())
    assert refresher.orders_pulse.current()


def test_the_loops_follow_orders_more_often_than_the_catalogue() -> None:
    catalogue, orders = CountingFeed(), CountingFeed()
    refresher, _, store, _ = make_refresher(catalogue, orders)  # type: ignore[arg-type]

    async def run_briefly() -> None:
        task = asyncio.create_task(refresher.run_forever(0.5, orders_interval_s=0.05))
        await asyncio.sleep(0.6)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    asyncio.run(run_briefly())
    assert 1 <= catalogue.polls <= 3
    assert orders.polls >= 5  # every 50 ms over 0.6 s: ~12, wide margin for a loaded machine
    assert store.current() is not None  # the rebuild loop published the first model


@dataclass
class CountingFeed:
    polls: int = 0

    async def poll(self) -> list[object]:
        self.polls += 1
        return []
