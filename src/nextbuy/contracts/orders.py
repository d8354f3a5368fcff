"""Order History service payloads."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import Field

from nextbuy.contracts.common import MAX_BATCH, AwareDatetime, Identifier, InputModel, OutputModel

OrderStatus = Literal["placed", "paid", "shipped", "delivered", "cancelled", "returned"]
NOT_PURCHASED: frozenset[OrderStatus] = frozenset({"cancelled", "returned"})
"""Statuses whose lines the customer did not keep: not purchases, to the service (its
purchased-products projection) and to every reader of its order pages and feed alike."""
MAX_LINES = 200


class OrderLineCreate(InputModel):
    product_id: Identifier
    quantity: int = Field(ge=1, le=10_000)
    unit_price: Decimal = Field(ge=0, le=10_000_000, max_digits=12, decimal_places=2)


class OrderCreate(InputModel):
    """A new order. The id is the shop's own, which makes creation idempotent."""

    id: Identifier
    user_id: Identifier
    status: OrderStatus = "placed"
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")
    created_at: AwareDatetime | None = None
    lines: list[OrderLineCreate] = Field(min_length=1, max_length=MAX_LINES)


class OrderBulkCreate(InputModel):
    orders: list[OrderCreate] = Field(min_length=1, max_length=MAX_BATCH)


class OrderLinePublic(OutputModel):
    product_id: str
    quantity: int
    unit_price: float


class OrderPublic(OutputModel):
    id: str
    user_id: str
    status: str
    currency: str
    created_at: datetime
    updated_at: datetime
    lines: list[OrderLinePublic]


class PurchasedProductsPublic(OutputModel):
    """The distinct products a user bought (orders not cancelled or returned), first bought
    first: the compact projection the recommendation engine reads instead of the order pages."""

    user_id: str
    product_ids: list[str]
