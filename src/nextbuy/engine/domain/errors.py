"""Errors of the engine's domain."""

from __future__ import annotations

from nextbuy.core.errors import NextbuyError, NotFoundError, UnavailableError


class EngineError(NextbuyError):
    """Base of every engine error."""


class ProductNotFoundError(EngineError, NotFoundError):
    def __init__(self, product_id: str) -> None:
        super().__init__(f"product {product_id!r} is not in the catalogue")


class ModelNotReadyError(EngineError, UnavailableError):
    def __init__(self) -> None:
        super().__init__("no model has been built yet; retry shortly")


class UpstreamError(Exception):
    """An upstream call failed (timeout, connection, 5xx, malformed body): degrade, never 500."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason
