"""Product Catalog service payloads."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import Field, HttpUrl

from nextbuy.contracts.common import (
    MAX_BATCH,
    AwareDatetime,
    CurrencyCode,
    Identifier,
    InputModel,
    OutputModel,
)

Price = Field(ge=0, le=10_000_000, max_digits=12, decimal_places=2)


class ProductCreate(InputModel):
    """A new product, or the full replacement of one (``PUT /v1/products/{id}``)."""

    id: Identifier
    sku: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=10_000)
    category_path: list[str] = Field(default_factory=list, max_length=8)
    brand: str | None = Field(default=None, max_length=100)
    price: Decimal = Price
    currency: CurrencyCode = "EUR"
    image_url: HttpUrl | None = None
    attributes: dict[str, Any] = Field(default_factory=dict, max_length=50)
    active: bool = True
    created_at: AwareDatetime | None = None


class ProductUpdate(InputModel):
    """A partial update (``PATCH /v1/products/{id}``): only the fields given change."""

    sku: str | None = Field(default=None, min_length=1, max_length=64)
    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=10_000)
    category_path: list[str] | None = Field(default=None, max_length=8)
    brand: str | None = Field(default=None, max_length=100)
    price: Decimal | None = Field(
        default=None, ge=0, le=10_000_000, max_digits=12, decimal_places=2
    )
    currency: CurrencyCode | None = None
    image_url: HttpUrl | None = None
    attributes: dict[str, Any] | None = Field(default=None, max_length=50)
    active: bool | None = None


class ProductBulkUpsert(InputModel):
    products: list[ProductCreate] = Field(min_length=1, max_length=MAX_BATCH)


class ProductPublic(OutputModel):
    id: str
    sku: str
    title: str
    description: str
    category_path: list[str]
    brand: str | None
    price: float
    currency: str
    image_url: str | None
    attributes: dict[str, Any]
    active: bool
    created_at: datetime
    updated_at: datetime
