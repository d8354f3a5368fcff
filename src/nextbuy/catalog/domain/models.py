"""Products as the catalog's domain sees them: plain, immutable dataclasses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class ProductContent:
    """Everything a client writes about a product; two equal contents mean "unchanged"."""

    sku: str
    title: str
    description: str = ""
    category_path: tuple[str, ...] = ()
    brand: str | None = None
    price: Decimal = Decimal("0")
    currency: str = "EUR"
    image_url: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)
    active: bool = True


@dataclass(frozen=True, slots=True)
class ProductDraft:
    """A product as a client sends it: ``created_at`` is optional (imports keep their own)."""

    id: str
    content: ProductContent
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Product:
    """A stored product."""

    id: str
    content: ProductContent
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ProductSlice:
    """One page of products, and whether more follow it."""

    items: list[Product]
    has_more: bool


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    """How a bulk upsert went; ``unchanged == len(batch)`` on a replay."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
