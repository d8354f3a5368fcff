"""Builders of orders for the order history tests: valid by default, override what matters."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from nextbuy.orders.domain.models import NewOrder, OrderLine

_ids = itertools.count(1)

PLACED_AT = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def next_order_id() -> str:
    return f"order-{next(_ids):06d}"


def make_new_order(**overrides: Any) -> NewOrder:
    """A domain order as the shop would submit it."""
    fields: dict[str, Any] = {
        "id": next_order_id(),
        "user_id": "user-1",
        "status": "placed",
        "currency": "EUR",
        "created_at": PLACED_AT,
        "lines": (
            OrderLine("product-1", 2, Decimal("9.99")),
            OrderLine("product-2", 1, Decimal("120.50")),
        ),
    }
    fields.update(overrides)
    return NewOrder(**fields)


def make_order_payload(**overrides: Any) -> dict[str, Any]:
    """An ``OrderCreate`` JSON body."""
    body: dict[str, Any] = {
        "id": next_order_id(),
        "user_id": "user-1",
        "status": "placed",
        "currency": "EUR",
        "created_at": "2024-05-01T12:00:00Z",
        "lines": [
            {"product_id": "product-1", "quantity": 2, "unit_price": "9.99"},
            {"product_id": "product-2", "quantity": 1, "unit_price": "120.50"},
        ],
    }
    body.update(overrides)
    return body
