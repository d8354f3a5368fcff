"""Alembic environment: runs on the connection ``nextbuy.core.sql.run_migrations`` provides."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from nextbuy.profiles.storage.schema import VERSION_TABLE
from nextbuy.profiles.storage.tables import Base


def run_online(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


_connection = context.config.attributes.get("connection")
if _connection is None:
    raise RuntimeError("profiles migrations run through `nextbuy migrate`, not the alembic CLI")
run_online(_connection)
