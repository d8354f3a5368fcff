"""The profiles schema as typed SQLAlchemy ORM classes (migrations mirror it by hand)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from nextbuy.bus.sql_outbox import outbox_table
from nextbuy.core.sql import UTCDateTime

# JSONB on PostgreSQL: compact, and comparable should a query ever need it.
JsonDocument = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    pass


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    age_band: Mapped[str | None] = mapped_column(String(8))
    gender: Mapped[str | None] = mapped_column(String(16))
    country: Mapped[str | None] = mapped_column(String(2))
    city: Mapped[str | None] = mapped_column(String(100))
    favourite_categories: Mapped[list[str]] = mapped_column(JsonDocument)
    price_band: Mapped[str | None] = mapped_column(String(16))
    attributes: Mapped[dict[str, Any]] = mapped_column(JsonDocument)

    # The change feed reads in (updated_at, id) order.
    __table_args__ = (Index("ix_users_updated_at_id", "updated_at", "id"),)


class RecentViewRow(Base):
    """One view; the primary key makes a repeated (product, instant) pair a single row."""

    __tablename__ = "recent_views"

    user_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    product_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    viewed_at: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)


PROFILES_OUTBOX = outbox_table("profiles_outbox", Base.metadata)
"""``user.updated.v1`` events waiting for the bus, written in the transaction of the change."""
