"""The order history API: creating orders idempotently and reading them back in order."""

from __future__ import annotations

from typing import TYPE_CHECKING

import orjson

from tests.orders.api.helpers import page_through, post_json
from tests.orders.builders import make_order_payload

if TYPE_CHECKING:
    from django.test import Client


def test_a_created_order_is_returned_with_its_lines(client: Client) -> None:
    payload = make_order_payload()
    response = post_json(client, "/v1/orders", payload)
    assert response.status_code == 201
    body = orjson.loads(response.content)
    assert body["id"] == payload["id"]
    assert body["created_at"] == "2024-05-01T12:00:00Z"
    assert body["lines"] == [
        {"product_id": "product-1", "quantity": 2, "unit_price": 9.99},
        {"product_id": "product-2", "quantity": 1, "unit_price": 120.5},
    ]
    fetched = client.get(f"/v1/orders/{payload['id']}")
    assert fetched.status_code == 200
    assert orjson.loads(fetched.content) == body


def test_created_at_defaults_to_now(client: Client) -> None:
    payload = make_order_payload()
    del payload["created_at"]
    body = orjson.loads(post_json(client, "/v1/orders", payload).content)
    assert body["created_at"] == body["updated_at"]


def test_the_same_order_again_is_a_200_replay(client: Client) -> None:
    payload = make_order_payload()
    first = post_json(client, "/v1/orders", payload)
    again = post_json(client, "/v1/orders", payload)
    assert again.status_code == 200
    assert again.content == first.content


def test_the_same_id_with_other_content_is_a_409(client: Client) -> None:
    payload = make_order_payload()
    post_json(client, "/v1/orders", payload)
    response = post_json(client, "/v1/orders", {**payload, "status": "paid"})
    assert response.status_code == 409
    assert orjson.loads(response.content)["type"] == "conflict"


def test_bulk_create_is_idempotent_and_keeps_updated_at(client: Client) -> None:
    batch = {"orders": [make_order_payload() for _ in range(20)]}
    first = post_json(client, "/v1/orders:bulkCreate", batch)
    assert orjson.loads(first.content) == {"created": 20, "updated": 0, "unchanged": 0}
    before = orjson.loads(client.get("/v1/orders:changes?limit=100").content)
    second = post_json(client, "/v1/orders:bulkCreate", batch)
    assert orjson.loads(second.content) == {"created": 0, "updated": 0, "unchanged": 20}
    assert orjson.loads(client.get("/v1/orders:changes?limit=100").content) == before


def test_bulk_create_with_a_conflict_writes_nothing(client: Client) -> None:
    stored = make_order_payload()
    post_json(client, "/v1/orders", stored)
    fresh = make_order_payload()
    batch = {"orders": [fresh, {**stored, "currency": "USD"}]}
    assert post_json(client, "/v1/orders:bulkCreate", batch).status_code == 409
    assert client.get(f"/v1/orders/{fresh['id']}").status_code == 404


def test_user_orders_are_oldest_first_from_since(client: Client) -> None:
    stamps = ["2024-05-03T00:00:00Z", "2024-05-01T00:00:00Z", "2024-05-02T00:00:00+00:00"]
    orders = [make_order_payload(created_at=stamp) for stamp in stamps]
    post_json(
        client, "/v1/orders:bulkCreate", {"orders": [*orders, make_order_payload(user_id="u2")]}
    )
    body = orjson.loads(client.get("/v1/users/user-1/orders").content)
    assert [o["id"] for o in body["items"]] == [orders[1]["id"], orders[2]["id"], orders[0]["id"]]
    assert body["next_cursor"] is None
    since = client.get("/v1/users/user-1/orders?since=2024-05-02T00:00:00Z")
    assert [o["id"] for o in orjson.loads(since.content)["items"]] == [
        orders[2]["id"],
        orders[0]["id"],
    ]


def test_an_unknown_user_has_an_empty_page(client: Client) -> None:
    response = client.get("/v1/users/nobody/orders")
    assert response.status_code == 200
    assert orjson.loads(response.content) == {"items": [], "next_cursor": None}


def test_paging_through_many_orders_sharing_one_timestamp(client: Client) -> None:
    # One batch: every order gets the same updated_at, and here the same created_at too.
    batch = [make_order_payload() for _ in range(250)]
    post_json(client, "/v1/orders:bulkCreate", {"orders": batch})
    expected = sorted(order["id"] for order in batch)
    assert page_through(client, "/v1/orders:changes", 100) == (expected, 3)
    assert page_through(client, "/v1/users/user-1/orders", 100) == (expected, 3)
    # A full last page gives a cursor; the page after it is empty and ends the feed.
    assert page_through(client, "/v1/orders:changes", 125) == (expected, 3)


def test_the_change_feed_starts_at_updated_since(client: Client) -> None:
    post_json(client, "/v1/orders:bulkCreate", {"orders": [make_order_payload()]})
    body = orjson.loads(client.get("/v1/orders:changes").content)
    written = body["items"][0]["updated_at"]
    assert (
        len(
            orjson.loads(client.get(f"/v1/orders:changes?updated_since={written}").content)["items"]
        )
        == 1
    )
    later = "2999-01-01T00:00:00Z"
    assert (
        orjson.loads(client.get(f"/v1/orders:changes?updated_since={later}").content)["items"] == []
    )


def test_a_full_change_feed_page_of_1000_is_fast(client: Client) -> None:
    import time

    for _ in range(2):
        post_json(
            client, "/v1/orders:bulkCreate", {"orders": [make_order_payload() for _ in range(1000)]}
        )
    started = time.perf_counter()
    response = client.get("/v1/orders:changes?limit=1000")
    elapsed = time.perf_counter() - started
    body = orjson.loads(response.content)
    assert len(body["items"]) == 1000
    assert body["next_cursor"] is not None
    assert elapsed < 5.0  # wide: catches a per-row regression, not a busy machine
