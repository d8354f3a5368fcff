"""What the engine needs from the other services, as Protocols its adapters implement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

T_co = TypeVar("T_co", covariant=True)


@dataclass(frozen=True, slots=True)
class ProductInfo:
    """The catalogue fields ranking needs (the engine's read model keeps only these)."""

    product_id: str
    title: str
    price: float
    currency: str
    category: str
    active: bool


@dataclass(frozen=True, slots=True)
class PurchaseRecord:
    """One order, reduced to what the co-purchase model learns from."""

    order_id: str
    user_id: str
    product_ids: tuple[str, ...]
    cancelled: bool


class ChangeFeed(Protocol[T_co]):
    async def poll(self) -> Sequence[T_co]:
        """Every change since the previous poll (at-least-once: a record may come twice)."""
        ...


class ProfileSource(Protocol):
    async def recent_views(self, user_id: str, *, timeout_s: float) -> tuple[str, ...] | None:
        """The user's recently viewed product ids, newest first, or None for an unknown user."""
        ...


class OrderSource(Protocol):
    async def purchased_products(self, user_id: str, *, timeout_s: float) -> tuple[str, ...]:
        """Product ids from the user's orders, cancelled ones excluded."""
        ...


class StockSource(Protocol):
    async def sellable_units(
        self, product_ids: Sequence[str], *, timeout_s: float
    ) -> dict[str, int]:
        """Units sellable now (available − reserved) per product; never-stocked ones are absent."""
        ...
