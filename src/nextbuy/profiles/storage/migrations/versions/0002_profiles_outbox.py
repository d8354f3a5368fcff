"""Create profiles_outbox: user events written with the change, relayed to the bus.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from nextbuy.core.sql import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "profiles_outbox",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("event_id", name="uq_profiles_outbox_event_id"),
    )
    op.create_index("ix_profiles_outbox_published_at_id", "profiles_outbox", ["published_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_profiles_outbox_published_at_id", table_name="profiles_outbox")
    op.drop_table("profiles_outbox")
