"""The durable log of accepted interaction events: written before ``202`` is returned.

Deduplication is the primary key on the client's event id with ``ON CONFLICT DO NOTHING``;
``RETURNING`` tells which events were new, so only those take effect in memory.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError

from nextbuy.contracts.engine import InteractionEvent
from nextbuy.core.errors import UnavailableError
from nextbuy.engine.storage.tables import interaction_events


class EventLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        dialect = engine.dialect.name
        self._insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(
            interaction_events
        )

    def append(self, events: Sequence[InteractionEvent]) -> set[str]:
        """Store the events not seen before, in one transaction; returns their ids."""
        if not events:
            return set()
        now = datetime.now(UTC)
        rows = [
            {
                "event_id": e.event_id,
                "type": e.type,
                "user_id": e.user_id,
                "session_id": e.session_id,
                "product_id": e.product_id,
                "occurred_at": e.timestamp,
                "quantity": e.quantity,
                "price": e.price,
                "recommendation_id": e.recommendation_id,
                "received_at": now,
            }
            for e in {e.event_id: e for e in events}.values()
        ]
        statement = self._insert.on_conflict_do_nothing(index_elements=["event_id"]).returning(
            interaction_events.c.event_id
        )
        try:
            with self.engine.begin() as connection:
                return set(connection.execute(statement, rows).scalars())
        except OperationalError as error:
            raise UnavailableError("the event log is unavailable; retry the batch") from error

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
