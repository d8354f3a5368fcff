"""The durable log of accepted interaction events: written before ``202`` is returned.

Deduplication is the primary key on the client's event id with ``ON CONFLICT DO NOTHING``;
``RETURNING`` tells which events were new, so only those take effect in memory.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DBAPIError, OperationalError

from nextbuy.contracts.engine import InteractionEvent
from nextbuy.core.errors import UnavailableError
from nextbuy.engine.storage.tables import interaction_events

COLUMNS = (
    "event_id",
    "type",
    "user_id",
    "session_id",
    "product_id",
    "occurred_at",
    "quantity",
    "price",
    "recommendation_id",
    "received_at",
)
ROWS_PER_STATEMENT = 1000
"""10 parameters a row: 10,000 per statement, under SQLite's 32,766 limit."""


class EventLog:
    """Appends with one multi-row ``INSERT … ON CONFLICT DO NOTHING RETURNING`` per 1,000 events.

    This is the ingestion hot path: the statement goes through the DBAPI cursor, because
    SQLAlchemy's per-row parameter processing measured ~10× the database's own work here
    (77 ms against 7.5 ms per 1,000 events on SQLite). Reads use SQLAlchemy as usual.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sqlite = engine.dialect.name == "sqlite"
        placeholder = "?" if self._sqlite else "%s"
        self._row = "(" + ",".join([placeholder] * len(COLUMNS)) + ")"

    def append(self, events: Sequence[InteractionEvent]) -> set[str]:
        """Store the events not seen before, in one transaction; returns their ids."""
        unique = list({e.event_id: e for e in events}.values())
        if not unique:
            return set()
        received = datetime.now(UTC)
        new_ids: set[str] = set()
        try:
            with self.engine.begin() as connection:
                cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
                for start in range(0, len(unique), ROWS_PER_STATEMENT):
                    chunk = unique[start : start + ROWS_PER_STATEMENT]
                    cursor.execute(self._statement(len(chunk)), self._parameters(chunk, received))
                    new_ids.update(row[0] for row in cursor.fetchall())
                cursor.close()
        except (OperationalError, DBAPIError) as error:
            raise UnavailableError("the event log is unavailable; retry the batch") from error
        return new_ids

    def _statement(self, rows: int) -> str:
        columns = ", ".join(COLUMNS)
        values = ",".join([self._row] * rows)
        return (
            f"INSERT INTO engine_events ({columns}) VALUES {values} "  # noqa: S608 - fixed names
            "ON CONFLICT (event_id) DO NOTHING RETURNING event_id"
        )

    def _parameters(self, events: Sequence[InteractionEvent], received: datetime) -> list[object]:
        stamp = _sqlite_timestamp if self._sqlite else _utc
        received_at = stamp(received)
        flat: list[object] = []
        for e in events:
            flat += (
                e.event_id,
                e.type,
                e.user_id,
                e.session_id,
                e.product_id,
                stamp(e.timestamp),
                e.quantity,
                e.price,
                e.recommendation_id,
                received_at,
            )
        return flat

    def count(self) -> int:
        with self.engine.connect() as connection:
            return int(
                connection.execute(
                    select(func.count()).select_from(interaction_events)
                ).scalar_one()
            )

    def read_all(self, batch: int = 10_000) -> Iterator[list[InteractionEvent]]:
        """Every stored event in arrival order, in batches (for training)."""
        query = select(interaction_events).order_by(
            interaction_events.c.received_at, interaction_events.c.event_id
        )
        with self.engine.connect() as connection:
            result = connection.execution_options(stream_results=True).execute(query)
            for chunk in result.partitions(batch):
                yield [
                    InteractionEvent(
                        event_id=row.event_id,
                        type=row.type,
                        user_id=row.user_id,
                        session_id=row.session_id,
                        product_id=row.product_id,
                        timestamp=row.occurred_at,
                        quantity=row.quantity,
                        price=row.price,
                        recommendation_id=row.recommendation_id,
                    )
                    for row in chunk
                ]


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _sqlite_timestamp(moment: datetime) -> str:
    """The text form SQLAlchemy's SQLite DateTime stores (naive UTC), so reads parse it back."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
