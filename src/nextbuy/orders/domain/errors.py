"""The errors of the order history; each maps to one HTTP status through ``nextbuy.core``."""

from __future__ import annotations

from nextbuy.core.errors import ConflictError, InvalidInputError, NextbuyError, NotFoundError


class OrdersError(NextbuyError):
    """Base of every error the order history raises."""


class OrderNotFoundError(OrdersError, NotFoundError):
    """No order has this id."""


class OrderConflictError(OrdersError, ConflictError):
    """An order with this id exists with different content (ids are the shop's own)."""


class InvalidOrderBatchError(OrdersError, InvalidInputError):
    """A batch that is well-formed JSON but cannot be applied (e.g. one id twice)."""
