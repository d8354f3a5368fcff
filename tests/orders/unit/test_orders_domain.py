"""The order history's rules: replays versus conflicts, duplicate ids, and page positions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from nextbuy.contracts.orders import NOT_PURCHASED
from nextbuy.core.cursors import FeedPosition
from nextbuy.orders.domain.errors import (
    InvalidOrderBatchError,
    OrderConflictError,
    OrderNotFoundError,
)
from nextbuy.orders.domain.history import OrderHistory, orders_to_insert, resolve_created_at
from nextbuy.orders.domain.models import BatchOutcome, NewOrder, Order, OrderLine
from tests.orders.builders import make_new_order

NOW = datetime(2024, 6, 1, 8, 30, tzinfo=UTC)


def stored(new: NewOrder, *, updated_at: datetime = NOW) -> Order:
    return Order(
        new.id,
        new.user_id,
        new.status,
        new.currency,
        resolve_created_at(new, updated_at),
        updated_at,
        new.lines,
    )


class ListRepository:
    """The smallest repository the use cases can run on: a list, in insertion order."""

    def __init__(self) -> None:
        self.orders: dict[str, Order] = {}

    def get(self, order_id: str) -> Order | None:
        return self.orders.get(order_id)

    def create_many(self, orders: Sequence[NewOrder], *, now: datetime) -> BatchOutcome:
        new = orders_to_insert(orders, self.orders)
        self.orders.update({order.id: stored(order, updated_at=now) for order in new})
        return BatchOutcome(len(new), len(orders) - len(new))

    def list_for_user(self, user_id: str, *, after: FeedPosition | None, limit: int) -> list[Order]:
        rows = sorted(
            (o for o in self.orders.values() if o.user_id == user_id),
            key=lambda o: (o.created_at, o.id),
        )
        return [
            o for o in rows if after is None or (o.created_at, o.id) > (after.updated_at, after.id)
        ][:limit]

    def purchased_product_lines(self, user_id: str, *, limit: int) -> list[str]:
        first = self.list_for_user(user_id, after=None, limit=limit)
        kept = [o for o in first if o.status not in NOT_PURCHASED]
        return [line.product_id for order in kept for line in order.lines]

    def list_changes(self, *, after: FeedPosition | None, limit: int) -> list[Order]:
        rows = sorted(self.orders.values(), key=lambda o: (o.updated_at, o.id))
        return [
            o for o in rows if after is None or (o.updated_at, o.id) > (after.updated_at, after.id)
        ][:limit]

    def ping(self) -> None:
        return None


def test_an_identical_resubmission_matches_the_stored_order() -> None:
    new = make_new_order()
    assert new.matches(stored(new))


def test_a_resubmission_without_created_at_matches_any_stored_timestamp() -> None:
    new = make_new_order()
    assert replace(new, created_at=None).matches(stored(new))


def test_prices_compare_by_value_not_by_their_written_form() -> None:
    new = make_new_order(lines=(OrderLine("p", 1, Decimal("1.5")),))
    again = make_new_order(id=new.id, lines=(OrderLine("p", 1, Decimal("1.50")),))
    assert again.matches(stored(new))


@pytest.mark.parametrize(
    "change",
    [
        {"user_id": "someone-else"},
        {"status": "paid"},
        {"currency": "USD"},
        {"created_at": NOW - timedelta(days=1)},
        {"lines": (OrderLine("product-1", 3, Decimal("9.99")),)},
    ],
)
def test_any_other_difference_is_a_conflict(change: dict[str, object]) -> None:
    new = make_new_order()
    assert not replace(new, **change).matches(stored(new))  # type: ignore[arg-type]


def test_orders_to_insert_skips_replays_and_keeps_new_orders() -> None:
    old, fresh = make_new_order(), make_new_order()
    assert orders_to_insert([old, fresh], {old.id: stored(old)}) == [fresh]


def test_orders_to_insert_rejects_the_batch_naming_the_conflicting_ids() -> None:
    old = make_new_order()
    with pytest.raises(OrderConflictError, match=old.id) as raised:
        orders_to_insert([replace(old, status="paid")], {old.id: stored(old)})
    assert raised.value.status == 409


def test_created_at_defaults_to_the_arrival_time() -> None:
    assert resolve_created_at(make_new_order(created_at=None), NOW) == NOW


def test_place_reports_whether_the_order_was_new() -> None:
    history = OrderHistory(ListRepository(), clock=lambda: NOW)
    new = make_new_order()
    first, created = history.place(new)
    again, created_again = history.place(new)
    assert (created, created_again) == (True, False)
    assert first == again
    assert first.updated_at == NOW


def test_place_many_rejects_a_batch_with_one_id_twice() -> None:
    history = OrderHistory(ListRepository(), clock=lambda: NOW)
    order = make_new_order()
    with pytest.raises(InvalidOrderBatchError) as raised:
        history.place_many([order, make_new_order(), order])
    assert [e.field for e in raised.value.errors] == ["body.orders.2.id"]
    assert raised.value.status == 422


def test_get_of_an_unknown_id_is_not_found() -> None:
    with pytest.raises(OrderNotFoundError):
        OrderHistory(ListRepository()).get("missing")


def test_a_full_page_points_at_its_last_order_and_a_short_page_ends_the_feed() -> None:
    history = OrderHistory(ListRepository(), clock=lambda: NOW)
    history.place_many([make_new_order() for _ in range(3)])
    full = history.changes(after=None, limit=2)
    assert full.next_position == full.items[-1].feed_position
    rest = history.changes(after=full.next_position, limit=2)
    assert len(rest.items) == 1
    assert rest.next_position is None


def test_a_user_page_points_at_the_created_at_of_its_last_order() -> None:
    history = OrderHistory(ListRepository(), clock=lambda: NOW)
    history.place_many([make_new_order(created_at=NOW - timedelta(days=d)) for d in (1, 2)])
    page = history.user_orders("user-1", after=None, limit=1)
    assert page.next_position == FeedPosition(NOW - timedelta(days=2), page.items[0].id)
    assert history.user_orders("nobody", after=None, limit=10).items == []


def test_purchased_products_keep_each_first_purchase_in_history_order() -> None:
    history = OrderHistory(ListRepository(), clock=lambda: NOW)
    lines = {name: OrderLine(name, 1, Decimal("1.00")) for name in ("p1", "p2", "p3")}
    history.place_many(
        [
            make_new_order(created_at=NOW, lines=(lines["p3"], lines["p1"])),
            make_new_order(created_at=NOW - timedelta(days=2), lines=(lines["p1"], lines["p2"])),
            make_new_order(created_at=NOW - timedelta(days=1), status="cancelled"),
        ]
    )
    assert history.purchased_products("user-1", limit=10) == ["p1", "p2", "p3"]
    assert history.purchased_products("nobody", limit=10) == []
