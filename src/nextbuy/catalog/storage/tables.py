"""The catalog's SQLAlchemy schema: ``catalog_products`` and the ``catalog_outbox`` of its events.

The category path is stored "/"-joined in one indexed column, so the list endpoint filters
with plain string comparisons on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Numeric, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from nextbuy.bus.sql_outbox import outbox_table
from nextbuy.core.sql import UTCDateTime

# Ids sort bytewise on PostgreSQL too ("C" collation), as on SQLite, so pages come out in the
# same order on both and match Python's ``sorted``.
ProductId = String(64).with_variant(String(64, collation="C"), "postgresql")

# JSONB on PostgreSQL compares and indexes attribute documents; plain JSON text elsewhere.
AttributesJSON = JSON().with_variant(JSONB(), "postgresql")


class CatalogBase(DeclarativeBase):
    """Declarative base of the catalog's tables only (migrations compare against it)."""


class ProductRow(CatalogBase):
    __tablename__ = "catalog_products"
    __table_args__ = (Index("ix_catalog_products_updated_at_id", "updated_at", "id"),)

    id: Mapped[str] = mapped_column(ProductId, primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(1000), index=True, default="")
    brand: Mapped[str | None] = mapped_column(String(100))
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3))
    image_url: Mapped[str | None] = mapped_column(Text)
    attributes: Mapped[dict[str, Any]] = mapped_column(AttributesJSON)
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


CATALOG_OUTBOX = outbox_table("catalog_outbox", CatalogBase.metadata)
"""Events waiting for the bus, written in the transaction of the change they describe."""
