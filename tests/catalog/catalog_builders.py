"""Builders for catalog tests: valid by default, any field overridable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from nextbuy.catalog.domain.models import Product, ProductContent, ProductDraft

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def make_content(product_id: str = "p-0001", **overrides: Any) -> ProductContent:
    values: dict[str, Any] = {
        "sku": f"SKU-{product_id}",
        "title": f"Product {product_id}",
        "description": "A thing people buy.",
        "category_path": ("Home", "Kitchen"),
        "brand": "Acme",
        "price": Decimal("19.99"),
        "currency": "EUR",
        "image_url": f"https://img.example.com/{product_id}.jpg",
        "attributes": {"colour": "red", "sizes": [1, 2, 3], "nested": {"a": True}},
        "active": True,
    }
    values.update(overrides)
    return ProductContent(**values)


def make_draft(
    product_id: str = "p-0001", *, created_at: datetime | None = None, **overrides: Any
) -> ProductDraft:
    return ProductDraft(product_id, make_content(product_id, **overrides), created_at)


def make_product(
    product_id: str = "p-0001",
    *,
    created_at: datetime = T0,
    updated_at: datetime = T0,
    **overrides: Any,
) -> Product:
    return Product(product_id, make_content(product_id, **overrides), created_at, updated_at)


def make_payload(product_id: str = "p-0001", **overrides: Any) -> dict[str, Any]:
    """A ``ProductCreate`` JSON body."""
    payload: dict[str, Any] = {
        "id": product_id,
        "sku": f"SKU-{product_id}",
        "title": f"Product {product_id}",
        "description": "A thing people buy.",
        "category_path": ["Home", "Kitchen"],
        "brand": "Acme",
        "price": "19.99",
        "currency": "EUR",
        "image_url": f"https://img.example.com/{product_id}.jpg",
        "attributes": {"colour": "red"},
    }
    payload.update(overrides)
    return payload


@dataclass
class ManualClock:
    """A clock that only moves when told to."""

    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float = 1.0) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now
