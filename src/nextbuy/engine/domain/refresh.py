"""Keeps the read model and the model fresh by following the services' change feeds.

Catalogue and stock changes go into the read model; new or changed orders go into the
purchase index, invalidate that user's cached order history and trigger a model rebuild. Every
feed is optional per round: a dead upstream leaves its part of the read model as it was (and
stale, which requests report).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from nextbuy.engine.domain.errors import UpstreamError
from nextbuy.engine.domain.feed_pulse import FeedPulse
from nextbuy.engine.domain.model import RecommendationModel
from nextbuy.engine.domain.ports import (
    ChangeFeed,
    ProductInfo,
    PurchaseRecord,
    StockLevel,
    UserDataInvalidator,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class Refresher:
    """Polls the feeds, applies changes, and rebuilds the model when orders changed.

    The catalogue and stock feeds are a fallback for their events and are polled every few
    seconds. The orders feed is also what answers read purchases from (``apply_orders``, ADR
    0024), so it is polled on its own, more often, and its ``orders_pulse`` says whether it is
    current.
    """

    catalogue_feed: ChangeFeed[ProductInfo]
    stock_feed: ChangeFeed[StockLevel]
    orders_feed: ChangeFeed[PurchaseRecord]
    apply_products: Callable[[Iterable[ProductInfo]], int]
    apply_stock: Callable[[Iterable[StockLevel]], int]
    publish_model: Callable[[RecommendationModel], None]
    neighbours_per_item: int
    invalidator: UserDataInvalidator | None = None
    apply_orders: Callable[[Iterable[PurchaseRecord]], object] | None = None
    """Where else new or changed orders go (the per-user purchase index)."""
    orders_pulse: FeedPulse = field(default_factory=FeedPulse)
    purchases: dict[str, PurchaseRecord] = field(default_factory=dict)
    built_once: bool = False
    healthy_sources: dict[str, bool] = field(default_factory=dict)
    min_rebuild_interval_s: float = 30.0
    """Rebuilding holds the GIL for a while (numpy and Python loops over items): at most this
    often. A buyer's own new order reaches their answers at once anyway (cache invalidation)."""
    _dirty: bool = False
    _orders_polled: bool = False
    _last_build: float = 0.0

    def record_orders(self, records: Iterable[PurchaseRecord]) -> None:
        """Orders that arrived as events, before the feed has them: in the purchase index at
        once, in the model at the next rebuild."""
        self._take([r for r in records if self.purchases.get(r.order_id) != r])

    async def refresh_once(self) -> None:
        """One round of everything: catalogue first (so new products have titles), stock,
        orders, then the model if it is due."""
        await self.refresh_catalogue_once()
        await self.follow_orders_once()
        await self.rebuild_if_due()

    async def refresh_catalogue_once(self) -> None:
        products = await self._poll("catalog", self.catalogue_feed)
        if products is not None:
            self.apply_products(products)
        levels = await self._poll("inventory", self.stock_feed)
        if levels is not None:
            self.apply_stock(levels)

    async def follow_orders_once(self) -> None:
        self.orders_pulse.poll_started()
        polled = await self._poll("orders", self.orders_feed)
        self._orders_polled = True
        if polled is None:
            self.orders_pulse.poll_failed()
            return
        # Feeds are at-least-once (followers re-read an overlap window): only real changes
        # may invalidate caches or rebuild the model.
        orders = [r for r in polled if self.purchases.get(r.order_id) != r]
        self._take(orders)
        self.orders_pulse.poll_succeeded()
        if self.invalidator is not None and self.built_once:
            for user_id in {record.user_id for record in orders}:
                await self.invalidator.invalidate_orders(user_id)

    async def rebuild_if_due(self) -> None:
        """The first model once orders were asked for (even if the feed was down), then a new
        one when orders changed, at most every ``min_rebuild_interval_s``."""
        if not self._orders_polled:
            return
        due = time.monotonic() - self._last_build >= self.min_rebuild_interval_s
        if not self.built_once or (self._dirty and due):
            self._dirty = False
            await self._rebuild()

    def _take(self, orders: list[PurchaseRecord]) -> None:
        for record in orders:
            self.purchases[record.order_id] = record
        if orders:
            self._dirty = True
            if self.apply_orders is not None:
                self.apply_orders(orders)

    async def _poll(self, source: str, feed: ChangeFeed[T]) -> list[T] | None:
        try:
            changes = list(await feed.poll())
        except UpstreamError as error:
            self.healthy_sources[source] = False
            logger.warning(
                "change feed unavailable", extra={"source": source, "reason": error.reason}
            )
            return None
        self.healthy_sources[source] = True
        return changes

    async def _rebuild(self) -> None:
        records = list(self.purchases.values())
        # Fitting is CPU-bound numpy/scipy work: keep it off the event loop serving requests.
        model = await asyncio.to_thread(
            RecommendationModel.build, records, neighbours_per_item=self.neighbours_per_item
        )
        self.publish_model(model)
        self.built_once = True
        self._last_build = time.monotonic()
        logger.info("model published", extra={"version": model.version, "orders": len(records)})

    async def run_forever(self, interval_s: float, orders_interval_s: float | None = None) -> None:
        """Follow the catalogue and stock every ``interval_s``, the orders every
        ``orders_interval_s``, and rebuild when due, until cancelled."""
        orders_every = interval_s if orders_interval_s is None else orders_interval_s
        await asyncio.gather(
            _every(interval_s, self.refresh_catalogue_once, "catalogue refresh"),
            _every(orders_every, self.follow_orders_once, "orders refresh"),
            _every(min(orders_every, 1.0), self.rebuild_if_due, "model rebuild"),
        )


async def _every(interval_s: float, round_: Callable[[], Awaitable[None]], name: str) -> None:
    """Start ``round_`` every ``interval_s`` (a slow round delays the next, never overlaps it);
    a failed round is logged, never fatal."""
    while True:
        started = time.monotonic()
        try:
            await round_()
        except Exception:  # a bug in one round must not stop the next ones
            logger.exception("%s failed", name)
        await asyncio.sleep(max(0.0, interval_s - (time.monotonic() - started)))
