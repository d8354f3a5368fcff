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
"""SQLite: 10 parameters a row, 10,000 per statement, under SQLite's 32,766 limit."""

_POSTGRES_INSERT = (
    f"INSERT INTO engine_events ({', '.join(COLUMNS)}) "  # noqa: S608 - fixed names
    "SELECT * FROM unnest(%b::varchar[], %b::varchar[], %b::varchar[], %b::varchar[], "
    "%b::varchar[], %b::timestamptz[], %b::int[], %b::float8[], %b::varchar[], %b::timestamptz[]) "
    "ON CONFLICT (event_id) DO NOTHING RETURNING event_id"
)
"""PostgreSQL: one array per column, sent in binary. Per 1,000 events it measured 3.4 ms of
client CPU against 23.7 ms for a 10,000-parameter ``VALUES`` list, and 4.7 ms for ``COPY`` into
a staging table followed by ``INSERT … SELECT`` (which needs a second round trip)."""


class EventLog:
    """Appends with one ``INSERT … ON CONFLICT DO NOTHING RETURNING`` per chunk of events.

    This is the ingestion hot path: the statement goes through the DBAPI cursor, because
    SQLAlchemy's per-row parameter processing measured ~10× the database's own work here
    (77 ms against 7.5 ms per 1,000 events on SQLite). Reads use SQLAlchemy as usual.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sqlite = engine.dialect.name == "sqlite"
        self._row = "(" + ",".join(["?"] * len(COLUMNS)) + ")"
        # The statement runs on the driver's own cursor, so its errors arrive unwrapped
        # (sqlite3.OperationalError, psycopg.OperationalError), not as SQLAlchemy's.
        self._driver_error: type[Exception] = engine.dialect.loaded_dbapi.OperationalError

    def append(self, events: Sequence[InteractionEvent]) -> set[str]:
        """Store the events not seen before, in one transaction; returns their ids."""
        return self.append_batches([events])[0]

    def append_batches(self, batches: Sequence[Sequence[InteractionEvent]]) -> list[set[str]]:
        """Store several batches in one transaction (one commit); the new ids of each batch.

        An event id in two batches is credited to the first: the second sent it again.
        """
        owner: dict[str, int] = {}
        unique: list[InteractionEvent] = []
        for number, batch in enumerate(batches):
            for event in batch:
                if event.event_id not in owner:
                    owner[event.event_id] = number
                    unique.append(event)
        new_ids = self._insert(unique) if unique else set()
        per_batch: list[set[str]] = [set() for _ in batches]
        for event_id in new_ids:
            per_batch[owner[event_id]].add(event_id)
        return per_batch

    def _insert(self, events: Sequence[InteractionEvent]) -> set[str]:
        received = datetime.now(UTC)
        new_ids: set[str] = set()
        try:
            with self.engine.begin() as connection:
                driver = connection.connection.driver_connection
                if self._sqlite:
                    cursor = driver.cursor()  # type: ignore[union-attr]
                    for start in range(0, len(events), ROWS_PER_STATEMENT):
                        chunk = events[start : start + ROWS_PER_STATEMENT]
                        cursor.execute(self._statement(len(chunk)), _rows(chunk, received))
                        new_ids.update(row[0] for row in cursor.fetchall())
                else:
                    cursor = driver.cursor(binary=True)  # type: ignore[union-attr]
                    cursor.execute(_POSTGRES_INSERT, _columns(events, received))
                    new_ids.update(row[0] for row in cursor.fetchall())
                cursor.close()
        except (OperationalError, DBAPIError, self._driver_error) as error:
            raise UnavailableError("the event log is unavailable; retry the batch") from error
        return new_ids

    def _statement(self, rows: int) -> str:
        columns = ", ".join(COLUMNS)
        values = ",".join([self._row] * rows)
        return (
            f"INSERT INTO engine_events ({columns}) VALUES {values} "  # noqa: S608 - fixed names
            "ON CONFLICT (event_id) DO NOTHING RETURNING event_id"
        )

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


def _rows(events: Sequence[InteractionEvent], received: datetime) -> list[object]:
    """SQLite: the flat parameter list of a multi-row VALUES."""
    received_at = _sqlite_timestamp(received)
    flat: list[object] = []
    for e in events:
        flat += (
            e.event_id,
            e.type,
            e.user_id,
            e.session_id,
            e.product_id,
            _sqlite_timestamp(e.timestamp),
            e.quantity,
            e.price,
            e.recommendation_id,
            received_at,
        )
    return flat


def _columns(events: Sequence[InteractionEvent], received: datetime) -> list[list[object]]:
    """PostgreSQL: one list per column, for ``unnest``."""
    return [
        [e.event_id for e in events],
        [e.type for e in events],
        [e.user_id for e in events],
        [e.session_id for e in events],
        [e.product_id for e in events],
        [e.timestamp for e in events],
        [e.quantity for e in events],
        [e.price for e in events],
        [e.recommendation_id for e in events],
        [received] * len(events),
    ]


def _sqlite_timestamp(moment: datetime) -> str:
    """The text form SQLAlchemy's SQLite DateTime stores (naive UTC), so reads parse it back."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
