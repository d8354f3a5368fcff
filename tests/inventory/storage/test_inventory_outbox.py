"""Stock writes leave one stock.changed.v1 per product whose levels moved, and nothing else."""

from __future__ import annotations

from typing import Final

import pytest
from sqlalchemy import Engine

from nextbuy.bus.sql_outbox import SqlOutboxStore
from nextbuy.contracts.events import StockChangedV1
from nextbuy.inventory.domain.errors import StockConflictError
from nextbuy.inventory.storage.repository import SqlStockRepository
from tests.inventory.builders import make_adjustment, make_level_set
from tests.support.outbox import (
    OutboxWriteFailedError,
    drain,
    failing_outbox_writes,
    pending_events,
)

# Final keeps the literal type, so `event.type == CHANGED` narrows the event union.
CHANGED: Final = "stock.changed.v1"


@pytest.fixture
def outbox(repository: SqlStockRepository) -> SqlOutboxStore:
    return repository.outbox()


def levels_of(outbox: SqlOutboxStore) -> list[tuple[str, int, int]]:
    events = drain(outbox)
    assert {event.type for event in events} <= {CHANGED}
    changes = [event for event in events if isinstance(event, StockChangedV1)]  # all, as asserted
    return [(e.stock.product_id, e.stock.available, e.stock.reserved) for e in changes]


def test_adjust_publishes_the_final_levels_of_each_changed_product(
    repository: SqlStockRepository, outbox: SqlOutboxStore
) -> None:
    repository.adjust(
        [
            make_adjustment(product_id="a", delta_available=5),
            make_adjustment(product_id="b", set_available=2),
            make_adjustment(product_id="a", delta_available=None, delta_reserved=1),
        ]
    )
    assert sorted(levels_of(outbox)) == [("a", 5, 1), ("b", 2, 0)]


def test_adjustments_that_change_nothing_publish_nothing(
    repository: SqlStockRepository, outbox: SqlOutboxStore
) -> None:
    repository.adjust([make_adjustment(product_id="a", set_available=3)])
    drain(outbox)
    repository.adjust(
        [
            make_adjustment(product_id="a", delta_available=1),
            make_adjustment(product_id="a", delta_available=-1),
            make_adjustment(product_id="new", delta_available=0),  # created at zero, unchanged
        ]
    )
    assert levels_of(outbox) == []


def test_bulk_upsert_publishes_creates_and_updates_but_not_unchanged(
    repository: SqlStockRepository, outbox: SqlOutboxStore
) -> None:
    repository.bulk_upsert([make_level_set(product_id="a"), make_level_set(product_id="b")])
    assert sorted(levels_of(outbox)) == [("a", 10, 0), ("b", 10, 0)]
    repository.bulk_upsert(
        [
            make_level_set(product_id="a"),
            make_level_set(product_id="b", available=7),
            make_level_set(product_id="c", available=1),
        ]
    )
    assert levels_of(outbox) == [("c", 1, 0), ("b", 7, 0)]


def test_event_carries_the_stored_level_and_time(
    repository: SqlStockRepository, outbox: SqlOutboxStore
) -> None:
    [level] = repository.adjust([make_adjustment(product_id="a", delta_available=4)])
    [event] = pending_events(outbox)
    assert event.type == CHANGED
    assert event.stock.updated_at == level.updated_at
    assert (event.source, event.occurred_at) == ("inventory", level.updated_at)


def test_a_refused_batch_leaves_no_event(
    repository: SqlStockRepository, outbox: SqlOutboxStore
) -> None:
    with pytest.raises(StockConflictError):
        repository.adjust(
            [
                make_adjustment(product_id="a", delta_available=5),
                make_adjustment(product_id="b", delta_available=-1),
            ]
        )
    assert pending_events(outbox) == []


def test_when_the_outbox_write_fails_the_change_rolls_back_too(
    engine: Engine, repository: SqlStockRepository, outbox: SqlOutboxStore
) -> None:
    with failing_outbox_writes(engine, "inventory_outbox"), pytest.raises(OutboxWriteFailedError):
        repository.adjust([make_adjustment(product_id="a", delta_available=5)])
    assert repository.get("a") is None
    assert pending_events(outbox) == []
