"""Bad input never becomes a 500: each case is a problem body naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient


def fields_of(body: dict[str, Any]) -> set[str]:
    return {error["field"] for error in body.get("errors", [])}


def assert_problem(response: Any, status: int, field: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail"} <= body.keys()
    assert field in fields_of(body)


def test_never_stocked_product_is_404(client: TestClient) -> None:
    assert_problem(client.get("/v1/stock/never"), 404, "path.product_id")


@pytest.mark.parametrize("product_id", ["bad$id", "-leading-dash", "x" * 65])
def test_malformed_path_id_is_422(client: TestClient, product_id: str) -> None:
    assert_problem(client.get(f"/v1/stock/{product_id}"), 422, "path.product_id")


@pytest.mark.parametrize("limit", ["0", "1001", "ten"])
def test_limit_outside_range_is_422(client: TestClient, limit: str) -> None:
    response = client.get("/v1/stock:changes", params={"limit": limit})
    assert_problem(response, 422, "query.limit")


def test_naive_updated_since_is_422(client: TestClient) -> None:
    response = client.get("/v1/stock:changes", params={"updated_since": "2024-01-01T00:00:00"})
    assert_problem(response, 422, "query.updated_since")


def test_forged_cursor_is_400(client: TestClient) -> None:
    response = client.get("/v1/stock:changes", params={"cursor": "not-a-cursor"})
    assert_problem(response, 400, "query.cursor")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ids": []}, "body.ids"),
        ({"ids": ["ok", "bad id"]}, "body.ids.1"),
        ({"ids": [f"p{n}" for n in range(1001)]}, "body.ids"),
        ({"ids": ["ok"], "extra": 1}, "body.extra"),
    ],
)
def test_bad_lookup_is_422(client: TestClient, body: dict[str, Any], field: str) -> None:
    assert_problem(client.post("/v1/stock:lookup", json=body), 422, field)


@pytest.mark.parametrize(
    ("adjustment", "field"),
    [
        ({"product_id": "p"}, "body.adjustments.0"),
        ({"product_id": "p", "set_available": 1, "delta_available": 1}, "body.adjustments.0"),
        ({"product_id": "p", "set_available": -1}, "body.adjustments.0.set_available"),
        ({"product_id": "p", "delta_available": "many"}, "body.adjustments.0.delta_available"),
        ({"product_id": "p", "delta_available": 1, "color": "red"}, "body.adjustments.0.color"),
    ],
)
def test_bad_adjustment_is_422(client: TestClient, adjustment: dict[str, Any], field: str) -> None:
    response = client.post("/v1/stock:adjust", json={"adjustments": [adjustment]})
    assert_problem(response, 422, field)


@pytest.mark.parametrize(
    ("adjustments", "field"),
    [
        ([{"product_id": "p", "delta_available": -1}], "body.adjustments.0"),
        ([{"product_id": "p", "delta_reserved": -1}], "body.adjustments.0"),
        (
            [{"product_id": "p", "delta_available": 2}, {"product_id": "p", "set_reserved": 3}],
            "body.adjustments.1",
        ),
    ],
)
def test_adjustment_breaking_an_invariant_is_409(
    client: TestClient, adjustments: list[dict[str, Any]], field: str
) -> None:
    response = client.post("/v1/stock:adjust", json={"adjustments": adjustments})
    assert_problem(response, 409, field)
    assert client.get("/v1/stock/p").status_code == 404


@pytest.mark.parametrize(
    ("levels", "field"),
    [
        ([], "body.levels"),
        ([{"product_id": "p", "available": 1, "reserved": 2}], "body.levels.0"),
        ([{"product_id": "p", "available": -1}], "body.levels.0.available"),
        (
            [{"product_id": "p", "available": 1}, {"product_id": "p", "available": 2}],
            "body.levels.1.product_id",
        ),
    ],
)
def test_bad_bulk_upsert_is_422(
    client: TestClient, levels: list[dict[str, Any]], field: str
) -> None:
    response = client.post("/v1/stock:bulkUpsert", json={"levels": levels})
    assert_problem(response, 422, field)


def test_malformed_json_is_400(client: TestClient) -> None:
    response = client.post(
        "/v1/stock:adjust",
        content=b'{"adjustments": [',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["status"] == 400


def test_body_over_one_mebibyte_is_413(client: TestClient) -> None:
    huge = b'{"ids": ["' + b"x" * (1024 * 1024) + b'"]}'
    response = client.post(
        "/v1/stock:lookup", content=huge, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["type"] == "payload_too_large"


def test_unknown_route_is_a_problem_404(client: TestClient) -> None:
    response = client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["status"] == 404
