"""A block of generated events as parallel numpy arrays (before ids become strings)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

VIEW, ADD_TO_CART, REMOVE_FROM_CART, PURCHASE = 0, 1, 2, 3
EVENT_NAMES = ("view", "add_to_cart", "remove_from_cart", "purchase")
DAY_US = 86_400_000_000


@dataclass(frozen=True)
class Events:
    """``shopper`` is -1 for anonymous sessions; rows are in time order."""

    shopper: np.ndarray
    session: np.ndarray
    product: np.ndarray
    kind: np.ndarray
    time_us: np.ndarray
    quantity: np.ndarray

    @property
    def size(self) -> int:
        return int(self.kind.size)


def concatenate(parts: list[Events]) -> Events:
    """Join blocks of events and put them in time order (stable: funnel order kept on ties)."""
    fields = ("shopper", "session", "product", "kind", "time_us", "quantity")
    joined = {name: np.concatenate([getattr(p, name) for p in parts]) for name in fields}
    order = np.argsort(joined["time_us"], kind="stable")
    return Events(**{name: values[order] for name, values in joined.items()})
