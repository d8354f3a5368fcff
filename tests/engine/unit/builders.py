"""Builders and in-memory implementations of the engine's own ports, for unit tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from nextbuy.core.deadline import Deadline
from nextbuy.engine.domain.model import RecommendationModel
from nextbuy.engine.domain.ports import ProductInfo, PurchaseRecord, ResolvedProducts, UserSignals


def make_product(product_id: str, **overrides: object) -> ProductInfo:
    fields: dict[str, object] = {
        "product_id": product_id,
        "title": f"Title of {product_id}",
        "price": 10.0,
        "currency": "EUR",
        "category": "Home/Kitchen",
        "active": True,
    }
    fields.update(overrides)
    return ProductInfo(**fields)  # type: ignore[arg-type]


def make_purchase(
    order_id: str, user_id: str, *products: str, cancelled: bool = False
) -> PurchaseRecord:
    return PurchaseRecord(order_id, user_id, tuple(products), cancelled)


def build_model(*purchases: PurchaseRecord) -> RecommendationModel:
    return RecommendationModel.build(purchases, neighbours_per_item=20)


@dataclass
class MemoryUserData:
    """Signals from dicts; ``down`` names sources that answer as if their service were dead."""

    purchases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    views: dict[str, tuple[str, ...]] = field(default_factory=dict)
    down: tuple[str, ...] = ()

    async def signals(self, user_id: str, deadline: Deadline) -> UserSignals:
        purchased = () if "orders" in self.down else self.purchases.get(user_id, ())
        viewed = () if "profiles" in self.down else self.views.get(user_id, ())
        known = user_id in self.purchases or user_id in self.views
        return UserSignals(known, purchased, viewed, self.down)


@dataclass
class MemoryResolver:
    catalogue: dict[str, ProductInfo]
    units: dict[str, int]
    stock_down: bool = False
    asked: list[list[str]] = field(default_factory=list)

    async def resolve(self, product_ids: Sequence[str], deadline: Deadline) -> ResolvedProducts:
        self.asked.append(list(product_ids))
        products = {p: self.catalogue[p] for p in product_ids if p in self.catalogue}
        if self.stock_down:
            return ResolvedProducts(products, lambda _p: True, ("inventory",))
        return ResolvedProducts(products, lambda p: self.units.get(p, 0) > 0)
