"""The order history's use cases: record orders idempotently and read them back in order."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from nextbuy.core.cursors import FeedPosition
from nextbuy.core.errors import FieldError
from nextbuy.orders.domain.errors import (
    InvalidOrderBatchError,
    OrderConflictError,
    OrderNotFoundError,
)
from nextbuy.orders.domain.models import BatchOutcome, NewOrder, Order, OrderPage
from nextbuy.orders.domain.ports import OrderRepository

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def orders_to_insert(batch: Sequence[NewOrder], stored: Mapping[str, Order]) -> list[NewOrder]:
    """The orders of ``batch`` not stored yet; raises when a stored one has other content.

    Repositories call this inside their transaction, after loading ``stored`` (the orders of
    the batch's ids that already exist), so the replay rule lives in one place.
    """
    conflicting = [new.id for new in batch if new.id in stored and not new.matches(stored[new.id])]
    if conflicting:
        shown = ", ".join(repr(order_id) for order_id in conflicting[:10])
        raise OrderConflictError(
            f"orders already exist with different content: {shown}"
            + (f" and {len(conflicting) - 10} more" if len(conflicting) > 10 else "")
        )
    return [new for new in batch if new.id not in stored]


def resolve_created_at(order: NewOrder, now: datetime) -> datetime:
    """When the order was placed: as given, or the time it reached us."""
    return order.created_at if order.created_at is not None else now


class OrderHistory:
    """Use cases of the order history, over any :class:`OrderRepository`."""

    def __init__(self, repository: OrderRepository, *, clock: Clock | None = None) -> None:
        self._repository = repository
        self._clock = clock or _utcnow

    def place(self, order: NewOrder) -> tuple[Order, bool]:
        """Record one order; returns it and whether it was new (False: an identical replay)."""
        outcome = self._repository.create_many([order], now=self._clock())
        return self.get(order.id), outcome.created == 1

    def place_many(self, orders: Sequence[NewOrder]) -> BatchOutcome:
        """Record a batch in one transaction; replays of stored orders count as unchanged."""
        _reject_duplicate_ids(orders)
        return self._repository.create_many(orders, now=self._clock())

    def get(self, order_id: str) -> Order:
        """The order with this id; raises :class:`OrderNotFoundError`."""
        order = self._repository.get(order_id)
        if order is None:
            raise OrderNotFoundError(f"order {order_id!r} does not exist")
        return order

    def user_orders(self, user_id: str, *, after: FeedPosition | None, limit: int) -> OrderPage:
        """A user's orders, oldest first; an unknown user simply has none."""
        items = self._repository.list_for_user(user_id, after=after, limit=limit)
        last = items[-1].history_position if len(items) == limit else None
        return OrderPage(items, last)

    def purchased_products(self, user_id: str, *, limit: int) -> list[str]:
        """Distinct product ids a user bought in their first ``limit`` orders, first bought first.

        Only ids, for the recommendation engine's cold path: the whole order page costs tens of
        ms to serialise and ~125 KB to send for a few hundred ids (ADR 0021). An unknown user
        simply bought nothing.
        """
        lines = self._repository.purchased_product_lines(user_id, limit=limit)
        return list(dict.fromkeys(lines))  # keeps each id's first occurrence, in order

    def changes(self, *, after: FeedPosition | None, limit: int) -> OrderPage:
        """Orders in the order they were written, for consumers that follow the feed."""
        items = self._repository.list_changes(after=after, limit=limit)
        last = items[-1].feed_position if len(items) == limit else None
        return OrderPage(items, last)

    def check_storage(self) -> None:
        """Readiness: the database answers."""
        self._repository.ping()


def _reject_duplicate_ids(orders: Sequence[NewOrder]) -> None:
    seen: set[str] = set()
    errors: list[FieldError] = []
    for index, order in enumerate(orders):
        if order.id in seen:
            errors.append(FieldError(f"body.orders.{index}.id", f"duplicate id {order.id!r}"))
        seen.add(order.id)
    if errors:
        raise InvalidOrderBatchError(
            "a batch must not contain the same order id twice", errors=errors
        )
