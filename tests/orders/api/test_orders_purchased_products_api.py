"""``/v1/users/{id}/purchased-products``: the engine's compact view of a user's order history.

The engine used to reduce ``/v1/users/{id}/orders?limit=1000`` to distinct product ids itself
(``user_payloads.purchased_products``); this endpoint must give exactly that answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nextbuy.engine.upstream.user_payloads import purchased_products
from tests.orders.api.helpers import error_fields, post_json
from tests.orders.builders import make_order_payload

if TYPE_CHECKING:
    from django.test import Client

STATUSES = ["placed", "paid", "shipped", "delivered", "cancelled", "returned"]


def order(day: int, status: str, *products: str, **overrides: Any) -> dict[str, Any]:
    """An order placed on day ``day`` of May 2024 with one line per product."""
    lines = [{"product_id": p, "quantity": 1, "unit_price": "1.00"} for p in products]
    created_at = f"2024-05-{day:02d}T12:00:00Z"
    return make_order_payload(created_at=created_at, status=status, lines=lines, **overrides)


def store(client: Client, orders: list[dict[str, Any]]) -> None:
    response = post_json(client, "/v1/orders:bulkCreate", {"orders": orders})
    assert response.status_code == 200, response.content


def purchased(client: Client, user_id: str, query: str = "") -> list[str]:
    response = client.get(f"/v1/users/{user_id}/purchased-products{query}")
    assert response.status_code == 200, response.content
    body = orjson.loads(response.content)
    assert body["user_id"] == user_id
    ids: list[str] = body["product_ids"]
    return ids


def test_products_are_distinct_first_bought_first_in_line_order(client: Client) -> None:
    # Stored out of time order: the answer follows created_at, not insertion.
    store(client, [order(3, "paid", "p4", "p1"), order(1, "delivered", "p2", "p1", "p3")])
    assert purchased(client, "user-1") == ["p2", "p1", "p3", "p4"]


def test_cancelled_and_returned_orders_are_not_purchases(client: Client) -> None:
    store(
        client,
        [
            order(1, "cancelled", "p9"),
            order(2, "returned", "p8", "p1"),
            order(3, "placed", "p1"),
            order(4, "shipped", "p2"),
        ],
    )
    assert purchased(client, "user-1") == ["p1", "p2"]


def test_other_users_orders_are_not_included(client: Client) -> None:
    store(client, [order(1, "paid", "p1"), order(2, "paid", "p2", user_id="user-2")])
    assert purchased(client, "user-1") == ["p1"]
    assert purchased(client, "user-2") == ["p2"]


def test_limit_counts_the_first_orders_cancelled_ones_included(client: Client) -> None:
    store(
        client,
        [order(1, "paid", "p1"), order(2, "cancelled", "p2"), order(3, "paid", "p3")],
    )
    assert purchased(client, "user-1", "?limit=1") == ["p1"]
    assert purchased(client, "user-1", "?limit=2") == ["p1"]
    assert purchased(client, "user-1", "?limit=3") == ["p1", "p3"]
    assert purchased(client, "user-1", "?limit=1000") == ["p1", "p3"]


def test_an_unknown_user_bought_nothing(client: Client) -> None:
    assert orjson.loads(client.get("/v1/users/nobody/orders").content)["items"] == []
    assert purchased(client, "nobody") == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?limit=0", "query.limit"),
        ("?limit=1001", "query.limit"),
        ("?limit=many", "query.limit"),
        ("?since=2024-01-01T00:00:00Z", "query.since"),
    ],
)
def test_bad_query_is_a_422_naming_the_field(client: Client, query: str, field: str) -> None:
    response = client.get(f"/v1/users/user-1/purchased-products{query}")
    assert response.status_code == 422
    assert error_fields(response) == [field]


def test_a_bad_user_id_is_a_422(client: Client) -> None:
    response = client.get("/v1/users/-bad/purchased-products")
    assert response.status_code == 422
    assert error_fields(response) == ["path.user_id"]


def test_the_sql_is_one_bounded_query_whatever_the_number_of_orders(client: Client) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    store(client, [order(1, "paid", "p1", user_id="few")])
    many = [
        order(1 + i % 28, STATUSES[i % 6], f"p{i}", f"p{i + 1}", user_id="many") for i in range(300)
    ]
    store(client, many)
    counts = []
    for user_id in ("few", "many", "nobody"):
        with CaptureQueriesContext(connection) as queries:
            purchased(client, user_id)
        counts.append(len(queries))
    assert counts == [1, 1, 1], [q["sql"] for q in queries.captured_queries]


orders_of_one_user = st.lists(
    st.tuples(
        st.integers(1, 5),  # day: several orders share a timestamp, so the id breaks ties
        st.sampled_from(STATUSES),
        st.lists(st.sampled_from(["p1", "p2", "p3", "p4", "p5", "p6"]), min_size=1, max_size=4),
    ),
    max_size=12,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=orders_of_one_user, limit=st.sampled_from([None, 1, 3, 1000]))
def test_the_answer_is_what_the_engine_derived_from_the_order_page(
    client: Client, history: list[tuple[int, str, list[str]]], limit: int | None
) -> None:
    from nextbuy.orders.storage.models import Order

    Order.objects.all().delete()  # the fixture empties the tables once per test, not per example
    if history:
        store(client, [order(day, status, *products) for day, status, products in history])
    query = "" if limit is None else f"?limit={limit}"
    page = orjson.loads(client.get(f"/v1/users/user-1/orders?limit={limit or 1000}").content)
    assert purchased(client, "user-1", query) == list(purchased_products(page))
