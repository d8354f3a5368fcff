"""Health, readiness, metrics and the OpenAPI document."""

from __future__ import annotations

from fastapi.testclient import TestClient

from nextbuy.catalog.app import create_app
from nextbuy.catalog.settings import CatalogSettings
from tests.catalog.api.catalog_api_asserts import assert_problem
from tests.catalog.catalog_builders import make_payload


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_checks_the_database(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok"}}


def test_unreachable_database_is_503_not_500() -> None:
    settings = CatalogSettings(database_url="postgresql://nobody@127.0.0.1:1/none")
    with TestClient(create_app(settings)) as client:
        ready = client.get("/readyz")
        product = client.get("/v1/products/p1")
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"].startswith("error")
    assert_problem(product, 503)


def test_metrics_count_requests_by_route_template(client: TestClient) -> None:
    client.post("/v1/products", json=make_payload("p1"))
    client.get("/v1/products/p1")
    text = client.get("/metrics").text
    assert 'route="/v1/products/{product_id}"' in text
    assert 'service="catalog"' in text
    assert "nextbuy_http_request_duration_seconds_bucket" in text


def test_openapi_lists_every_route(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    expected = {
        "/v1/products": {"get", "post"},
        "/v1/products/{product_id}": {"get", "put", "patch", "delete"},
        "/v1/products:lookup": {"post"},
        "/v1/products:bulkUpsert": {"post"},
        "/v1/products:export": {"get"},
        "/v1/products:changes": {"get"},
        "/healthz": {"get"},
        "/readyz": {"get"},
        "/metrics": {"get"},
    }
    assert {path: set(paths[path]) for path in expected} == expected
    assert set(paths) == set(expected)
