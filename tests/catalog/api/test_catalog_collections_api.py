"""Many products at a time: category listing, lookup, bulk upsert, export and change feed."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.catalog.api.catalog_api_asserts import assert_problem
from tests.catalog.catalog_builders import make_payload


def _upsert(client: TestClient, products: list[dict[str, Any]]) -> dict[str, int]:
    response = client.post("/v1/products:bulkUpsert", json={"products": products})
    assert response.status_code == 200, response.text
    result: dict[str, int] = response.json()
    return result


def _drain(client: TestClient, path: str, **params: Any) -> list[dict[str, Any]]:
    """Follow ``next_cursor`` to the end; every page but the last is full."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        page = client.get(path, params=query).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
        assert len(page["items"]) == params["limit"]


def test_category_listing_matches_whole_segments(client: TestClient) -> None:
    _upsert(
        client,
        [
            make_payload("a", category_path=["Home", "Kitchen"]),
            make_payload("b", category_path=["Home", "Kitchen", "Pans"]),
            make_payload("c", category_path=["Home", "Kitchenware"]),
            make_payload("d", category_path=["Home", "Kitchen"], active=False),
        ],
    )

    def listed(category: str) -> list[str]:
        page = client.get("/v1/products", params={"category": category}).json()
        return [p["id"] for p in page["items"]]

    assert listed("Home/Kitchen") == ["a", "b"]
    assert listed("Home/Kit") == []
    assert listed("Home") == ["a", "b", "c"]


def test_category_listing_pages_by_id(client: TestClient) -> None:
    _upsert(client, [make_payload(f"p-{i:03d}") for i in range(25)])
    items = _drain(client, "/v1/products", category="Home", limit=10)
    assert [p["id"] for p in items] == [f"p-{i:03d}" for i in range(25)]


def test_lookup_returns_items_and_missing(client: TestClient) -> None:
    _upsert(client, [make_payload("a"), make_payload("b")])
    response = client.post("/v1/products:lookup", json={"ids": ["b", "zz", "a"]})
    assert response.status_code == 200
    body = response.json()
    assert [p["id"] for p in body["items"]] == ["b", "a"]
    assert body["missing"] == ["zz"]


def test_bulk_upsert_is_idempotent(client: TestClient) -> None:
    batch = [make_payload(f"p-{i:03d}") for i in range(50)]
    first = _upsert(client, batch)
    stamp = client.get("/v1/products/p-007").json()["updated_at"]
    second = _upsert(client, batch)
    changed = _upsert(client, [make_payload("p-001", title="New"), make_payload("q")])
    assert first == {"created": 50, "updated": 0, "unchanged": 0}
    assert second == {"created": 0, "updated": 0, "unchanged": 50}
    assert changed == {"created": 1, "updated": 1, "unchanged": 0}
    assert client.get("/v1/products/p-007").json()["updated_at"] == stamp


def test_export_lists_active_and_inactive_products(client: TestClient) -> None:
    _upsert(client, [make_payload(f"p-{i:02d}", active=i % 2 == 0) for i in range(15)])
    items = _drain(client, "/v1/products:export", limit=4)
    assert [p["id"] for p in items] == [f"p-{i:02d}" for i in range(15)]
    assert sum(not p["active"] for p in items) == 7


def test_change_feed_pages_through_rows_sharing_one_timestamp(client: TestClient) -> None:
    _upsert(client, [make_payload(f"p-{i:03d}") for i in range(250)])
    items = _drain(client, "/v1/products:changes", limit=100)
    assert len({p["updated_at"] for p in items}) == 1, "one batch, one timestamp"
    assert [p["id"] for p in items] == [f"p-{i:03d}" for i in range(250)]


def test_change_feed_resumes_after_its_cursor_with_new_changes(client: TestClient) -> None:
    _upsert(client, [make_payload(f"p-{i}") for i in range(3)])
    first = client.get("/v1/products:changes", params={"limit": 2}).json()
    client.patch("/v1/products/p-0", json={"title": "changed"})
    rest = client.get("/v1/products:changes", params={"cursor": first["next_cursor"]}).json()
    assert [p["id"] for p in first["items"]] == ["p-0", "p-1"]
    assert [(p["id"], p["title"]) for p in rest["items"]] == [
        ("p-2", "Product p-2"),
        ("p-0", "changed"),
    ]
    assert rest["next_cursor"] is None


def test_change_feed_starts_at_updated_since(client: TestClient) -> None:
    _upsert(client, [make_payload("a"), make_payload("b")])
    client.patch("/v1/products/b", json={"title": "changed"})
    since = client.get("/v1/products/b").json()["updated_at"]
    page = client.get("/v1/products:changes", params={"updated_since": since}).json()
    assert [p["id"] for p in page["items"]] == ["b"]


def test_change_feed_since_the_future_is_empty(client: TestClient) -> None:
    _upsert(client, [make_payload("a")])
    page = client.get("/v1/products:changes", params={"updated_since": "2999-01-01T00:00:00Z"})
    assert page.json() == {"items": [], "next_cursor": None}


def test_verb_routes_are_not_captured_by_the_id_route(client: TestClient) -> None:
    for path in ("/v1/products:export", "/v1/products:changes"):
        assert client.get(path).json() == {"items": [], "next_cursor": None}
    assert_problem(client.get("/v1/products:lookup"), 405)
