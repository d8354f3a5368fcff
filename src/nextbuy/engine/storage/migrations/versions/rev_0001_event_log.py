"""The interaction event log.

Revision ID: engine_0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from nextbuy.core.sql import UTCDateTime

revision = "engine_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "engine_events",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=True),
        sa.Column("session_id", sa.String(64), nullable=True),
        sa.Column("product_id", sa.String(64), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("price", sa.Float, nullable=True),
        sa.Column("recommendation_id", sa.String(64), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_engine_events_received_at", "engine_events", ["received_at"])
    op.create_index("ix_engine_events_user", "engine_events", ["user_id", "occurred_at"])


def downgrade() -> None:
    op.drop_table("engine_events")
