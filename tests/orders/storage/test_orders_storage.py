"""The ``OrderRepository`` contract, run on SQLite and on PostgreSQL."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

from nextbuy.core.cursors import FeedPosition
from nextbuy.orders.domain.errors import OrderConflictError
from nextbuy.orders.domain.models import BatchOutcome, NewOrder, Order, OrderLine
from tests.orders.builders import PLACED_AT, make_new_order

if TYPE_CHECKING:
    from nextbuy.orders.storage.repository import DjangoOrderRepository

NOW = datetime(2024, 6, 1, 8, 30, 0, 123456, tzinfo=UTC)


def test_migrating_twice_is_a_no_op(database_alias: str) -> None:
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from nextbuy.orders.storage.database import migrate_schema

    migrate_schema(using=database_alias)
    applied = MigrationRecorder(connections[database_alias]).applied_migrations()
    assert ("orders", "0001_initial") in applied
    tables = connections[database_alias].introspection.table_names()
    assert {"orders", "order_lines", "auth_user", "django_session"} <= set(tables)


def test_a_created_order_reads_back_exactly(repository: DjangoOrderRepository) -> None:
    new = make_new_order(
        lines=(OrderLine("b", 3, Decimal("0.10")), OrderLine("a", 1, Decimal("10000000.00")))
    )
    outcome = repository.create_many([new], now=NOW)
    assert (outcome.created, outcome.unchanged) == (1, 0)
    assert repository.get(new.id) == Order(
        new.id, "user-1", "placed", "EUR", PLACED_AT, NOW, new.lines
    )


def test_timestamps_come_back_in_utc(repository: DjangoOrderRepository) -> None:
    placed = datetime(2024, 5, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    new = make_new_order(created_at=placed)
    repository.create_many([new], now=NOW)
    stored = repository.get(new.id)
    assert stored is not None
    assert stored.created_at == placed
    assert stored.created_at.utcoffset() == timedelta(0)


def test_created_at_defaults_to_the_write_time(repository: DjangoOrderRepository) -> None:
    new = make_new_order(created_at=None)
    repository.create_many([new], now=NOW)
    stored = repository.get(new.id)
    assert stored is not None
    assert stored.created_at == stored.updated_at == NOW


def test_an_unknown_id_is_none(repository: DjangoOrderRepository) -> None:
    assert repository.get("missing") is None


def test_a_replayed_batch_is_unchanged_and_keeps_its_timestamps(
    repository: DjangoOrderRepository,
) -> None:
    batch = [make_new_order() for _ in range(3)]
    repository.create_many(batch, now=NOW)
    later = NOW + timedelta(hours=1)
    outcome = repository.create_many([*batch, replace(batch[0], id="order-new")], now=later)
    assert (outcome.created, outcome.unchanged) == (1, 3)
    assert [o.updated_at for o in repository.list_changes(after=None, limit=10)] == [NOW] * 3 + [
        later
    ]


def test_a_conflicting_order_rejects_the_whole_batch(repository: DjangoOrderRepository) -> None:
    stored = make_new_order()
    repository.create_many([stored], now=NOW)
    fresh = make_new_order()
    with pytest.raises(OrderConflictError, match=stored.id):
        repository.create_many([fresh, replace(stored, status="paid")], now=NOW)
    assert repository.get(fresh.id) is None


def test_a_user_history_is_oldest_first_and_resumes_after_a_position(
    repository: DjangoOrderRepository,
) -> None:
    days = [3, 1, 2]
    orders = [make_new_order(created_at=PLACED_AT + timedelta(days=d)) for d in days]
    repository.create_many([*orders, make_new_order(user_id="user-2")], now=NOW)
    history = repository.list_for_user("user-1", after=None, limit=10)
    assert [o.created_at for o in history] == [PLACED_AT + timedelta(days=d) for d in (1, 2, 3)]
    after = FeedPosition(PLACED_AT + timedelta(days=2), "")
    assert [o.id for o in repository.list_for_user("user-1", after=after, limit=10)] == [
        orders[2].id,
        orders[0].id,
    ]
    assert repository.list_for_user("nobody", after=None, limit=10) == []


def test_pages_sharing_one_timestamp_see_every_order_once(
    repository: DjangoOrderRepository,
) -> None:
    batch = [make_new_order() for _ in range(25)]
    repository.create_many(batch, now=NOW)
    for read in (_read_all_changes, _read_all_of_user_1):
        assert read(repository, 7) == sorted(o.id for o in batch)


def _read_all_changes(repository: DjangoOrderRepository, limit: int) -> list[str]:
    seen: list[str] = []
    after = None
    while page := repository.list_changes(after=after, limit=limit):
        seen += [o.id for o in page]
        after = page[-1].feed_position
    return seen


def _read_all_of_user_1(repository: DjangoOrderRepository, limit: int) -> list[str]:
    seen: list[str] = []
    after = None
    while page := repository.list_for_user("user-1", after=after, limit=limit):
        seen += [o.id for o in page]
        after = page[-1].history_position
    return seen


def test_a_thousand_orders_are_written_fast_in_few_queries(
    repository: DjangoOrderRepository, database_alias: str
) -> None:
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    batch = [make_new_order(user_id=f"user-{i % 50}") for i in range(1000)]
    started = time.perf_counter()
    with CaptureQueriesContext(connections[database_alias]) as queries:
        outcome = repository.create_many(batch, now=NOW)
    elapsed = time.perf_counter() - started
    assert outcome.created == 1000
    # Bulk statements: SQLite splits them by its 999-parameter limit, PostgreSQL does not.
    assert len(queries) <= 30
    assert elapsed < 5.0  # wide: catches a per-row regression, not a busy machine
    with CaptureQueriesContext(connections[database_alias]) as queries:
        page = repository.list_changes(after=None, limit=1000)
    assert len(page) == 1000
    assert all(len(order.lines) == 2 for order in page)
    assert len(queries) == 2


def test_concurrent_writers_of_one_batch_store_it_once(
    repository: DjangoOrderRepository, database_alias: str
) -> None:
    from django.db import connections

    batch = [make_new_order() for _ in range(50)]

    def write() -> BatchOutcome:
        try:
            return repository.create_many(batch, now=NOW)
        finally:
            connections[database_alias].close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(lambda _: write(), range(4)))
    assert sorted(o.created for o in outcomes) == [0, 0, 0, 50]
    assert all(o.created + o.unchanged == 50 for o in outcomes)
    assert len(repository.list_changes(after=None, limit=1000)) == 50


def test_ping_reaches_the_database(repository: DjangoOrderRepository) -> None:
    repository.ping()


def test_the_migrations_match_the_models(orders_app: object) -> None:
    from django.core.management import call_command

    call_command("makemigrations", "orders", check=True, dry_run=True, verbosity=0)


def test_purchased_lines_follow_the_history_and_skip_cancelled_and_returned(
    repository: DjangoOrderRepository, database_alias: str
) -> None:
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    def placed(days: int, status: str, *products: str) -> NewOrder:
        lines = tuple(OrderLine(p, 1, Decimal("1.00")) for p in products)
        return make_new_order(
            created_at=PLACED_AT + timedelta(days=days), status=status, lines=lines
        )

    orders = [
        placed(3, "paid", "p3", "p1"),
        placed(1, "delivered", "p1", "p2"),
        placed(2, "returned", "p9"),
        placed(4, "cancelled", "p8"),
        placed(5, "placed", "p5"),
    ]
    repository.create_many([*orders, make_new_order(user_id="user-2")], now=NOW)
    with CaptureQueriesContext(connections[database_alias]) as queries:
        lines = list(repository.purchased_product_lines("user-1", limit=1000))
    assert lines == ["p1", "p2", "p3", "p1", "p5"]
    assert len(queries) == 1
    # The limit counts the first orders before skipping: the returned one is the 2nd of 4.
    assert list(repository.purchased_product_lines("user-1", limit=4)) == ["p1", "p2", "p3", "p1"]
    assert list(repository.purchased_product_lines("user-1", limit=2)) == ["p1", "p2"]
    assert list(repository.purchased_product_lines("nobody", limit=10)) == []
