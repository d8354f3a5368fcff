"""Every kind of bad input is a 4xx problem body naming the field, never a 500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.catalog.api.catalog_api_asserts import assert_problem
from tests.catalog.catalog_builders import make_payload

PAGED = ["/v1/products", "/v1/products:export", "/v1/products:changes"]


@pytest.mark.parametrize("path", PAGED)
@pytest.mark.parametrize("limit", ["0", "1001", "ten"])
def test_limit_out_of_range_names_query_limit(client: TestClient, path: str, limit: str) -> None:
    assert_problem(client.get(path, params={"limit": limit}), 422, "query.limit")


@pytest.mark.parametrize("path", PAGED)
@pytest.mark.parametrize("cursor", ["not-a-cursor!", "aWQ6", "eA"])
def test_foreign_cursor_names_query_cursor(client: TestClient, path: str, cursor: str) -> None:
    assert_problem(client.get(path, params={"cursor": cursor}), 400, "query.cursor")


def test_bad_updated_since_names_the_field(client: TestClient) -> None:
    response = client.get("/v1/products:changes", params={"updated_since": "yesterday"})
    assert_problem(response, 422, "query.updated_since")


def test_empty_category_segment_names_query_category(client: TestClient) -> None:
    response = client.get("/v1/products", params={"category": "Home//Kitchen"})
    assert_problem(response, 422, "query.category")


@pytest.mark.parametrize("product_id", ["-leading-dash", "x" * 65, "sp ace"])
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_bad_path_id_names_path_product_id(
    client: TestClient, method: str, product_id: str
) -> None:
    response = client.request(method, f"/v1/products/{product_id}", json={})
    assert_problem(response, 422, "path.product_id")


def test_malformed_json_is_400(client: TestClient) -> None:
    response = client.post(
        "/v1/products", content=b'{"id": ', headers={"content-type": "application/json"}
    )
    assert_problem(response, 400)


def test_unknown_field_is_422_naming_it(client: TestClient) -> None:
    response = client.post("/v1/products", json=make_payload("p1", colour="red"))
    assert_problem(response, 422, "body.colour")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"price": "-1"}, "body.price"),
        ({"price": "1.234"}, "body.price"),
        ({"currency": "eur"}, "body.currency"),
        ({"id": "bad id"}, "body.id"),
        ({"image_url": "not a url"}, "body.image_url"),
        ({"created_at": "2024-01-01T00:00:00"}, "body.created_at"),
        ({"category_path": ["Home", ""]}, "body.category_path.1"),
        ({"category_path": ["Home/Kitchen"]}, "body.category_path.0"),
    ],
)
def test_invalid_product_fields_are_named(
    client: TestClient, overrides: dict[str, object], field: str
) -> None:
    assert_problem(client.post("/v1/products", json=make_payload("p1", **overrides)), 422, field)


def test_oversized_body_is_413(client: TestClient) -> None:
    payload = make_payload("p1", description="x" * (1024 * 1024))
    assert_problem(client.post("/v1/products", json=payload), 413)


@pytest.mark.parametrize(
    ("ids", "field"),
    [([], "body.ids"), ([f"p{i}" for i in range(1001)], "body.ids"), (["ok", "-no"], "body.ids.1")],
)
def test_bad_lookup_batches_name_the_field(client: TestClient, ids: list[str], field: str) -> None:
    assert_problem(client.post("/v1/products:lookup", json={"ids": ids}), 422, field)


def test_bulk_upsert_over_the_limit_names_body_products(client: TestClient) -> None:
    batch = [make_payload(f"p{i}") for i in range(1001)]
    response = client.post("/v1/products:bulkUpsert", json={"products": batch})
    assert_problem(response, 422, "body.products")


@pytest.mark.parametrize(
    ("batch", "field"),
    [
        ([make_payload("a"), make_payload("a", sku="other")], "body.products.1.id"),
        ([make_payload("a"), make_payload("b", sku="SKU-a")], "body.products.1.sku"),
        ([make_payload("a", category_path=[""])], "body.products.0.category_path.0"),
        ([make_payload("a", price="x")], "body.products.0.price"),
    ],
)
def test_bad_bulk_entries_are_named_by_index(
    client: TestClient, batch: list[dict[str, object]], field: str
) -> None:
    response = client.post("/v1/products:bulkUpsert", json={"products": batch})
    assert_problem(response, 422, field)
    assert client.get("/v1/products:export").json()["items"] == [], "nothing was written"


@pytest.mark.parametrize(
    ("attributes", "field"),
    [
        (b'{"x": [1, NaN]}', "body.attributes.x.1"),
        (b'{"x": 1e400}', "body.attributes.x"),
        (b'{"x": "nul\\u0000"}', "body.attributes.x"),
        (b'{"x": ' + b"[" * 40 + b"]" * 40 + b"}", "body.attributes.x.0.0.0.0.0.0.0.0.0.0.0"),
    ],
)
def test_unstorable_attributes_are_refused(
    client: TestClient, attributes: bytes, field: str
) -> None:
    body = b'{"id": "a", "sku": "a", "title": "t", "price": "1", "attributes": ' + attributes + b"}"
    response = client.post(
        "/v1/products", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"].startswith(field)


def test_nul_in_a_string_field_is_refused(client: TestClient) -> None:
    response = client.post("/v1/products", json=make_payload("p1", title="a\u0000b"))
    assert_problem(response, 422, "body.title")


def test_attributes_nested_32_deep_are_stored_and_served(client: TestClient) -> None:
    nested: object = []
    for _ in range(31):
        nested = [nested]
    assert client.post("/v1/products", json=make_payload("p1", attributes={"x": nested})).is_success
    assert client.get("/v1/products:export").status_code == 200
