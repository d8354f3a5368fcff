"""Create users and recent_views.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from nextbuy.core.sql import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("age_band", sa.String(8), nullable=True),
        sa.Column("gender", sa.String(16), nullable=True),
        sa.Column("country", sa.String(2), nullable=True),
        sa.Column("city", sa.String(100), nullable=True),
        sa.Column("favourite_categories", Json, nullable=False),
        sa.Column("price_band", sa.String(16), nullable=True),
        sa.Column("attributes", Json, nullable=False),
    )
    op.create_index("ix_users_updated_at_id", "users", ["updated_at", "id"])
    op.create_table(
        "recent_views",
        sa.Column(
            "user_id",
            sa.String(64),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("product_id", sa.String(64), primary_key=True),
        sa.Column("viewed_at", UTCDateTime(), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("recent_views")
    op.drop_index("ix_users_updated_at_id", table_name="users")
    op.drop_table("users")
