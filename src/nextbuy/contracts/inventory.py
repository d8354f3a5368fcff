"""Real-time Inventory service payloads."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, model_validator

from nextbuy.contracts.common import MAX_BATCH, Identifier, InputModel, OutputModel

MAX_UNITS = 1_000_000_000


class StockAdjustment(InputModel):
    """Change one product's stock: set absolute levels, or add deltas (negative to remove).

    Giving both ``set_available`` and ``delta_available`` is a 422. Levels never go below zero:
    an adjustment that would is rejected (409), not clamped, so a lost sale is visible.
    """

    product_id: Identifier
    set_available: int | None = Field(default=None, ge=0, le=MAX_UNITS)
    delta_available: int | None = Field(default=None, ge=-MAX_UNITS, le=MAX_UNITS)
    set_reserved: int | None = Field(default=None, ge=0, le=MAX_UNITS)
    delta_reserved: int | None = Field(default=None, ge=-MAX_UNITS, le=MAX_UNITS)

    @model_validator(mode="after")
    def _one_way_per_level(self) -> StockAdjustment:
        if self.set_available is not None and self.delta_available is not None:
            raise ValueError("give set_available or delta_available, not both")
        if self.set_reserved is not None and self.delta_reserved is not None:
            raise ValueError("give set_reserved or delta_reserved, not both")
        if all(
            v is None
            for v in (
                self.set_available,
                self.delta_available,
                self.set_reserved,
                self.delta_reserved,
            )
        ):
            raise ValueError("an adjustment must change available or reserved")
        return self


class StockAdjustBatch(InputModel):
    adjustments: list[StockAdjustment] = Field(min_length=1, max_length=MAX_BATCH)


class StockLevelPublic(OutputModel):
    product_id: str
    available: int
    reserved: int
    updated_at: datetime

    @property
    def in_stock(self) -> bool:
        return self.available - self.reserved > 0


class StockAdjustResult(OutputModel):
    """The levels after an adjust batch: one item per product, in first-mentioned order."""

    items: list[StockLevelPublic]


class StockLevelSet(InputModel):
    """One product's absolute levels, as a seeder or a nightly stock sync knows them."""

    product_id: Identifier
    available: int = Field(ge=0, le=MAX_UNITS)
    reserved: int = Field(default=0, ge=0, le=MAX_UNITS)

    @model_validator(mode="after")
    def _reserved_within_available(self) -> StockLevelSet:
        if self.reserved > self.available:
            raise ValueError("reserved cannot exceed available")
        return self


class StockBulkUpsert(InputModel):
    """``POST /v1/stock:bulkUpsert``: 1 to 1,000 absolute levels, each product at most once."""

    levels: list[StockLevelSet] = Field(min_length=1, max_length=MAX_BATCH)
