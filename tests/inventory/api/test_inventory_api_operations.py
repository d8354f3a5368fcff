"""Operations endpoints: liveness, readiness, metrics, and the OpenAPI document."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from nextbuy.inventory.app import create_app, migrate
from tests.inventory.builders import make_settings, sqlite_url
from tests.support.servers import free_port

STOCK_ROUTES = {
    ("get", "/v1/stock/{product_id}"),
    ("post", "/v1/stock:lookup"),
    ("post", "/v1/stock:adjust"),
    ("post", "/v1/stock:bulkUpsert"),
    ("get", "/v1/stock:changes"),
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
}


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_checks_the_database(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok"}}


def test_metrics_count_requests_by_route_template(client: TestClient) -> None:
    client.get("/v1/stock/some-product")

    text = client.get("/metrics").text

    assert 'route="/v1/stock/{product_id}"' in text
    assert 'service="inventory"' in text
    assert "some-product" not in text


def test_openapi_lists_every_route(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    listed = {(method, path) for path, item in paths.items() for method in item}
    assert listed >= STOCK_ROUTES


def test_readyz_is_503_when_the_database_is_unreachable() -> None:
    settings = make_settings(f"postgresql://nobody@127.0.0.1:{free_port()}/inventory")

    with TestClient(create_app(settings)) as client:
        response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"].startswith("error")


def test_migrate_runs_twice_on_the_same_file(tmp_path: Path) -> None:
    settings = make_settings(sqlite_url(tmp_path))

    migrate(settings)
    migrate(settings)

    with TestClient(create_app(settings)) as client:
        assert client.post("/v1/stock:lookup", json={"ids": ["a"]}).json()["missing"] == ["a"]
