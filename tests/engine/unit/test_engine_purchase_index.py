"""The purchase index answers what the Order History service's purchased-products route would.

The reference is the engine's reducer over an order-history page (the naive plane's path,
itself checked against the service): the user's first ``limit`` orders by placement time,
cancelled ones counted in the limit but not bought, each product once, first bought first.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from nextbuy.engine.domain.ports import PurchaseRecord
from nextbuy.engine.storage.purchase_index import PurchaseIndex
from nextbuy.engine.upstream.user_payloads import purchased_products

LIMIT = 4


@st.composite
def order(draw: st.DrawFn) -> PurchaseRecord:
    number = draw(st.integers(min_value=0, max_value=13))
    return PurchaseRecord(
        order_id=f"o{number}",
        user_id=f"u{number % 2 + 1}",  # an order id belongs to one user
        product_ids=tuple(draw(st.lists(st.sampled_from("abcdefg"), min_size=1, max_size=3))),
        cancelled=draw(st.booleans()),
        placed_at=draw(st.sampled_from([1.0, 2.0, 3.0])),  # ties: the order id decides, as in SQL
    )


orders = st.lists(order(), min_size=1, max_size=40)


def history_page(records: list[PurchaseRecord], user_id: str) -> dict[str, Any]:
    """What ``GET /v1/users/{id}/orders?limit=LIMIT`` would send for the latest versions."""
    latest = {r.order_id: r for r in records}  # a later version of an order replaces it
    mine = sorted(
        (r for r in latest.values() if r.user_id == user_id),
        key=lambda r: (r.placed_at, r.order_id),
    )
    return {
        "items": [
            {
                "status": "cancelled" if r.cancelled else "placed",
                "lines": [{"product_id": p} for p in r.product_ids],
            }
            for r in mine[:LIMIT]
        ]
    }


@settings(max_examples=300, deadline=None)
@given(orders, st.integers(min_value=1, max_value=5))
def test_the_index_matches_the_services_answer(records: list[PurchaseRecord], chunk: int) -> None:
    index = PurchaseIndex(history_orders=LIMIT)
    for start in range(0, len(records), chunk):  # in feed pages or event batches
        index.apply(records[start : start + chunk])
        for user_id in ("u1", "u2", "nobody"):
            expected = purchased_products(history_page(records[: start + chunk], user_id))
            assert index.purchased(user_id) == expected


def test_the_same_tuple_until_the_users_orders_change() -> None:
    index = PurchaseIndex(history_orders=10)
    index.apply([PurchaseRecord("o1", "u1", ("a",), False, 1.0)])
    first = index.purchased("u1")
    assert index.apply([PurchaseRecord("o1", "u1", ("a",), False, 1.0)]) == set()  # re-read
    assert index.apply([PurchaseRecord("o9", "u2", ("z",), False, 1.0)]) == {"u2"}
    assert index.purchased("u1") is first
    assert index.apply([PurchaseRecord("o1", "u1", ("a",), True, 1.0)]) == {"u1"}  # cancelled
    assert index.purchased("u1") == ()
