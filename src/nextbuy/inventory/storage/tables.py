"""The ORM mapping of the inventory's tables: stock levels, and the outbox of their events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from nextbuy.bus.sql_outbox import outbox_table
from nextbuy.core.sql import UTCDateTime
from nextbuy.inventory.domain.models import StockLevel


class InventoryBase(DeclarativeBase):
    """Metadata of the inventory schema (Alembic's target)."""


class StockRow(InventoryBase):
    """One product's stock. The checks repeat the domain rules so no writer can break them."""

    __tablename__ = "stock_levels"
    __table_args__ = (
        CheckConstraint("available >= 0", name="ck_stock_levels_available_non_negative"),
        CheckConstraint("reserved >= 0", name="ck_stock_levels_reserved_non_negative"),
        CheckConstraint("reserved <= available", name="ck_stock_levels_reserved_within"),
        # The change feed reads in (updated_at, product_id) order.
        Index("ix_stock_levels_updated_at_product_id", "updated_at", "product_id"),
    )

    product_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    available: Mapped[int] = mapped_column(Integer, nullable=False)
    reserved: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    def to_domain(self) -> StockLevel:
        return StockLevel(self.product_id, self.available, self.reserved, self.updated_at)


INVENTORY_OUTBOX = outbox_table("inventory_outbox", InventoryBase.metadata)
"""``stock.changed.v1`` events waiting for the bus, written in the transaction of the change."""
