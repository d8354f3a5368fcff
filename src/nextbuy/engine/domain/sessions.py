"""What each visitor did in the last minutes, in memory: the real-time signal of ranking.

Keyed by user id when known, else by anonymous session id. An accepted event changes the
visitor's next recommendations at once (no model rebuild): views seed neighbours, and items
put in the cart are not recommended again until removed or bought. Purchases reach popularity
through the orders they belong to, at the next model rebuild (``domain/refresh.py``).
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from nextbuy.contracts.engine import InteractionEvent

PER_VISITOR = 50
SEEDING_TYPES = frozenset({"view", "add_to_cart", "recommendation_click"})


@dataclass
class VisitorActivity:
    seen: deque[str] = field(default_factory=lambda: deque(maxlen=PER_VISITOR))
    in_cart: set[str] = field(default_factory=set)
    version: int = 0
    """The store's change count when this visitor last changed (unique across visitors)."""

    def apply(self, event: InteractionEvent) -> None:
        if event.type in SEEDING_TYPES:
            if event.product_id in self.seen:
                self.seen.remove(event.product_id)
            self.seen.appendleft(event.product_id)  # newest first
        if event.type == "add_to_cart":
            self.in_cart.add(event.product_id)
        elif event.type in {"remove_from_cart", "purchase"}:
            self.in_cart.discard(event.product_id)


def visitor_key(user_id: str | None, session_id: str | None) -> str:
    return f"u:{user_id}" if user_id is not None else f"s:{session_id}"


class SessionStore:
    """Recent activity of the most recently active visitors (bounded LRU)."""

    def __init__(self, max_visitors: int = 200_000) -> None:
        self._visitors: OrderedDict[str, VisitorActivity] = OrderedDict()
        self.max_visitors = max_visitors
        self._changes = 0

    def record(self, events: Iterable[InteractionEvent]) -> None:
        """Apply events in time order (a batch may arrive out of order)."""
        for event in sorted(events, key=lambda e: e.timestamp):
            key = visitor_key(event.user_id, event.session_id)
            activity = self._visitors.get(key)
            if activity is None:
                activity = self._visitors[key] = VisitorActivity()
            self._visitors.move_to_end(key)
            activity.apply(event)
            self._changes += 1
            # Never reused, not even by a visitor evicted and seen again: a version read
            # before proves that nothing happened since.
            activity.version = self._changes
        while len(self._visitors) > self.max_visitors:
            self._visitors.popitem(last=False)

    def activity(self, user_id: str | None, session_id: str | None) -> VisitorActivity | None:
        """The visitor's activity: a logged-in user's, merged with their anonymous session's."""
        keys = [visitor_key(user_id, None)] if user_id else []
        if session_id:
            keys.append(visitor_key(None, session_id))
        found = [self._visitors[k] for k in keys if k in self._visitors]
        if not found:
            return None
        if len(found) == 1:
            return found[0]
        merged = VisitorActivity()
        for product_id in [p for activity in reversed(found) for p in reversed(activity.seen)]:
            if product_id in merged.seen:
                merged.seen.remove(product_id)
            merged.seen.appendleft(product_id)
        merged.in_cart = set().union(*(a.in_cart for a in found))
        return merged

    def versions(self, user_id: str | None, session_id: str | None) -> tuple[int, int]:
        """The versions of the user's and the session's activity (0: none): equal, unchanged."""
        user = self._visitors.get(visitor_key(user_id, None)) if user_id else None
        session = self._visitors.get(visitor_key(None, session_id)) if session_id else None
        return (user.version if user else 0, session.version if session else 0)

    def __len__(self) -> int:
        return len(self._visitors)
