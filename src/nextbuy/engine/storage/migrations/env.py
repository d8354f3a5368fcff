"""Alembic environment: runs on the connection ``nextbuy.core.sql.run_migrations`` passes in."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from nextbuy.engine.storage.tables import metadata

# Our own version table, so the engine can share a PostgreSQL database with other services.
VERSION_TABLE = "alembic_version_engine"


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError("run engine migrations through nextbuy.engine.app.migrate")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
