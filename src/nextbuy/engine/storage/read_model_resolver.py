"""Resolves candidates from the local read model: no network on the request path.

If a feed has not synced within its staleness budget, the answer still uses the last known
data (better than none) but names the source as degraded.
"""

from __future__ import annotations

from collections.abc import Sequence
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
        products: dict[str, ProductInfo] = {}
        for product_id in product_ids:
            product = self.read_model.get(product_id)
            if product is not None:
                products[product_id] = product
        return ResolvedProducts(products, self._sellable, self.stale_sources())

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
