"""The port the API needs from storage: one stock repository."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from nextbuy.core.cursors import FeedPosition
from nextbuy.inventory.domain.models import Adjustment, LevelSet, StockLevel, UpsertCounts


class StockRepository(Protocol):
    """Stored stock levels. Every write is one transaction: all of a batch, or none of it."""

    def get(self, product_id: str) -> StockLevel | None:
        """The stock of one product, or None when it was never stocked."""
        ...

    def lookup(self, product_ids: Sequence[str]) -> list[StockLevel]:
        """The stock of every stocked product among ``product_ids`` (one query, any order)."""
        ...

    def adjust(self, adjustments: Sequence[Adjustment]) -> list[StockLevel]:
        """Apply ``adjustments`` atomically, in order; return the final level per product.

        Products come back in the order the batch first names them. Concurrent batches on
        the same products serialise, so no delta is lost. Raises ``StockConflictError``.
        """
        ...

    def bulk_upsert(self, levels: Sequence[LevelSet]) -> UpsertCounts:
        """Set absolute levels; rows already at those levels keep their ``updated_at``."""
        ...

    def changes(self, *, after: FeedPosition | None, limit: int) -> list[StockLevel]:
        """Up to ``limit`` levels strictly after ``after``, ordered by ``(updated_at, id)``."""
        ...

    def ping(self) -> None:
        """Raise when the database cannot be reached."""
        ...
