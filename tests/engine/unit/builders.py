"""Builders and in-memory implementations of the engine's own ports, for unit tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from nextbuy.engine.domain.errors import UpstreamError
from nextbuy.engine.domain.model import RecommendationModel
from nextbuy.engine.domain.ports import ProductInfo, PurchaseRecord


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
class FailingOr:
    """A source that either answers from a dict or raises UpstreamError like a dead service."""

    source: str
    data: dict[str, tuple[str, ...]] = field(default_factory=dict)
    down: bool = False
    calls: int = 0

    def _answer(self, user_id: str) -> tuple[str, ...] | None:
        self.calls += 1
        if self.down:
            raise UpstreamError(self.source, "connection refused")
        return self.data.get(user_id)


class MemoryProfiles(FailingOr):
    async def recent_views(self, user_id: str, *, timeout_s: float) -> tuple[str, ...] | None:
        return self._answer(user_id)


class MemoryOrders(FailingOr):
    async def purchased_products(self, user_id: str, *, timeout_s: float) -> tuple[str, ...]:
        return self._answer(user_id) or ()


@dataclass
class MemoryStock:
    units: dict[str, int] = field(default_factory=dict)
    down: bool = False

    async def sellable_units(
        self, product_ids: Sequence[str], *, timeout_s: float
    ) -> dict[str, int]:
        if self.down:
            raise UpstreamError("inventory", "timeout")
        return {p: self.units[p] for p in product_ids if p in self.units}
