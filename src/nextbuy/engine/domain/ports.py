"""What the engine needs from the outside world, as Protocols its adapters implement.

Two adapter families implement them: the optimised data plane (local read model, two-tier
cache, resilient pooled clients) and the naive one (sequential REST per request), so the
benchmark compares data planes with the same ranking code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from nextbuy.core.deadline import Deadline

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
    updated_at: float = 0.0
    """When the catalogue changed it (epoch seconds): an older change never overwrites a newer."""


@dataclass(frozen=True, slots=True)
class StockLevel:
    """Units sellable now (available − reserved) of one product."""

    product_id: str
    sellable: int
    updated_at: float = 0.0


@dataclass(frozen=True, slots=True)
class PurchaseRecord:
    """One order, reduced to what the co-purchase model learns from."""

    order_id: str
    user_id: str
    product_ids: tuple[str, ...]
    cancelled: bool


@dataclass(frozen=True, slots=True)
class UserSignals:
    """What the engine knows of a user now, and which sources it had to do without."""

    known: bool
    purchased: tuple[str, ...] = ()
    viewed: tuple[str, ...] = ()
    degraded_sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResolvedProducts:
    """Products resolved for ranking: catalogue fields, a sellability test, and what degraded."""

    products: Mapping[str, ProductInfo]
    sellable: Callable[[str], bool]
    degraded_sources: tuple[str, ...] = ()


class ChangeFeed(Protocol[T_co]):
    async def poll(self) -> Sequence[T_co]:
        """Every change since the previous poll (at-least-once: a record may come twice)."""
        ...


class UserDataSource(Protocol):
    async def signals(self, user_id: str, deadline: Deadline) -> UserSignals:
        """The user's purchases and recent views; never raises for an upstream failure."""
        ...


class ProductResolver(Protocol):
    async def resolve(self, product_ids: Sequence[str], deadline: Deadline) -> ResolvedProducts:
        """Catalogue fields and stock of the candidates; never raises for an upstream failure."""
        ...


class UserDataInvalidator(Protocol):
    async def invalidate_orders(self, user_id: str) -> None:
        """Forget the cached orders of a user (a new order was placed)."""
        ...

    async def invalidate_profile(self, user_id: str) -> None:
        """Forget the cached profile of a user (it was updated)."""
        ...
