"""Conversions between the public contracts and the domain's dataclasses."""

from __future__ import annotations

from nextbuy.contracts.orders import OrderCreate, OrderLinePublic, OrderPublic
from nextbuy.orders.domain.models import NewOrder, Order, OrderLine


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


def order_public(order: Order) -> OrderPublic:
    """The public representation of a stored order."""
    return OrderPublic(
        id=order.id,
        user_id=order.user_id,
        status=order.status,
        currency=order.currency,
        created_at=order.created_at,
        updated_at=order.updated_at,
        lines=[
            OrderLinePublic(
                product_id=line.product_id,
                quantity=line.quantity,
                unit_price=float(line.unit_price),
            )
            for line in order.lines
        ],
    )
