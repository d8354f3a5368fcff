"""Accepting interaction events: validate each, store the new ones durably, then apply them.

One bad event does not sink its batch: it is reported by index with the reason, and the good
ones are kept. Nothing takes effect before it is durably stored, and a resent event (same
client id) is stored and applied once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from pydantic import TypeAdapter, ValidationError

from nextbuy.contracts.common import FieldErrorBody
from nextbuy.contracts.engine import EventBatchResult, InteractionEvent, RejectedEvent
from nextbuy.core.errors import field_errors_from_pydantic
from nextbuy.engine.domain.sessions import SessionStore

MAX_CLOCK_SKEW = timedelta(minutes=5)
_EVENT = TypeAdapter(InteractionEvent)


class EventStore(Protocol):
    def append(self, events: Sequence[InteractionEvent]) -> set[str]:
        """Store events not seen before, atomically; return the ids that were new."""
        ...


@dataclass
class EventIngestor:
    store: EventStore
    sessions: SessionStore
    on_new_events: Callable[[list[InteractionEvent]], None] | None = None

    async def ingest(self, raw_events: Sequence[Any]) -> EventBatchResult:
        valid, rejected = _validate(raw_events, now=datetime.now(UTC))
        # The database write blocks: run it in a worker thread, off the event loop.
        new_ids = await asyncio.to_thread(self.store.append, valid) if valid else set()
        new_events = [e for e in {e.event_id: e for e in valid}.values() if e.event_id in new_ids]
        self.sessions.record(new_events)
        if self.on_new_events is not None and new_events:
            self.on_new_events(new_events)
        return EventBatchResult(
            accepted=len(new_events), duplicates=len(valid) - len(new_events), rejected=rejected
        )


def _validate(
    raw_events: Sequence[Any], *, now: datetime
) -> tuple[list[InteractionEvent], list[RejectedEvent]]:
    valid: list[InteractionEvent] = []
    rejected: list[RejectedEvent] = []
    for index, raw in enumerate(raw_events):
        try:
            event = _EVENT.validate_python(raw)
        except ValidationError as error:
            errors = field_errors_from_pydantic(error.errors(include_url=False))
            rejected.append(
                RejectedEvent(
                    index=index,
                    errors=[
                        FieldErrorBody(field=e.field or "event", message=e.message) for e in errors
                    ],
                )
            )
            continue
        if event.timestamp > now + MAX_CLOCK_SKEW:
            message = "timestamp is in the future (more than 5 minutes ahead of the server)"
            rejected.append(
                RejectedEvent(
                    index=index, errors=[FieldErrorBody(field="timestamp", message=message)]
                )
            )
            continue
        valid.append(event)
    return valid, rejected
