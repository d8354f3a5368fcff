"""What the engine needs from the outside world, as Protocols its adapters implement.

Two adapter families implement them: the optimised data plane (local read model, two-tier
cache, resilient pooled clients) and the naive one (sequential REST per request), so the
benchmark compares data planes with the same ranking code.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from nextbuy.core.deadline import Deadline
from nextbuy.recommend.rules import in_category

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
    placed_at: float = 0.0
    """When the order was placed (epoch seconds): a user's history is read in this order."""


@dataclass(frozen=True, slots=True)
class UserSignals:
    """What the engine knows of a user now, and which sources it had to do without."""

    known: bool
    purchased: tuple[str, ...] = ()
    viewed: tuple[str, ...] = ()
    degraded_sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CandidateColumns:
    """What the ranking filters need of candidates, as aligned columns (row i: the i-th id)."""

    listed: npt.NDArray[np.bool_]
    """Known to the catalogue and active."""
    sellable: npt.NDArray[np.bool_]
    price: npt.NDArray[np.float64]
    """NaN where unknown."""
    category: npt.NDArray[np.int64]
    """A code per category (equal codes, equal categories), -1 where unknown."""
    in_categories: npt.NDArray[np.bool_]
    """Under one of the asked category prefixes (all True when none was asked)."""


ColumnsLookup = Callable[[Sequence[str], Collection[str]], CandidateColumns]
"""(product ids, category prefixes) → their columns."""


@dataclass(frozen=True)
class ResolvedProducts:
    """Products resolved for ranking: catalogue fields, a sellability test, and what degraded.

    ``columns`` is the adapter's vectorised lookup (the read model's arrays); without one the
    columns are built product by product from ``products`` and ``sellable``.
    """

    products: Mapping[str, ProductInfo]
    sellable: Callable[[str], bool]
    degraded_sources: tuple[str, ...] = ()
    columns: ColumnsLookup | None = None

    def columns_of(
        self, product_ids: Sequence[str], categories: Collection[str]
    ) -> CandidateColumns:
        """The filter columns of ``product_ids``, in order."""
        if self.columns is not None:
            return self.columns(product_ids, categories)
        return _columns_one_by_one(self.products, self.sellable, product_ids, categories)


def _columns_one_by_one(
    products: Mapping[str, ProductInfo],
    sellable: Callable[[str], bool],
    product_ids: Sequence[str],
    categories: Collection[str],
) -> CandidateColumns:
    found = [products.get(p) for p in product_ids]
    codes: dict[str, int] = {}
    return CandidateColumns(
        listed=np.array([p is not None and p.active for p in found], dtype=np.bool_),
        sellable=np.array([sellable(p) for p in product_ids], dtype=np.bool_),
        price=np.array([np.nan if p is None else p.price for p in found], dtype=np.float64),
        category=np.array(
            [-1 if p is None else codes.setdefault(p.category, len(codes)) for p in found],
            dtype=np.int64,
        ),
        in_categories=np.array(
            [
                not categories or (p is not None and in_category(p.category, categories))
                for p in found
            ],
            dtype=np.bool_,
        ),
    )


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
