"""The storage port of the order history: what the use cases need from a database."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

from nextbuy.core.cursors import FeedPosition
from nextbuy.orders.domain.models import BatchOutcome, NewOrder, Order


class OrderRepository(Protocol):
    """Orders by id, by user in time order, and as a change feed."""

    def get(self, order_id: str) -> Order | None:
        """The order with this id, or None."""
        ...

    def create_many(self, orders: Sequence[NewOrder], *, now: datetime) -> BatchOutcome:
        """Store the orders not stored yet, in one transaction.

        Ids already stored with matching content (see :meth:`NewOrder.matches`) count as
        unchanged; one stored with different content raises ``OrderConflictError`` and
        nothing of the batch is written. ``now`` stamps ``updated_at`` (and ``created_at``
        when the order has none). Ids within ``orders`` are unique.
        """
        ...

    def list_for_user(self, user_id: str, *, after: FeedPosition | None, limit: int) -> list[Order]:
        """Up to ``limit`` orders of ``user_id`` by ``(created_at, id)``, after ``after``."""
        ...

    def purchased_product_lines(self, user_id: str, *, limit: int) -> Iterable[str]:
        """Product ids of every line of the first ``limit`` orders of ``user_id``, skipping
        orders in ``NOT_PURCHASED`` (contracts): by order ``(created_at, id)``, then line number.

        The first ``limit`` orders are counted before skipping, as ``list_for_user`` counts
        them, so the answer covers the same orders as that page.
        """
        ...

    def list_changes(self, *, after: FeedPosition | None, limit: int) -> list[Order]:
        """Up to ``limit`` orders ordered by ``(updated_at, id)``, strictly after ``after``."""
        ...

    def ping(self) -> None:
        """One round trip to the database; raises when it is unreachable."""
        ...
