"""Applies the other services' events (from the bus) to the engine's read model and caches.

Every effect is an idempotent upsert or invalidation, and recently applied event ids are
remembered, so a redelivered event changes nothing: effectively-once on at-least-once
delivery.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import groupby

from nextbuy.contracts.events import (
    AnyEvent,
    OrderPlacedV1,
    ProductCreatedV1,
    ProductUpdatedV1,
    StockChangedV1,
    UserUpdatedV1,
)
from nextbuy.engine.domain.ports import ProductInfo, PurchaseRecord, StockLevel, UserDataInvalidator
from nextbuy.engine.domain.translate import product_info, purchase_record, stock_level

REMEMBERED_EVENTS = 100_000


@dataclass
class ServiceEventApplier:
    apply_products: Callable[[Iterable[ProductInfo]], int]
    apply_stock: Callable[[Iterable[StockLevel]], int]
    record_orders: Callable[[Iterable[PurchaseRecord]], None]
    invalidator: UserDataInvalidator | None = None
    on_outcome: Callable[[str, int], None] = lambda _outcome, _n: None
    """Told how many events of a batch were "applied" and how many "duplicate" (metrics)."""
    applied: int = 0
    duplicates: int = 0
    _seen: OrderedDict[str, None] = field(default_factory=OrderedDict)

    async def handle_batch(self, events: Sequence[AnyEvent]) -> None:
        """Apply events in order; a run of stock or product changes is one read-model upsert.

        Upserting a run at once is what lets the broker path keep up with a busy shop: the
        read model's per-call work (its sync timestamps, growing arrays) is paid per run.
        """
        fresh = self._not_seen(events)
        try:
            for _kind, same_kind in groupby(fresh, key=type):
                await self._apply_run(list(same_kind))
        except BaseException:
            for event in fresh:  # not applied (or not all): a retry must apply them again
                self._seen.pop(str(event.event_id), None)
            raise
        while len(self._seen) > REMEMBERED_EVENTS:
            self._seen.popitem(last=False)
        self.applied += len(fresh)
        if fresh:
            self.on_outcome("applied", len(fresh))

    def _not_seen(self, events: Sequence[AnyEvent]) -> list[AnyEvent]:
        fresh: list[AnyEvent] = []
        repeated = 0
        for event in events:
            key = str(event.event_id)
            if key in self._seen:
                repeated += 1
            else:
                self._seen[key] = None  # also catches a repeat within the batch
                fresh.append(event)
        if repeated:
            self.duplicates += repeated
            self.on_outcome("duplicate", repeated)
        return fresh

    async def _apply_run(self, run: list[AnyEvent]) -> None:
        """Apply events of one type: stock and product changes with one upsert."""
        stock = [e.stock for e in run if isinstance(e, StockChangedV1)]
        products = [e.product for e in run if isinstance(e, ProductCreatedV1 | ProductUpdatedV1)]
        if len(stock) == len(run):
            self.apply_stock([stock_level(level) for level in stock])
        elif len(products) == len(run):
            self.apply_products([product_info(product) for product in products])
        else:
            for event in run:
                await self._apply(event)

    async def _apply(self, event: AnyEvent) -> None:
        match event:
            case ProductCreatedV1() | ProductUpdatedV1():
                self.apply_products([product_info(event.product)])
            case StockChangedV1():
                self.apply_stock([stock_level(event.stock)])
            case OrderPlacedV1():
                self.record_orders([purchase_record(event.order)])
                if self.invalidator is not None:
                    await self.invalidator.invalidate_orders(event.order.user_id)
            case UserUpdatedV1():
                if self.invalidator is not None:
                    await self.invalidator.invalidate_profile(event.user.id)
