"""Alembic environment of the inventory: runs on the connection ``run_migrations`` hands over."""

from __future__ import annotations

from alembic import context

from nextbuy.inventory.storage.tables import InventoryBase

# Its own version table, so the inventory can share a PostgreSQL database with other services.
VERSION_TABLE = "inventory_alembic_version"

context.configure(
    connection=context.config.attributes["connection"],
    target_metadata=InventoryBase.metadata,
    version_table=VERSION_TABLE,
    render_as_batch=True,  # SQLite alters tables by copying them
)
with context.begin_transaction():
    context.run_migrations()
