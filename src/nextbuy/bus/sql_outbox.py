"""The outbox table on SQLAlchemy, shared by the services that own a SQLAlchemy database.

Each service declares its own table (``catalog_outbox``, ...) in its own metadata with
:func:`outbox_table`, so services may share one PostgreSQL database without colliding; its
migrations create the same columns. Services write rows with :func:`append_events` on the
session of the change itself — that shared transaction is the whole point of an outbox —
and the relay reads them back through :class:`SqlOutboxStore`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    Uuid,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from nextbuy.bus.envelope import encode, event_type
from nextbuy.bus.relay import OutboxRecord
from nextbuy.contracts.events import EventBase
from nextbuy.core.sql import UTCDateTime, utcnow

# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
OutboxId = BigInteger().with_variant(Integer(), "sqlite")


def outbox_table(name: str, metadata: MetaData) -> Table:
    """Declare the outbox table ``name`` in ``metadata``."""
    return Table(
        name,
        metadata,
        Column("id", OutboxId, primary_key=True, autoincrement=True),
        Column("event_id", Uuid(), nullable=False),
        Column("type", String(64), nullable=False),
        # The exact bytes the bus carries: JSONB would reorder keys and re-encode numbers.
        Column("payload", LargeBinary(), nullable=False),
        Column("created_at", UTCDateTime(), nullable=False),
        Column("published_at", UTCDateTime(), nullable=True),
        UniqueConstraint("event_id", name=f"uq_{name}_event_id"),
        # The relay's query: unpublished rows (NULL sorts together) in id order.
        Index(f"ix_{name}_published_at_id", "published_at", "id"),
    )


def append_events(session: Session, table: Table, events: Sequence[EventBase]) -> None:
    """Add ``events`` to the outbox inside ``session``'s transaction (one executemany)."""
    if not events:
        return
    now = utcnow()
    session.execute(
        insert(table),
        [
            {
                "event_id": event.event_id,
                "type": event_type(event),
                "payload": encode(event),
                "created_at": now,
            }
            for event in events
        ],
    )


class SqlOutboxStore:
    """:class:`~nextbuy.bus.relay.OutboxStore` over one outbox table."""

    def __init__(self, engine: Engine, table: Table) -> None:
        self._engine = engine
        self._table = table

    def pending(self, *, limit: int) -> list[OutboxRecord]:
        table = self._table
        query = (
            select(table.c.id, table.c.event_id, table.c.payload)
            .where(table.c.published_at.is_(None))
            .order_by(table.c.id)
            .limit(limit)
        )
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return [OutboxRecord(row.id, row.event_id, bytes(row.payload)) for row in rows]

    def mark_published(self, ids: Sequence[int]) -> None:
        statement = (
            update(self._table).where(self._table.c.id.in_(list(ids))).values(published_at=utcnow())
        )
        with self._engine.begin() as connection:
            connection.execute(statement)

    def prune(self, *, published_before: datetime) -> int:
        """Delete rows published before ``published_before``; returns how many."""
        statement = delete(self._table).where(self._table.c.published_at < published_before)
        with self._engine.begin() as connection:
            return int(connection.execute(statement).rowcount or 0)

    def count_pending(self) -> int:
        """How many events wait to be published (for readiness pages and tests)."""
        query = select(func.count()).where(self._table.c.published_at.is_(None))
        with self._engine.connect() as connection:
            return int(connection.execute(query).scalar_one())
