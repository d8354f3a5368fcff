"""The engine's HTTP API: validation, error bodies, and answering while every upstream is dead.

The upstream URLs point at ports where nothing listens: real connection failures, no mocks.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from nextbuy.engine.app import create_app
from nextbuy.engine.settings import EngineSettings
from tests.support.servers import free_port


@pytest.fixture
def client() -> Iterator[TestClient]:
    dead = {
        name: f"http://127.0.0.1:{free_port()}"
        for name in ("profiles", "catalog", "orders", "inventory")
    }
    settings = EngineSettings(
        profiles_url=dead["profiles"],
        catalog_url=dead["catalog"],
        orders_url=dead["orders"],
        inventory_url=dead["inventory"],
        refresh_interval_s=60,
        log_format="text",
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def wait_for_model(client: TestClient) -> None:
    for _ in range(100):
        if client.get("/readyz").status_code == 200:
            return
        import time

        time.sleep(0.05)
    pytest.fail("engine never became ready")


def test_recommendations_answer_degraded_when_every_upstream_is_down(client: TestClient) -> None:
    wait_for_model(client)
    response = client.get("/v1/recommendations", params={"user_id": "u1", "k": 5})
    assert response.status_code == 200
    body = response.json()
    assert body["degraded"] is True
    assert {"orders", "profiles"} <= set(body["degraded_sources"])
    assert body["personalized"] is False
    assert body["items"] == []  # an empty model: nothing learnt, nothing invented


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"user_id": "u1", "k": 0}, "query.k"),
        ({"user_id": "u1", "k": 101}, "query.k"),
        ({"user_id": "u1", "k": "ten"}, "query.k"),
        ({"user_id": "bad id!", "k": 5}, "query.user_id"),
        ({"k": 5}, "query.user_id"),
    ],
)
def test_bad_query_is_a_422_naming_the_field(
    client: TestClient, params: dict[str, str | int], field: str
) -> None:
    response = client.get("/v1/recommendations", params=params)
    assert response.status_code == 422
    body = response.json()
    assert body["type"] == "validation_error"
    assert field in [error["field"] for error in body["errors"]]


def test_similar_of_unknown_product_is_a_404_json(client: TestClient) -> None:
    wait_for_model(client)
    response = client.get("/v1/products/p-unknown/similar")
    assert response.status_code == 404
    assert response.json()["type"] == "not_found"


def test_unknown_route_is_a_404_json(client: TestClient) -> None:
    response = client.get("/v1/nope")
    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_oversized_body_is_a_413_json(client: TestClient) -> None:
    response = client.post("/v1/recommendations", content=b"x" * (1024 * 1024 + 1))
    assert response.status_code == 413
    assert response.json()["type"] == "payload_too_large"


def test_operations_endpoints(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    wait_for_model(client)
    client.get("/v1/recommendations", params={"user_id": "u1"})
    metrics = client.get("/metrics").text
    assert 'route="/v1/recommendations"' in metrics
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/v1/recommendations",
        "/v1/products/{product_id}/similar",
        "/healthz",
        "/readyz",
        "/metrics",
    } <= set(paths)
