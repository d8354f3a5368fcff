"""The engine's local read model of the catalogue, fed by the catalogue's change feed.

Ranking reads titles, prices and categories from here instead of calling the catalogue per
request: a dead catalogue leaves the engine with slightly stale products, not with none.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from nextbuy.engine.domain.ports import ProductInfo


class CatalogueView(Mapping[str, ProductInfo]):
    """Products by id. Single writer (the refresher), many readers (requests) on one event loop."""

    def __init__(self) -> None:
        self._products: dict[str, ProductInfo] = {}

    def apply(self, changes: Iterable[ProductInfo]) -> int:
        """Upsert changed products; returns how many were applied."""
        applied = 0
        for product in changes:
            self._products[product.product_id] = product
            applied += 1
        return applied

    def __getitem__(self, product_id: str) -> ProductInfo:
        return self._products[product_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._products)

    def __len__(self) -> int:
        return len(self._products)
