"""Conversions between the public contracts and the domain's dataclasses."""

from __future__ import annotations

from nextbuy.contracts.orders import OrderCreate
from nextbuy.orders.domain.events import order_public
from nextbuy.orders.domain.models import NewOrder, OrderLine

__all__ = ["new_order", "order_public"]


def new_order(payload: OrderCreate) -> NewOrder:
    """The domain's view of a submitted order."""
    return NewOrder(
        id=payload.id,
        user_id=payload.user_id,
        status=payload.status,
        currency=payload.currency,
        created_at=payload.created_at,
        lines=tuple(
            OrderLine(line.product_id, line.quantity, line.unit_price) for line in payload.lines
        ),
    )
