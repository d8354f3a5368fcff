"""The naive data plane, kept as the benchmark baseline: what seed systems start from.

Sequential REST calls with JSON, no cache, no read model, one catalogue call and one stock
call per candidate product. It shares the ranking code with the optimised plane, so the
benchmark measures the data plane and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from nextbuy.contracts.catalog import ProductPublic
from nextbuy.contracts.inventory import StockLevelPublic
from nextbuy.core.deadline import Deadline
from nextbuy.engine.domain.errors import UpstreamError
from nextbuy.engine.domain.ports import ProductInfo, ResolvedProducts, UserSignals
from nextbuy.engine.domain.translate import product_info
from nextbuy.engine.upstream.clients import OrdersClient, ProfilesClient, parse_contract
from nextbuy.engine.upstream.http import UpstreamHttp


@dataclass
class NaiveUserData:
    profiles: ProfilesClient
    orders: OrdersClient

    async def signals(self, user_id: str, deadline: Deadline) -> UserSignals:
        degraded: list[str] = []
        viewed: tuple[str, ...] | None = None
        purchased: tuple[str, ...] = ()
        try:
            viewed = await self.profiles.recent_views(
                user_id, timeout_s=deadline.timeout_for_call()
            )
        except UpstreamError:
            degraded.append("profiles")
        try:
            # The full order history on purpose: the baseline is what seed systems start from.
            purchased = await self.orders.purchased_products_from_history(
                user_id, timeout_s=deadline.timeout_for_call()
            )
        except UpstreamError:
            degraded.append("orders")
        known = viewed is not None or bool(purchased)
        return UserSignals(known, purchased, viewed or (), tuple(degraded))


@dataclass
class NaiveProductResolver:
    catalog: UpstreamHttp
    inventory: UpstreamHttp

    async def resolve(self, product_ids: Sequence[str], deadline: Deadline) -> ResolvedProducts:
        products: dict[str, ProductInfo] = {}
        units: dict[str, int] = {}
        degraded: set[str] = set()
        for product_id in product_ids:
            path_id = quote(product_id, safe="")
            try:
                body = await self.catalog.get(
                    f"/v1/products/{path_id}", timeout_s=deadline.timeout_for_call()
                )
                if body is not None:
                    products[product_id] = product_info(
                        parse_contract("catalog", ProductPublic, body)
                    )
            except UpstreamError:
                degraded.add("catalog")
            try:
                body = await self.inventory.get(
                    f"/v1/stock/{path_id}", timeout_s=deadline.timeout_for_call()
                )
                if body is not None:
                    level = parse_contract("inventory", StockLevelPublic, body)
                    units[product_id] = level.available - level.reserved
            except UpstreamError:
                degraded.add("inventory")

        def sellable(product_id: str) -> bool:
            return units.get(product_id, 0) > 0 or "inventory" in degraded

        return ResolvedProducts(products, sellable, tuple(sorted(degraded)))
