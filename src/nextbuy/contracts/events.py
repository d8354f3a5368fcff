"""Events the services publish, versioned in their type: ``order.placed.v1`` is OrderPlacedV1.

A consumer dispatches on ``type`` (see :data:`AnyEvent`); a new incompatible shape gets a new
``vN`` type and both are published until every consumer reads the new one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field

from nextbuy.contracts.catalog import ProductPublic
from nextbuy.contracts.inventory import StockLevelPublic
from nextbuy.contracts.orders import OrderPublic
from nextbuy.contracts.profiles import UserPublic


class EventBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: UUID = Field(default_factory=uuid4)
    occurred_at: datetime
    source: str


class ProductCreatedV1(EventBase):
    type: Literal["product.created.v1"] = "product.created.v1"
    product: ProductPublic


class ProductUpdatedV1(EventBase):
    type: Literal["product.updated.v1"] = "product.updated.v1"
    product: ProductPublic


class StockChangedV1(EventBase):
    type: Literal["stock.changed.v1"] = "stock.changed.v1"
    stock: StockLevelPublic


class OrderPlacedV1(EventBase):
    type: Literal["order.placed.v1"] = "order.placed.v1"
    order: OrderPublic


class UserUpdatedV1(EventBase):
    type: Literal["user.updated.v1"] = "user.updated.v1"
    user: UserPublic


AnyEvent = Annotated[
    ProductCreatedV1 | ProductUpdatedV1 | StockChangedV1 | OrderPlacedV1 | UserUpdatedV1,
    Field(discriminator="type"),
]
