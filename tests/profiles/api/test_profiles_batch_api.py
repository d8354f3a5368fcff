"""Batch routes: lookup, bulk upsert and the change feed."""

from __future__ import annotations

import time
from typing import Any

from flask.testing import FlaskClient

from tests.profiles.profiles_builders import make_user_body


def bulk(client: FlaskClient, users: list[dict[str, Any]]) -> dict[str, int]:
    response = client.post("/v1/users:bulkUpsert", json={"users": users})
    assert response.status_code == 200, response.json
    assert response.json is not None
    return dict(response.json)


def test_lookup_returns_found_in_request_order_and_missing(client: FlaskClient) -> None:
    bulk(client, [make_user_body(id=f"u-{i}") for i in range(3)])
    response = client.post("/v1/users:lookup", json={"ids": ["u-2", "ghost", "u-0", "u-2"]})
    assert response.status_code == 200
    body = response.json
    assert body is not None
    assert [user["id"] for user in body["items"]] == ["u-2", "u-0"]
    assert body["missing"] == ["ghost"]


def test_bulk_upsert_is_idempotent(client: FlaskClient) -> None:
    users = [make_user_body(id=f"u-{i}") for i in range(5)]
    assert bulk(client, users) == {"created": 5, "updated": 0, "unchanged": 0}
    stamps = client.post("/v1/users:lookup", json={"ids": ["u-0"]}).json
    assert bulk(client, users) == {"created": 0, "updated": 0, "unchanged": 5}
    assert client.post("/v1/users:lookup", json={"ids": ["u-0"]}).json == stamps
    users[0] = make_user_body(id="u-0", attributes={"loyalty": "none"})
    assert bulk(client, users) == {"created": 0, "updated": 1, "unchanged": 4}


def test_bulk_upsert_of_a_thousand_users_is_fast(client: FlaskClient) -> None:
    users = [make_user_body(id=f"user-{i:04d}") for i in range(1000)]
    started = time.perf_counter()
    assert bulk(client, users)["created"] == 1000
    assert bulk(client, users)["unchanged"] == 1000
    assert time.perf_counter() - started < 2.0  # two calls; each well under a second


def test_change_feed_pages_through_rows_sharing_one_timestamp(client: FlaskClient) -> None:
    bulk(client, [make_user_body(id=f"u-{i:02d}") for i in range(23)])
    seen: list[str] = []
    url = "/v1/users:changes?limit=5"
    while True:
        body = client.get(url).json
        assert body is not None
        seen.extend(user["id"] for user in body["items"])
        if body["next_cursor"] is None:
            assert len(body["items"]) < 5
            break
        url = f"/v1/users:changes?limit=5&cursor={body['next_cursor']}"
    assert seen == [f"u-{i:02d}" for i in range(23)]


def test_change_feed_starts_at_updated_since(client: FlaskClient) -> None:
    bulk(client, [make_user_body(id="old")])
    old = client.get("/v1/users/old").json
    assert old is not None
    bulk(client, [make_user_body(id="new")])
    body = client.get("/v1/users:changes", query_string={"updated_since": old["updated_at"]}).json
    assert body is not None
    assert [user["id"] for user in body["items"]] == ["old", "new"]
    assert body["next_cursor"] is None
    future = client.get("/v1/users:changes", query_string={"updated_since": "2999-01-01T00:00:00Z"})
    assert future.json == {"items": [], "next_cursor": None}


def test_changed_user_moves_to_the_end_of_the_feed(client: FlaskClient) -> None:
    bulk(client, [make_user_body(id="a"), make_user_body(id="b")])
    client.post(
        "/v1/users/a/views",
        json={"views": [{"product_id": "p", "viewed_at": "2024-01-01T00:00:00Z"}]},
    )
    body = client.get("/v1/users:changes").json
    assert body is not None
    assert [user["id"] for user in body["items"]] == ["b", "a"]
