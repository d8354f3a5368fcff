"""The few fields the engine uses, read straight from decoded profile and order-page bodies.

A cold request used to validate the whole ``UserPublic`` (~20 KB, with attributes the engine
never reads) and ``Page[OrderPublic]`` (up to 500 orders: timestamps, prices, currencies) with
pydantic, only to keep product ids: ~2–4 ms of engine CPU per cold request (ADR 0021). These
readers check the type of every field they use and nothing else, so a body that is not the
contract where it matters is still a :class:`PayloadError` (a degraded source, never a 500),
while a change in a field the engine ignores no longer costs anything.
"""

from __future__ import annotations

from nextbuy.contracts.orders import NOT_PURCHASED

__all__ = ["PayloadError", "purchased_product_ids", "purchased_products", "recent_views"]


class PayloadError(ValueError):
    """The body does not match the contract in a field the engine uses."""


def recent_views(body: object) -> tuple[str, ...]:
    """Product ids of a ``UserPublic`` body's recent views, in the order the service sent."""
    return tuple(
        _product_id(view, "recent_views[]") for view in _list(body, "recent_views", "body")
    )


def purchased_products(body: object) -> tuple[str, ...]:
    """Distinct product ids of a ``Page[OrderPublic]`` body, first purchase first.

    Lines of cancelled or returned orders are not purchases, but they must still be well formed.
    """
    bought: dict[str, None] = {}
    for order in _list(body, "items", "body"):
        status = _dict(order, "items[]").get("status")
        if not isinstance(status, str):
            raise PayloadError("items[].status is not a string")
        lines = [_product_id(line, "items[].lines[]") for line in _list(order, "lines", "items[]")]
        if status not in NOT_PURCHASED:
            bought.update(dict.fromkeys(lines))
    return tuple(bought)


def purchased_product_ids(body: object) -> tuple[str, ...]:
    """The ``product_ids`` of a ``PurchasedProductsPublic`` body, in the order the service sent.

    The service already left out cancelled and returned orders and repeated ids.
    """
    bought: list[str] = []
    for product_id in _list(body, "product_ids", "body"):
        if not isinstance(product_id, str) or not product_id:
            raise PayloadError("body.product_ids[] is not a non-empty string")
        bought.append(product_id)
    return tuple(bought)


def _dict(value: object, where: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise PayloadError(f"{where} is not an object")
    return value


def _list(container: object, name: str, where: str) -> list[object]:
    value = _dict(container, where).get(name)
    if not isinstance(value, list):
        raise PayloadError(f"{where}.{name} is not a list")
    return value


def _product_id(value: object, where: str) -> str:
    product_id = _dict(value, where).get("product_id")
    if not isinstance(product_id, str) or not product_id:
        raise PayloadError(f"{where}.product_id is not a non-empty string")
    return product_id
