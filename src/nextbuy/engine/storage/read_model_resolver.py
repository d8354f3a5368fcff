"""Resolves candidates from the local read model: no network on the request path.

If a feed has not synced within its staleness budget, the answer still uses the last known
data (better than none) but names the source as degraded.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from nextbuy.core.deadline import Deadline
from nextbuy.engine.domain.ports import ProductInfo, ResolvedProducts
from nextbuy.engine.storage.read_model import ProductReadModel


@dataclass
class ReadModelResolver:
    read_model: ProductReadModel
    catalogue_budget_s: float
    stock_budget_s: float

    async def resolve(self, product_ids: Sequence[str], deadline: Deadline) -> ResolvedProducts:
        # Lazy: ranking reads only until it has k products, out of hundreds of candidates.
        return ResolvedProducts(
            _LazyProducts(self.read_model, product_ids),
            self._sellable,
            self.stale_sources(),
            columns=self.read_model.columns,
        )

    def content_version(self) -> int:
        """Changes when a listing or a product's being in stock changes (answer caching)."""
        return self.read_model.content_version

    def _sellable(self, product_id: str) -> bool:
        return self.read_model.sellable_units(product_id) > 0

    def stale_sources(self) -> tuple[str, ...]:
        catalogue_age, stock_age = self.read_model.staleness_s()
        stale = []
        if catalogue_age is None or catalogue_age > self.catalogue_budget_s:
            stale.append("catalog")
        if stock_age is None or stock_age > self.stock_budget_s:
            stale.append("inventory")
        return tuple(stale)


class _LazyProducts(Mapping[str, ProductInfo]):
    """The asked-for products, read from the read model only when looked up."""

    def __init__(self, read_model: ProductReadModel, product_ids: Sequence[str]) -> None:
        self._read_model = read_model
        self._ids = product_ids
        self._asked = frozenset(product_ids)

    def __getitem__(self, product_id: str) -> ProductInfo:
        product = self._read_model.get(product_id) if product_id in self._asked else None
        if product is None:
            raise KeyError(product_id)
        return product

    def __contains__(self, product_id: object) -> bool:
        # Without it, ``in`` would build the ProductInfo (or raise KeyError) just to test.
        return product_id in self._asked and product_id in self._read_model

    def __iter__(self) -> Iterator[str]:
        return (p for p in self._ids if p in self._read_model)

    def __len__(self) -> int:
        return sum(1 for _ in self)
