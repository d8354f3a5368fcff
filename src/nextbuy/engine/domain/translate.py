"""From the services' contracts to the engine's own small records."""

from __future__ import annotations

from nextbuy.contracts.catalog import ProductPublic
from nextbuy.contracts.inventory import StockLevelPublic
from nextbuy.contracts.orders import NOT_PURCHASED, OrderPublic
from nextbuy.engine.domain.ports import ProductInfo, PurchaseRecord, StockLevel


def product_info(product: ProductPublic) -> ProductInfo:
    return ProductInfo(
        product_id=product.id,
        title=product.title,
        price=product.price,
        currency=product.currency,
        category="/".join(product.category_path),
        active=product.active,
        updated_at=product.updated_at.timestamp(),
    )


def stock_level(level: StockLevelPublic) -> StockLevel:
    return StockLevel(
        level.product_id, level.available - level.reserved, level.updated_at.timestamp()
    )


def purchase_record(order: OrderPublic) -> PurchaseRecord:
    return PurchaseRecord(
        order_id=order.id,
        user_id=order.user_id,
        product_ids=tuple(line.product_id for line in order.lines),
        cancelled=order.status in NOT_PURCHASED,
        placed_at=order.created_at.timestamp(),
    )
