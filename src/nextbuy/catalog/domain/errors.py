"""The catalog's errors: one base, each also a core error type so the API maps it to a status."""

from __future__ import annotations

from nextbuy.core.errors import (
    ConflictError,
    FieldError,
    InvalidInputError,
    NextbuyError,
    NotFoundError,
    UnavailableError,
)


class CatalogError(NextbuyError):
    """Base of every error the catalog raises."""


class ProductNotFoundError(CatalogError, NotFoundError):
    def __init__(self, product_id: str) -> None:
        super().__init__(f"product {product_id!r} does not exist")
        self.product_id = product_id


class ProductExistsError(CatalogError, ConflictError):
    def __init__(self, product_id: str, *, field: str = "body.id") -> None:
        super().__init__(
            f"product {product_id!r} already exists",
            errors=[FieldError(field, "a product with this id already exists")],
        )


class SkuTakenError(CatalogError, ConflictError):
    def __init__(self, sku: str, owner: str, *, field: str) -> None:
        super().__init__(
            f"sku {sku!r} already belongs to product {owner!r}",
            errors=[FieldError(field, f"sku is already used by product {owner!r}")],
        )


class ConcurrentWriteError(CatalogError, ConflictError):
    """Another writer stored the same id or sku between our read and our write."""

    def __init__(self) -> None:
        super().__init__("a product with this id or sku was written concurrently; retry")


class InvalidProductError(CatalogError, InvalidInputError):
    """The input passed schema validation but breaks a catalog rule (names the fields)."""


class CatalogUnavailableError(CatalogError, UnavailableError):
    """The database did not answer in time (pool exhausted, server down, SQLite locked)."""

    def __init__(self) -> None:
        super().__init__("the catalog database is unavailable; retry later")
