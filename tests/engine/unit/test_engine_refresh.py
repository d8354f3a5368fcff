"""The refresher follows both feeds, rebuilds on new orders, and survives a dead feed."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from nextbuy.engine.domain.errors import UpstreamError
from nextbuy.engine.domain.model import RecommendationModel
from nextbuy.engine.domain.refresh import Refresher
from nextbuy.engine.storage.catalogue_view import CatalogueView
from nextbuy.engine.storage.model_store import ModelStore
from tests.engine.unit.builders import make_product, make_purchase


@dataclass
class ScriptedFeed:
    batches: list[list[object]] = field(default_factory=list)
    down: bool = False

    async def poll(self) -> list[object]:
        if self.down:
            raise UpstreamError("feed", "down")
        return self.batches.pop(0) if self.batches else []


def make_refresher(
    catalogue_feed: ScriptedFeed, orders_feed: ScriptedFeed
) -> tuple[Refresher, CatalogueView, ModelStore]:
    view, store = CatalogueView(), ModelStore()
    refresher = Refresher(
        catalogue_feed=catalogue_feed,  # type: ignore[arg-type]
        orders_feed=orders_feed,  # type: ignore[arg-type]
        apply_products=view.apply,
        publish_model=store.swap,
        neighbours_per_item=10,
    )
    return refresher, view, store


def test_first_round_publishes_a_model_even_with_no_orders() -> None:
    refresher, _, store = make_refresher(ScriptedFeed(), ScriptedFeed())
    asyncio.run(refresher.refresh_once())
    model = store.current()
    assert isinstance(model, RecommendationModel)
    assert model.popular(5) == []


def test_new_orders_rebuild_and_updated_orders_replace_old_versions() -> None:
    orders = ScriptedFeed(
        [
            [make_purchase("o1", "u1", "a", "b")],
            [make_purchase("o1", "u1", "a", "b", cancelled=True), make_purchase("o2", "u2", "c")],
        ]
    )
    refresher, view, store = make_refresher(ScriptedFeed([[make_product("a")]]), orders)
    asyncio.run(refresher.refresh_once())
    first = store.current()
    assert first is not None
    assert [p for p, _ in first.popular(5)] == ["a", "b"]
    assert "a" in view
    asyncio.run(refresher.refresh_once())
    second = store.current()
    assert second is not None
    assert [p for p, _ in second.popular(5)] == ["c"]


def test_a_dead_catalogue_feed_keeps_the_old_view_and_still_learns_orders() -> None:
    catalogue = ScriptedFeed([[make_product("a")]])
    orders = ScriptedFeed([[], [make_purchase("o1", "u1", "a")]])
    refresher, view, store = make_refresher(catalogue, orders)
    asyncio.run(refresher.refresh_once())
    catalogue.down = True
    asyncio.run(refresher.refresh_once())
    assert "a" in view
    assert refresher.healthy_sources["catalog"] is False
    model = store.current()
    assert model is not None
    assert model.popular(1)[0][0] == "a"
