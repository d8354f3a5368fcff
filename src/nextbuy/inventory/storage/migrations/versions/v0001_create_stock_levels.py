"""Create stock_levels: one row per stocked product.

Revision ID: 0001
Revises:
Create Date: 2024-06-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from nextbuy.core.sql import UTCDateTime

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "stock_levels",
        sa.Column("product_id", sa.String(64), primary_key=True),
        sa.Column("available", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("available >= 0", name="ck_stock_levels_available_non_negative"),
        sa.CheckConstraint("reserved >= 0", name="ck_stock_levels_reserved_non_negative"),
        sa.CheckConstraint("reserved <= available", name="ck_stock_levels_reserved_within"),
    )
    op.create_index(
        "ix_stock_levels_updated_at_product_id", "stock_levels", ["updated_at", "product_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_stock_levels_updated_at_product_id", table_name="stock_levels")
    op.drop_table("stock_levels")
