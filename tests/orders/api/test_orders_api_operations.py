"""Health, readiness, metrics, the OpenAPI document and the Django admin."""

from __future__ import annotations

from typing import TYPE_CHECKING

import orjson

from tests.orders.api.helpers import post_json
from tests.orders.builders import make_order_payload

if TYPE_CHECKING:
    from django.test import Client

ROUTES = {
    "/v1/users/{user_id}/orders": {"get"},
    "/v1/users/{user_id}/purchased-products": {"get"},
    "/v1/orders": {"post"},
    "/v1/orders/{order_id}": {"get"},
    "/v1/orders:bulkCreate": {"post"},
    "/v1/orders:changes": {"get"},
    "/healthz": {"get"},
    "/readyz": {"get"},
    "/metrics": {"get"},
}


def test_healthz_says_ok(client: Client) -> None:
    response = client.get("/healthz")
    assert (response.status_code, orjson.loads(response.content)) == (200, {"status": "ok"})


def test_readyz_checks_the_database(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert orjson.loads(response.content) == {"status": "ready", "checks": {"database": "ok"}}


def test_metrics_count_requests_by_route_template(client: Client) -> None:
    client.get("/v1/orders/some-order")
    text = client.get("/metrics").content.decode()
    assert 'route="/v1/orders/<order_id>"' in text
    assert 'service="orders"' in text
    assert "some-order" not in text


def test_openapi_describes_every_route(client: Client) -> None:
    document = orjson.loads(client.get("/openapi.json").content)
    paths = {path: set(methods) for path, methods in document["paths"].items()}
    assert paths == ROUTES
    purchased = document["paths"]["/v1/users/{user_id}/purchased-products"]["get"]
    schema = purchased["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/PurchasedProductsPublic"}
    assert client.get("/docs").status_code == 200


def test_the_admin_lists_and_shows_orders_to_a_superuser(client: Client) -> None:
    from django.contrib.auth.models import User

    order = make_order_payload()
    post_json(client, "/v1/orders", order)
    admin = User.objects.create_superuser("admin", "admin@example.com", "correct horse")
    assert client.login(username="admin", password="correct horse")
    assert admin.is_superuser
    listing = client.get("/admin/orders/order/")
    assert listing.status_code == 200
    assert order["id"].encode() in listing.content
    assert client.get(f"/admin/orders/order/{order['id']}/change/").status_code == 200
    static = client.get("/static/admin/css/base.css")
    assert static.status_code == 200
    static.close()


def test_the_admin_needs_a_login(client: Client) -> None:
    response = client.get("/admin/orders/order/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
