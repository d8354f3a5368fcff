"""New orders leave one order.placed.v1 each in the outbox; replays and failures leave none."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from nextbuy.bus.envelope import decode
from nextbuy.contracts.events import OrderPlacedV1
from nextbuy.orders.domain.errors import OrderConflictError
from tests.orders.builders import make_new_order
from tests.support.outbox import OutboxWriteFailedError, drain, pending_events, summary

if TYPE_CHECKING:
    from nextbuy.orders.storage.outbox import DjangoOutboxStore
    from nextbuy.orders.storage.repository import DjangoOrderRepository

NOW = datetime(2024, 6, 1, 8, 30, tzinfo=UTC)
PLACED = "order.placed.v1"


@pytest.fixture
def outbox(database_alias: str) -> DjangoOutboxStore:
    from nextbuy.orders.storage.outbox import DjangoOutboxStore

    return DjangoOutboxStore(using=database_alias)


def test_each_new_order_publishes_once_with_its_stored_content(
    repository: DjangoOrderRepository, outbox: DjangoOutboxStore
) -> None:
    first, second = make_new_order(), make_new_order(created_at=None)
    repository.create_many([first, second], now=NOW)
    records = outbox.pending(limit=10)
    assert [r.event_id for r in records] == [decode(r.payload).event_id for r in records]
    assert outbox.count_pending() == 2
    events = drain(outbox)
    assert summary(events) == [(PLACED, first.id), (PLACED, second.id)]
    first_placed, second_placed = events
    assert isinstance(first_placed, OrderPlacedV1)
    assert isinstance(second_placed, OrderPlacedV1)
    stored = repository.get(second.id)
    assert stored is not None
    assert second_placed.order.created_at == stored.created_at == NOW
    assert [line.product_id for line in first_placed.order.lines] == ["product-1", "product-2"]
    assert (first_placed.source, first_placed.occurred_at) == ("orders", first.created_at)


def test_published_rows_are_pruned_after_the_retention(
    repository: DjangoOrderRepository, outbox: DjangoOutboxStore
) -> None:
    repository.create_many([make_new_order(), make_new_order()], now=NOW)
    drain(outbox)
    repository.create_many([make_new_order()], now=NOW)  # pending: never pruned
    assert outbox.prune(published_before=datetime.now(UTC) - timedelta(hours=1)) == 0
    assert outbox.prune(published_before=datetime.now(UTC) + timedelta(seconds=1)) == 2
    assert outbox.count_pending() == 1


def test_an_idempotent_replay_publishes_nothing_more(
    repository: DjangoOrderRepository, outbox: DjangoOutboxStore
) -> None:
    order = make_new_order()
    repository.create_many([order], now=NOW)
    drain(outbox)
    newcomer = make_new_order()
    outcome = repository.create_many([order, newcomer], now=NOW)
    assert (outcome.created, outcome.unchanged) == (1, 1)
    assert summary(drain(outbox)) == [(PLACED, newcomer.id)]


def test_a_conflicting_batch_publishes_nothing(
    repository: DjangoOrderRepository, outbox: DjangoOutboxStore
) -> None:
    order = make_new_order()
    repository.create_many([order], now=NOW)
    drain(outbox)
    with pytest.raises(OrderConflictError):
        repository.create_many(
            [make_new_order(), make_new_order(id=order.id, user_id="x")], now=NOW
        )
    assert pending_events(outbox) == []


def test_when_the_outbox_write_fails_the_order_rolls_back_too(
    database_alias: str, repository: DjangoOrderRepository, outbox: DjangoOutboxStore
) -> None:
    from django.db import connections

    order = make_new_order()
    with (
        connections[database_alias].execute_wrapper(_refuse_outbox_inserts),
        pytest.raises(OutboxWriteFailedError),
    ):
        repository.create_many([order], now=NOW)
    assert repository.get(order.id) is None
    assert pending_events(outbox) == []


def _refuse_outbox_inserts(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
) -> Any:
    if sql.lstrip().upper().replace('"', "").startswith("INSERT INTO ORDERS_OUTBOX"):
        raise OutboxWriteFailedError("injected failure writing orders_outbox")
    return execute(sql, params, many, context)
