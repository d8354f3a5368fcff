"""Builders of events for the bus tests: valid by default, numbered when a test counts them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from nextbuy.contracts.events import StockChangedV1
from nextbuy.contracts.inventory import StockLevelPublic

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def make_stock_event(sequence: int = 0, **overrides: Any) -> StockChangedV1:
    """A ``stock.changed.v1`` whose product id and event id both encode ``sequence``."""
    at = T0 + timedelta(milliseconds=sequence)
    fields: dict[str, Any] = {
        "event_id": sequence_id(sequence),
        "occurred_at": at,
        "source": "tests",
        "stock": StockLevelPublic(
            product_id=f"p-{sequence:06d}", available=sequence % 7, reserved=0, updated_at=at
        ),
    }
    fields.update(overrides)
    return StockChangedV1(**fields)


def sequence_id(sequence: int) -> UUID:
    """A deterministic event id for ``sequence``, so a test can tell which ones arrived."""
    return UUID(int=sequence + 1)


def sequence_of(event_id: UUID) -> int:
    return event_id.int - 1


def make_events(count: int, *, start: int = 0) -> list[StockChangedV1]:
    return [make_stock_event(n) for n in range(start, start + count)]
