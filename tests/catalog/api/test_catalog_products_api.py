"""One product at a time: create, read, replace, patch and soft-delete."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.catalog.api.catalog_api_asserts import assert_problem
from tests.catalog.catalog_builders import make_payload


def test_create_then_get(client: TestClient) -> None:
    created = client.post("/v1/products", json=make_payload("p1", price="12.50"))
    assert created.status_code == 201
    body = client.get("/v1/products/p1").json()
    assert body == created.json()
    assert body["price"] == 12.5
    assert body["category_path"] == ["Home", "Kitchen"]
    assert body["active"] is True
    assert body["created_at"] == body["updated_at"]
    assert body["created_at"].endswith("Z")


def test_create_keeps_a_given_created_at(client: TestClient) -> None:
    payload = make_payload("p1", created_at="2020-01-02T03:04:05Z")
    assert client.post("/v1/products", json=payload).json()["created_at"] == "2020-01-02T03:04:05Z"


def test_create_twice_is_a_conflict(client: TestClient) -> None:
    client.post("/v1/products", json=make_payload("p1"))
    assert_problem(client.post("/v1/products", json=make_payload("p1")), 409, "body.id")


def test_create_with_a_taken_sku_is_a_conflict(client: TestClient) -> None:
    client.post("/v1/products", json=make_payload("p1", sku="S"))
    assert_problem(client.post("/v1/products", json=make_payload("p2", sku="S")), 409, "body.sku")


def test_put_creates_then_replaces(client: TestClient) -> None:
    first = client.put("/v1/products/p1", json=make_payload("p1"))
    second = client.put("/v1/products/p1", json=make_payload("p1", title="Renamed"))
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["title"] == "Renamed"
    assert second.json()["created_at"] == first.json()["created_at"]


def test_identical_put_does_not_bump_updated_at(client: TestClient) -> None:
    first = client.put("/v1/products/p1", json=make_payload("p1")).json()
    again = client.put("/v1/products/p1", json=make_payload("p1"))
    assert again.status_code == 200
    assert again.json()["updated_at"] == first["updated_at"]


def test_put_with_another_body_id_names_body_id(client: TestClient) -> None:
    assert_problem(client.put("/v1/products/p1", json=make_payload("p2")), 422, "body.id")


def test_patch_changes_only_given_fields(client: TestClient) -> None:
    before = client.post("/v1/products", json=make_payload("p1")).json()
    response = client.patch("/v1/products/p1", json={"price": "5", "brand": None})
    assert response.status_code == 200
    after = response.json()
    assert (after["price"], after["brand"], after["title"]) == (5.0, None, before["title"])
    assert after["updated_at"] > before["updated_at"]


def test_patch_with_null_for_a_required_field_names_it(client: TestClient) -> None:
    client.post("/v1/products", json=make_payload("p1"))
    assert_problem(client.patch("/v1/products/p1", json={"title": None}), 422, "body.title")


def test_patch_unknown_product_is_404(client: TestClient) -> None:
    assert_problem(client.patch("/v1/products/nope", json={"title": "x"}), 404)


def test_delete_deactivates_but_keeps_the_product(client: TestClient) -> None:
    created = client.post("/v1/products", json=make_payload("p1")).json()
    deleted = client.delete("/v1/products/p1")
    assert deleted.status_code == 200
    assert deleted.json()["active"] is False
    assert deleted.json()["updated_at"] > created["updated_at"]
    assert client.get("/v1/products/p1").json()["active"] is False
    assert client.get("/v1/products").json()["items"] == []
    assert [p["id"] for p in client.get("/v1/products:export").json()["items"]] == ["p1"]


def test_delete_unknown_product_is_404(client: TestClient) -> None:
    assert_problem(client.delete("/v1/products/nope"), 404)


def test_get_unknown_product_is_404_problem(client: TestClient) -> None:
    response = client.get("/v1/products/nope")
    assert_problem(response, 404)
    assert "nope" in response.json()["detail"]
