"""An in-memory product repository: the reference adapter for unit tests of the domain."""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager

from nextbuy.catalog.domain.errors import ConcurrentWriteError
from nextbuy.catalog.domain.models import Product
from nextbuy.contracts.events import EventBase
from nextbuy.core.cursors import FeedPosition


class MemoryProductRepository:
    """Products in a dict; a transaction holds a lock and rolls back on any error."""

    def __init__(self) -> None:
        self._products: dict[str, Product] = {}
        self.events: list[EventBase] = []
        """The outbox: every event appended by a committed transaction, in order."""
        self._lock = threading.Lock()

    @contextmanager
    def transaction(self) -> Iterator[MemoryProductStore]:
        with self._lock:
            snapshot = dict(self._products)
            pending: list[EventBase] = []
            try:
                yield MemoryProductStore(self._products, pending)
            except BaseException:
                self._products.clear()
                self._products.update(snapshot)
                raise
            self.events.extend(pending)

    def ping(self) -> None:
        """Always reachable."""


class MemoryProductStore:
    def __init__(self, products: dict[str, Product], events: list[EventBase]) -> None:
        self._products = products
        self._events = events

    def get_many(self, ids: Collection[str]) -> dict[str, Product]:
        return {i: self._products[i] for i in ids if i in self._products}

    def sku_owners(self, skus: Collection[str]) -> dict[str, str]:
        return {p.content.sku: p.id for p in self._products.values() if p.content.sku in skus}

    def insert(self, products: Sequence[Product]) -> None:
        for product in products:
            if product.id in self._products or self.sku_owners({product.content.sku}):
                raise ConcurrentWriteError()
            self._products[product.id] = product

    def update(self, products: Sequence[Product]) -> None:
        for product in products:
            self._products[product.id] = product

    def append_events(self, events: Sequence[EventBase]) -> None:
        self._events.extend(events)

    def list_active(
        self, *, category: tuple[str, ...], after_id: str | None, limit: int
    ) -> list[Product]:
        def matches(product: Product) -> bool:
            path = product.content.category_path
            return product.content.active and path[: len(category)] == category

        return self._page_by_id(filter(matches, self._products.values()), after_id, limit)

    def list_all(self, *, after_id: str | None, limit: int) -> list[Product]:
        return self._page_by_id(self._products.values(), after_id, limit)

    def list_changed(self, *, after: FeedPosition | None, limit: int) -> list[Product]:
        ordered = sorted(self._products.values(), key=lambda p: (p.updated_at, p.id))
        if after is not None:
            ordered = [p for p in ordered if (p.updated_at, p.id) > (after.updated_at, after.id)]
        return ordered[:limit]

    @staticmethod
    def _page_by_id(
        products: Iterator[Product] | Collection[Product], after_id: str | None, limit: int
    ) -> list[Product]:
        ordered = sorted(products, key=lambda p: p.id)
        if after_id is not None:
            ordered = [p for p in ordered if p.id > after_id]
        return ordered[:limit]
