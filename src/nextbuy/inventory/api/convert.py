"""Translation between the public contracts and the inventory domain, in one place."""

from __future__ import annotations

from collections.abc import Sequence

from nextbuy.contracts.inventory import StockAdjustment, StockLevelPublic, StockLevelSet
from nextbuy.inventory.domain.events import stock_public
from nextbuy.inventory.domain.models import Adjustment, LevelSet, StockLevel


def to_public(level: StockLevel) -> StockLevelPublic:
    return stock_public(level)


def to_publics(levels: Sequence[StockLevel]) -> list[StockLevelPublic]:
    return [to_public(level) for level in levels]


def to_adjustment(adjustment: StockAdjustment) -> Adjustment:
    return Adjustment(
        product_id=adjustment.product_id,
        set_available=adjustment.set_available,
        delta_available=adjustment.delta_available,
        set_reserved=adjustment.set_reserved,
        delta_reserved=adjustment.delta_reserved,
    )


def to_level_set(level_set: StockLevelSet) -> LevelSet:
    return LevelSet(level_set.product_id, level_set.available, level_set.reserved)
