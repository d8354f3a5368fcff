"""The repository port the catalog needs; storage adapters implement it."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from nextbuy.catalog.domain.models import Product
from nextbuy.contracts.events import EventBase
from nextbuy.core.cursors import FeedPosition


class ProductStore(Protocol):
    """Reads and writes inside one transaction (see ``ProductRepository.transaction``)."""

    def get_many(self, ids: Collection[str]) -> dict[str, Product]:
        """The stored products among ``ids`` (one IN query), keyed by id."""
        ...

    def sku_owners(self, skus: Collection[str]) -> dict[str, str]:
        """Which product id holds each of ``skus`` that is taken."""
        ...

    def insert(self, products: Sequence[Product]) -> None:
        """Add new products; an id or sku written meanwhile raises ConcurrentWriteError."""
        ...

    def update(self, products: Sequence[Product]) -> None:
        """Overwrite existing products (matched by id) with every field given."""
        ...

    def append_events(self, events: Sequence[EventBase]) -> None:
        """Add events to the outbox, to be published once this transaction commits."""
        ...

    def list_active(
        self, *, category: tuple[str, ...], after_id: str | None, limit: int
    ) -> list[Product]:
        """Active products in ``category`` or below it, by id, strictly after ``after_id``."""
        ...

    def list_all(self, *, after_id: str | None, limit: int) -> list[Product]:
        """Every product, active or not, by id, strictly after ``after_id``."""
        ...

    def list_changed(self, *, after: FeedPosition | None, limit: int) -> list[Product]:
        """Products ordered by ``(updated_at, id)``, strictly after ``after``."""
        ...


class ProductRepository(Protocol):
    """Where products live. Each ``transaction()`` commits on success, rolls back on error."""

    def transaction(self) -> AbstractContextManager[ProductStore]:
        """Open a unit of work; everything done through the store commits together."""
        ...

    def ping(self) -> None:
        """Raise when the backing store is unreachable (readiness)."""
        ...
