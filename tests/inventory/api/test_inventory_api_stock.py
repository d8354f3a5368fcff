"""Happy paths of the stock API: read, look up, adjust, seed, follow the change feed."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def adjust(client: TestClient, *adjustments: dict[str, Any]) -> Any:
    response = client.post("/v1/stock:adjust", json={"adjustments": list(adjustments)})
    assert response.status_code == 200, response.text
    return response.json()


def seed(client: TestClient, count: int, *, available: int = 5) -> dict[str, int]:
    levels = [{"product_id": f"p-{n:04d}", "available": available} for n in range(count)]
    response = client.post("/v1/stock:bulkUpsert", json={"levels": levels})
    assert response.status_code == 200, response.text
    counts: dict[str, int] = response.json()
    return counts


def test_adjust_then_get(client: TestClient) -> None:
    body = adjust(
        client,
        {"product_id": "sku-1", "delta_available": 5},
        {"product_id": "sku-1", "delta_reserved": 2},
    )

    [item] = body["items"]
    assert {k: item[k] for k in ("product_id", "available", "reserved")} == {
        "product_id": "sku-1",
        "available": 5,
        "reserved": 2,
    }
    assert item["updated_at"].endswith("Z")
    assert client.get("/v1/stock/sku-1").json() == item


def test_lookup_lists_found_and_missing_in_request_order(client: TestClient) -> None:
    seed(client, 3)

    response = client.post("/v1/stock:lookup", json={"ids": ["p-0002", "nope", "p-0000"]})

    assert response.status_code == 200
    body = response.json()
    assert [item["product_id"] for item in body["items"]] == ["p-0002", "p-0000"]
    assert body["missing"] == ["nope"]


def test_bulk_upsert_twice_is_unchanged_and_keeps_timestamps(client: TestClient) -> None:
    assert seed(client, 1000) == {"created": 1000, "updated": 0, "unchanged": 0}
    before = client.get("/v1/stock/p-0999").json()

    assert seed(client, 1000) == {"created": 0, "updated": 0, "unchanged": 1000}
    assert client.get("/v1/stock/p-0999").json() == before
    assert seed(client, 2, available=7) == {"created": 0, "updated": 2, "unchanged": 0}


def test_change_feed_pages_through_rows_sharing_one_timestamp(client: TestClient) -> None:
    seed(client, 250)
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 100, "updated_since": "2000-01-01T00:00:00Z"}

    while True:
        page = client.get("/v1/stock:changes", params=params).json()
        seen.extend(item["product_id"] for item in page["items"])
        if page["next_cursor"] is None:
            break
        params = {"limit": 100, "cursor": page["next_cursor"]}

    assert seen == [f"p-{n:04d}" for n in range(250)]


def test_change_feed_resumes_after_the_cursor_with_later_changes(client: TestClient) -> None:
    seed(client, 2)
    first = client.get("/v1/stock:changes", params={"limit": 2}).json()
    adjust(client, {"product_id": "p-0000", "delta_available": 1})

    later = client.get("/v1/stock:changes", params={"cursor": first["next_cursor"]}).json()

    assert [item["product_id"] for item in later["items"]] == ["p-0000"]
    assert later["items"][0]["available"] == 6
    assert later["next_cursor"] is None


def test_a_rejected_batch_leaves_stock_as_it_was(client: TestClient) -> None:
    adjust(client, {"product_id": "sku-1", "set_available": 1})
    before = client.get("/v1/stock/sku-1").json()

    response = client.post(
        "/v1/stock:adjust",
        json={
            "adjustments": [
                {"product_id": "sku-1", "delta_available": 3},
                {"product_id": "sku-1", "delta_reserved": 5},
            ]
        },
    )

    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "body.adjustments.1"
    assert client.get("/v1/stock/sku-1").json() == before
