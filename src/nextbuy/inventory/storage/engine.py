"""The inventory's engine: the shared factory plus SQLite transactions that lock for writing.

pysqlite opens a transaction lazily at the first write, so a read-modify-write would read
outside any transaction and two writers could both add 1 to the same count. We take over
``BEGIN`` and let write sessions ask for ``BEGIN IMMEDIATE``: they then queue on SQLite's
write lock (up to the busy timeout) just as PostgreSQL writers queue on ``FOR UPDATE``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event

from nextbuy.core.sql import create_database_engine, run_migrations
from nextbuy.inventory.settings import InventorySettings

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BEGIN_OPTION = "nextbuy_sqlite_begin"
SUPPORTED_DIALECTS = frozenset({"sqlite", "postgresql"})


def create_inventory_engine(settings: InventorySettings) -> Engine:
    """An engine on ``settings.database_url``; refuses databases we have not tested."""
    engine = create_database_engine(
        settings.database_url.get_secret_value(), pool_size=settings.database_pool_size
    )
    if engine.dialect.name not in SUPPORTED_DIALECTS:
        engine.dispose()
        raise ValueError(f"inventory supports sqlite and postgresql, not {engine.dialect.name}")
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _leave_transactions_to_us)
        event.listen(engine, "begin", _begin_sqlite_transaction)
    return engine


def writer(engine: Engine) -> Engine:
    """The same engine (same pool) whose transactions take SQLite's write lock up front."""
    return engine.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})


def migrate_schema(engine: Engine) -> None:
    """Create or upgrade the inventory schema; running it again changes nothing."""
    run_migrations(engine, MIGRATIONS)


def _leave_transactions_to_us(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None


def _begin_sqlite_transaction(connection: Connection) -> None:
    mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")
