"""What each user has bought, kept in memory from the orders the engine already follows.

The engine reads every order from the Order History feed (and from ``order.*`` events) to
build its co-purchase model. Indexing those same orders by user answers "what has this user
bought" without a call to the Order History service: a cold request then waits for the
profile alone instead of the slower of two calls (ADR 0024).

The answer is the one ``GET /v1/users/{id}/purchased-products`` gives: the distinct products
of the user's first ``history_orders`` orders, cancelled and returned ones counted in that limit
but not as purchases, first bought first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from nextbuy.engine.domain.feed_pulse import FeedPulse
from nextbuy.engine.domain.ports import PurchaseRecord

NOTHING_BOUGHT: tuple[str, ...] = ()


class PurchaseIndex:
    """Orders by user, and each user's purchased products, worked out when first asked for."""

    def __init__(self, history_orders: int) -> None:
        self.history_orders = history_orders
        self._orders: dict[str, tuple[PurchaseRecord, ...]] = {}
        """A user's orders, any order. A tuple, not a dict by order id: most users have one or
        two orders, and a small tuple is a quarter of a small dict's size (a million users)."""
        self._bought: dict[str, tuple[str, ...]] = {}
        """Memo per user, dropped when one of their orders changes. The same tuple object is
        returned until then, so callers may compare answers by identity."""

    def apply(self, records: Iterable[PurchaseRecord]) -> set[str]:
        """Add or replace orders (by order id); returns the users whose purchases may differ."""
        touched: set[str] = set()
        for record in records:
            orders = self._orders.get(record.user_id, ())
            others = tuple(r for r in orders if r.order_id != record.order_id)
            if len(others) < len(orders) and record in orders:
                continue  # read again (feeds are at least once)
            self._orders[record.user_id] = (*others, record)
            touched.add(record.user_id)
        for user_id in touched:
            self._bought.pop(user_id, None)
        return touched

    def purchased(self, user_id: str) -> tuple[str, ...]:
        bought = self._bought.get(user_id)
        if bought is None:
            bought = self._work_out(user_id)
            self._bought[user_id] = bought
        return bought

    @property
    def users(self) -> int:
        return len(self._orders)

    def _work_out(self, user_id: str) -> tuple[str, ...]:
        orders = self._orders.get(user_id)
        if not orders:
            return NOTHING_BOUGHT
        first = sorted(orders, key=lambda r: (r.placed_at, r.order_id))
        bought: dict[str, None] = {}
        for record in first[: self.history_orders]:
            if not record.cancelled:
                bought.update(dict.fromkeys(record.product_ids))
        return tuple(bought)


@dataclass(frozen=True)
class FollowedPurchases:
    """The index with the pulse of the feed that fills it: what the data plane reads."""

    index: PurchaseIndex
    pulse: FeedPulse

    def ready(self) -> bool:
        """Read the whole feed once: from now on every user's purchases are here."""
        return self.pulse.synced

    def current(self) -> bool:
        """Still following: answers need not name ``orders`` as degraded."""
        return self.pulse.current()

    def purchased(self, user_id: str) -> tuple[str, ...]:
        return self.index.purchased(user_id)
