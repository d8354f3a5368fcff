"""Inventory errors: one base, each also a core error type so the API maps it to a status."""

from __future__ import annotations

from nextbuy.core.errors import (
    ConflictError,
    FieldError,
    InvalidInputError,
    NextbuyError,
    NotFoundError,
)


class InventoryError(NextbuyError):
    """Base of every error the inventory service raises below its API."""


class StockNotFoundError(InventoryError, NotFoundError):
    """The product was never stocked (no adjustment or upsert ever named it)."""

    def __init__(self, product_id: str) -> None:
        super().__init__(
            f"no stock recorded for product {product_id!r}",
            errors=[FieldError("path.product_id", "never stocked")],
        )
        self.product_id = product_id


class StockConflictError(InventoryError, ConflictError):
    """An adjustment would break a stock invariant; the whole batch is rejected."""

    def __init__(self, index: int, product_id: str, reason: str) -> None:
        super().__init__(
            f"adjustment {index} ({product_id}) rejected: {reason}; nothing was changed",
            errors=[FieldError(f"body.adjustments.{index}", reason)],
        )
        self.index = index
        self.product_id = product_id


class DuplicateProductError(InventoryError, InvalidInputError):
    """A bulk upsert names one product twice: which levels win would be a guess."""

    def __init__(self, index: int, product_id: str, first_index: int) -> None:
        super().__init__(
            f"levels {index} repeats product {product_id!r} of levels {first_index}",
            errors=[FieldError(f"body.levels.{index}.product_id", "duplicate product_id")],
        )


class ConcurrentWriteError(InventoryError, ConflictError):
    """Another writer created the same products first; the batch changed nothing, retry it."""

    def __init__(self) -> None:
        super().__init__("another write created some of these products first; retry the batch")
