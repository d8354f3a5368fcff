"""An in-memory :class:`~nextbuy.bus.relay.OutboxStore`: the relay's reference store in tests."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from nextbuy.bus.envelope import encode
from nextbuy.bus.relay import OutboxRecord
from nextbuy.contracts.events import EventBase


class MemoryOutbox:
    """Rows in a dict keyed by id; ``published`` keeps the ids of confirmed events, in order."""

    def __init__(self, events: Sequence[EventBase] = ()) -> None:
        self._rows: dict[int, OutboxRecord] = {}
        self._next_id = 1
        self.published: list[UUID] = []
        self.add(events)

    def add(self, events: Sequence[EventBase]) -> None:
        for event in events:
            self._rows[self._next_id] = OutboxRecord(self._next_id, event.event_id, encode(event))
            self._next_id += 1

    def pending(self, *, limit: int) -> list[OutboxRecord]:
        return [self._rows[i] for i in sorted(self._rows)[:limit]]

    def mark_published(self, ids: Sequence[int]) -> None:
        for row_id in ids:
            record = self._rows.pop(row_id, None)
            if record is not None:
                self.published.append(record.event_id)

    @property
    def pending_count(self) -> int:
        return len(self._rows)
