"""Keeps the catalogue read model and the co-purchase model fresh by following change feeds."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from nextbuy.engine.domain.errors import UpstreamError
from nextbuy.engine.domain.model import RecommendationModel
from nextbuy.engine.domain.ports import ChangeFeed, ProductInfo, PurchaseRecord

logger = logging.getLogger(__name__)


@dataclass
class Refresher:
    """Polls the feeds, applies catalogue changes, and rebuilds the model when orders changed."""

    catalogue_feed: ChangeFeed[ProductInfo]
    orders_feed: ChangeFeed[PurchaseRecord]
    apply_products: Callable[[list[ProductInfo]], int]
    publish_model: Callable[[RecommendationModel], None]
    neighbours_per_item: int
    purchases: dict[str, PurchaseRecord] = field(default_factory=dict)
    built_once: bool = False
    healthy_sources: dict[str, bool] = field(default_factory=dict)

    async def refresh_once(self) -> None:
        """One round: catalogue first (so new products have titles), then orders and the model."""
        try:
            products = list(await self.catalogue_feed.poll())
            self.apply_products(products)
            self.healthy_sources["catalog"] = True
        except UpstreamError as error:
            self.healthy_sources["catalog"] = False
            logger.warning("catalogue feed unavailable", extra={"reason": error.reason})
        try:
            orders = list(await self.orders_feed.poll())
            self.healthy_sources["orders"] = True
        except UpstreamError as error:
            self.healthy_sources["orders"] = False
            logger.warning("orders feed unavailable", extra={"reason": error.reason})
            orders = []
        for record in orders:
            self.purchases[record.order_id] = record
        if orders or not self.built_once:
            await self._rebuild()

    async def _rebuild(self) -> None:
        records = list(self.purchases.values())
        # Fitting is CPU-bound numpy/scipy work: keep it off the event loop serving requests.
        model = await asyncio.to_thread(
            RecommendationModel.build, records, neighbours_per_item=self.neighbours_per_item
        )
        self.publish_model(model)
        self.built_once = True
        logger.info("model published", extra={"version": model.version, "orders": len(records)})

    async def run_forever(self, interval_s: float) -> None:
        """Refresh every ``interval_s`` until cancelled; a failed round is logged, never fatal."""
        while True:
            try:
                await self.refresh_once()
            except Exception:  # a bug in one round must not stop the next ones
                logger.exception("refresh round failed")
            await asyncio.sleep(interval_s)
