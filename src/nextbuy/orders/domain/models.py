"""What an order is, independent of how it is stored or sent over HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from nextbuy.core.cursors import FeedPosition


@dataclass(frozen=True, slots=True)
class OrderLine:
    """One product bought in an order; ``unit_price`` is exact (two decimal places)."""

    product_id: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True, slots=True)
class NewOrder:
    """An order as the shop submits it; ``created_at`` None means "now"."""

    id: str
    user_id: str
    status: str
    currency: str
    created_at: datetime | None
    lines: tuple[OrderLine, ...]

    def matches(self, stored: Order) -> bool:
        """Whether submitting this again is a replay of ``stored`` (idempotent) or a conflict.

        A replay that leaves ``created_at`` out matches any stored timestamp: the first
        submission defaulted it to the time it arrived, which a retry cannot know.
        """
        return (
            self.user_id == stored.user_id
            and self.status == stored.status
            and self.currency == stored.currency
            and (self.created_at is None or self.created_at == stored.created_at)
            and self.lines == stored.lines
        )


@dataclass(frozen=True, slots=True)
class Order:
    """A stored order. Orders are immutable once written: ``updated_at`` is when it arrived."""

    id: str
    user_id: str
    status: str
    currency: str
    created_at: datetime
    updated_at: datetime
    lines: tuple[OrderLine, ...]

    @property
    def history_position(self) -> FeedPosition:
        """Where this order sits in its user's history, ordered by ``(created_at, id)``."""
        return FeedPosition(self.created_at, self.id)

    @property
    def feed_position(self) -> FeedPosition:
        """Where this order sits in the change feed, ordered by ``(updated_at, id)``."""
        return FeedPosition(self.updated_at, self.id)


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """How a batch of new orders went: how many were written, how many were replays."""

    created: int
    unchanged: int


@dataclass(frozen=True, slots=True)
class OrderPage:
    """One page of orders and, when the page is full, the position to resume after."""

    items: list[Order]
    next_position: FeedPosition | None
