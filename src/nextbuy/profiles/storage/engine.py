"""The profiles engine: the shared factory, plus real write transactions on SQLite.

pysqlite starts a transaction only at the first write, so a read-then-write (load existing
rows, then insert the new ones) is not atomic and two threads can both insert the same id.
Following SQLAlchemy's documented recipe we emit BEGIN ourselves, and BEGIN IMMEDIATE for
write sessions, so SQLite writers queue on the busy timeout instead of racing.
PostgreSQL needs none of this: writes lock the rows they read with SELECT ... FOR UPDATE.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, event

from nextbuy.core.sql import create_database_engine

WRITE_OPTION = "nextbuy_write"
"""Execution option marking an engine whose transactions will write."""


def create_profiles_engine(url: str, *, pool_size: int) -> Engine:
    """Create the engine of one app (never at import time)."""
    engine = create_database_engine(url, pool_size=pool_size)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _leave_transactions_to_sqlalchemy)
        event.listen(engine, "begin", _begin_sqlite_transaction)
    return engine


def writer(engine: Engine) -> Engine:
    """The same engine (same pool) whose transactions take the write lock at BEGIN on SQLite."""
    return engine.execution_options(**{WRITE_OPTION: True})


def _leave_transactions_to_sqlalchemy(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None


def _begin_sqlite_transaction(connection: Connection) -> None:
    immediate = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
