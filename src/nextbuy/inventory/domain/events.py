"""The events the inventory publishes: ``stock.changed.v1``, one per product whose levels moved.

A write that leaves a product's levels as they were (a replayed seed, an adjustment netting
to zero) publishes nothing for it, exactly as it leaves its ``updated_at`` alone.
"""

from __future__ import annotations

from collections.abc import Iterable

from nextbuy.contracts.events import EventBase, StockChangedV1
from nextbuy.contracts.inventory import StockLevelPublic
from nextbuy.inventory.domain.models import StockLevel

SOURCE = "inventory"


def stock_public(level: StockLevel) -> StockLevelPublic:
    """The public view of a product's stock (the API answers with it too)."""
    return StockLevelPublic(
        product_id=level.product_id,
        available=level.available,
        reserved=level.reserved,
        updated_at=level.updated_at,
    )


def stock_changed_events(levels: Iterable[StockLevel]) -> list[EventBase]:
    """One ``stock.changed.v1`` per changed level, stamped with its ``updated_at``."""
    return [
        StockChangedV1(occurred_at=level.updated_at, source=SOURCE, stock=stock_public(level))
        for level in levels
    ]
