"""Bad input is always a problem-JSON 4xx naming the field, never a 500 or an HTML page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
import pytest

from tests.orders.api.helpers import error_fields, post_json
from tests.orders.builders import make_order_payload

if TYPE_CHECKING:
    from django.test import Client

BAD_ORDERS: list[tuple[dict[str, Any], str]] = [
    ({"lines": [{"product_id": "p", "quantity": 0, "unit_price": "1"}]}, "body.lines.0.quantity"),
    (
        {"lines": [{"product_id": "p", "quantity": 1, "unit_price": "1.005"}]},
        "body.lines.0.unit_price",
    ),
    ({"lines": []}, "body.lines"),
    ({"id": "no spaces"}, "body.id"),
    ({"user_id": ""}, "body.user_id"),
    ({"status": "lost"}, "body.status"),
    ({"currency": "euro"}, "body.currency"),
    ({"created_at": "2024-05-01T12:00:00"}, "body.created_at"),
    ({"discount": 5}, "body.discount"),
]


@pytest.mark.parametrize(("change", "field"), BAD_ORDERS)
def test_an_invalid_order_is_a_422_naming_the_field(
    client: Client, change: dict[str, Any], field: str
) -> None:
    response = post_json(client, "/v1/orders", make_order_payload(**change))
    assert response.status_code == 422
    assert error_fields(response) == [field]


def test_an_invalid_order_in_a_batch_names_its_position(client: Client) -> None:
    orders = [make_order_payload(), make_order_payload(currency="eur")]
    response = post_json(client, "/v1/orders:bulkCreate", {"orders": orders})
    assert response.status_code == 422
    assert error_fields(response) == ["body.orders.1.currency"]


def test_a_batch_with_one_id_twice_is_a_422(client: Client) -> None:
    order = make_order_payload()
    response = post_json(client, "/v1/orders:bulkCreate", {"orders": [order, order]})
    assert response.status_code == 422
    assert error_fields(response) == ["body.orders.1.id"]


@pytest.mark.parametrize("count", [0, 1001])
def test_a_batch_must_hold_1_to_1000_orders(client: Client, count: int) -> None:
    orders = [make_order_payload() for _ in range(count)]
    response = post_json(client, "/v1/orders:bulkCreate", {"orders": orders})
    assert response.status_code == 422
    assert error_fields(response) == ["body.orders"]


@pytest.mark.parametrize("body", [b"{not json", b"[1,", b"\xff"])
def test_malformed_json_is_a_400(client: Client, body: bytes) -> None:
    response = client.post("/v1/orders", body, content_type="application/json")
    assert response.status_code == 400
    assert error_fields(response) == ["body"]


@pytest.mark.parametrize("body", [b"", b"[]", b'"order"', b"null"])
def test_a_body_that_is_not_an_object_is_a_422(client: Client, body: bytes) -> None:
    response = client.post("/v1/orders", body, content_type="application/json")
    assert response.status_code == 422
    assert error_fields(response) == ["body"]


def test_a_body_over_one_mib_is_a_413(client: Client) -> None:
    body = b" " * (1024 * 1024 + 1)
    response = client.post("/v1/orders:bulkCreate", body, content_type="application/json")
    assert response.status_code == 413
    assert orjson.loads(response.content)["type"] == "payload_too_large"


@pytest.mark.parametrize(
    "path",
    [
        "/v1/orders:changes?limit=0",
        "/v1/orders:changes?limit=1001",
        "/v1/orders:changes?limit=ten",
        "/v1/users/user-1/orders?limit=0",
        "/v1/users/user-1/orders?limit=1001",
    ],
)
def test_a_limit_outside_1_to_1000_is_a_422(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 422
    assert error_fields(response) == ["query.limit"]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/orders:changes?updated_since=yesterday", "query.updated_since"),
        ("/v1/orders:changes?updated_since=2024-05-01T00:00:00", "query.updated_since"),
        ("/v1/users/user-1/orders?since=2024-13-01T00:00:00Z", "query.since"),
    ],
)
def test_a_bad_timestamp_is_a_422(client: Client, path: str, field: str) -> None:
    response = client.get(path)
    assert response.status_code == 422
    assert error_fields(response) == [field]


@pytest.mark.parametrize("path", ["/v1/orders:changes", "/v1/users/user-1/orders"])
def test_a_tampered_cursor_is_a_400(client: Client, path: str) -> None:
    response = client.get(f"{path}?cursor=bm90LWEtY3Vyc29y")
    assert response.status_code == 400
    assert error_fields(response) == ["query.cursor"]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/orders/bad%20id", "path.order_id"),
        (f"/v1/orders/{'x' * 65}", "path.order_id"),
        ("/v1/users/-starts-with-dash/orders", "path.user_id"),
    ],
)
def test_a_bad_path_id_is_a_422(client: Client, path: str, field: str) -> None:
    response = client.get(path)
    assert response.status_code == 422
    assert error_fields(response) == [field]


def test_an_unknown_order_is_a_404(client: Client) -> None:
    response = client.get("/v1/orders/missing")
    assert response.status_code == 404
    assert orjson.loads(response.content)["detail"] == "order 'missing' does not exist"


def test_an_unknown_path_is_a_json_404(client: Client) -> None:
    response = client.get("/v2/orders")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    error_fields(response)


def test_a_wrong_method_is_a_json_405(client: Client) -> None:
    response = client.delete("/v1/orders/some-order")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert orjson.loads(response.content)["type"] == "method_not_allowed"


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/orders:changes?update_since=2024-05-01T00:00:00Z", "query.update_since"),
        ("/v1/users/user-1/orders?from=2024-05-01T00:00:00Z", "query.from"),
    ],
)
def test_an_unknown_query_parameter_is_a_422(client: Client, path: str, field: str) -> None:
    response = client.get(path)
    assert response.status_code == 422
    assert error_fields(response) == [field]
