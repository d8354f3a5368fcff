"""Reading a service's outbox back in tests: what events a write left behind, in order."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event

from nextbuy.bus.envelope import decode
from nextbuy.bus.relay import OutboxStore
from nextbuy.contracts.events import AnyEvent

EVERYTHING = 100_000


def pending_events(store: OutboxStore) -> list[AnyEvent]:
    """Every unpublished event, oldest first, decoded (so a malformed row fails the test)."""
    return [decode(record.payload) for record in store.pending(limit=EVERYTHING)]


def drain(store: OutboxStore) -> list[AnyEvent]:
    """The pending events, which are then marked published: the next call sees only new ones."""
    records = store.pending(limit=EVERYTHING)
    if records:
        store.mark_published([record.id for record in records])
    return [decode(record.payload) for record in records]


def subject_id(event: AnyEvent) -> str:
    """The id of what the event is about (product, stock's product, order or user)."""
    match event.type:
        case "product.created.v1" | "product.updated.v1":
            return event.product.id
        case "stock.changed.v1":
            return event.stock.product_id
        case "order.placed.v1":
            return event.order.id
        case "user.updated.v1":
            return event.user.id


def summary(events: list[AnyEvent]) -> list[tuple[str, str]]:
    """``(type, subject id)`` per event: what most outbox assertions compare."""
    return [(event.type, subject_id(event)) for event in events]


class OutboxWriteFailedError(RuntimeError):
    """Raised in place of an outbox INSERT by :func:`failing_outbox_writes`."""


@contextmanager
def failing_outbox_writes(engine: Engine, table: str) -> Iterator[None]:
    """Make every INSERT into ``table`` fail: the change written before it must roll back."""

    def refuse(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(f"INSERT INTO {table.upper()}"):
            raise OutboxWriteFailedError(f"injected failure writing {table}")

    event.listen(engine, "before_cursor_execute", refuse)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", refuse)
