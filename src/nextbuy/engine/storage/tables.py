"""The engine's own tables: the log of interaction events it accepted."""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, MetaData, String, Table

from nextbuy.core.sql import UTCDateTime

metadata = MetaData()

interaction_events = Table(
    "engine_events",
    metadata,
    # The client's id is the primary key: a resent event is a conflict, not a second row.
    Column("event_id", String(64), primary_key=True),
    Column("type", String(32), nullable=False),
    Column("user_id", String(64), nullable=True),
    Column("session_id", String(64), nullable=True),
    Column("product_id", String(64), nullable=False),
    Column("occurred_at", UTCDateTime(), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("price", Float, nullable=True),
    Column("recommendation_id", String(64), nullable=True),
    Column("received_at", UTCDateTime(), nullable=False),
    Index("ix_engine_events_received_at", "received_at"),
    Index("ix_engine_events_user", "user_id", "occurred_at"),
)
