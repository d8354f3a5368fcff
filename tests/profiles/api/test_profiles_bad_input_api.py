"""Every kind of bad input is a problem body naming the field, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.profiles.profiles_builders import make_user_body, view_body


def problem(response: TestResponse, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.json
    assert body is not None
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == status
    return dict(body)


def fields(body: dict[str, Any]) -> set[str]:
    return {error["field"] for error in body.get("errors", [])}


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("PUT", "/v1/users/u-1"),
        ("POST", "/v1/users:lookup"),
        ("POST", "/v1/users:bulkUpsert"),
        ("POST", "/v1/users/u-1/views"),
    ],
)
@pytest.mark.parametrize("raw", [b"{", b"", b"not json", b'{"ids": [1,]}'])
def test_malformed_json_is_400(client: FlaskClient, method: str, url: str, raw: bytes) -> None:
    response = client.open(url, method=method, data=raw, content_type="application/json")
    assert problem(response, 400)["type"] == "bad_request"


def test_body_over_one_mib_is_413(client: FlaskClient) -> None:
    ids = [f"user-{i:07d}" for i in range(100_000)]
    response = client.post("/v1/users:lookup", json={"ids": ids})
    assert problem(response, 413)["type"] == "payload_too_large"


def test_body_id_must_match_path_id(client: FlaskClient) -> None:
    response = client.put("/v1/users/u-1", json=make_user_body(id="u-2"))
    assert fields(problem(response, 422)) == {"body.id"}
    assert client.get("/v1/users/u-1").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (make_user_body(id="u-1", surprise=1), "body.surprise"),
        (
            make_user_body(id="u-1", demographics={"country": "germany"}),
            "body.demographics.country",
        ),
        (make_user_body(id="u-1", demographics={"age_band": "old"}), "body.demographics.age_band"),
        (
            make_user_body(id="u-1", preferences={"price_band": "free"}),
            "body.preferences.price_band",
        ),
        (make_user_body(id="u-1", created_at="2024-01-01T00:00:00"), "body.created_at"),
        ([make_user_body(id="u-1")], "body"),
    ],
)
def test_invalid_user_body_is_422_naming_the_field(
    client: FlaskClient, body: Any, field: str
) -> None:
    assert field in fields(problem(client.put("/v1/users/u-1", json=body), 422))


@pytest.mark.parametrize("bad_id", ["-leading-dash", "has space", "semi;colon", "x" * 65])
def test_invalid_path_id_is_422_naming_path_user_id(client: FlaskClient, bad_id: str) -> None:
    assert fields(problem(client.get(f"/v1/users/{bad_id}"), 422)) == {"path.user_id"}
    response = client.post(f"/v1/users/{bad_id}/views", json={"views": [view_body()]})
    assert fields(problem(response, 422)) == {"path.user_id"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ids": []}, "body.ids"),
        ({"ids": [f"u-{i}" for i in range(1001)]}, "body.ids"),
        ({"ids": ["ok", "bad id"]}, "body.ids.1"),
        ({}, "body.ids"),
        ({"ids": ["a"], "extra": True}, "body.extra"),
    ],
)
def test_invalid_lookup_is_422(client: FlaskClient, body: Any, field: str) -> None:
    assert field in fields(problem(client.post("/v1/users:lookup", json=body), 422))


def test_bulk_upsert_rejects_bad_batches(client: FlaskClient) -> None:
    empty = client.post("/v1/users:bulkUpsert", json={"users": []})
    assert fields(problem(empty, 422)) == {"body.users"}
    too_many = [make_user_body(id=f"u-{i}") for i in range(1001)]
    big = client.post("/v1/users:bulkUpsert", json={"users": too_many})
    assert fields(problem(big, 422)) == {"body.users"}
    twice = [make_user_body(id="u-1"), make_user_body(id="u-2"), make_user_body(id="u-1")]
    dupes = client.post("/v1/users:bulkUpsert", json={"users": twice})
    assert fields(problem(dupes, 422)) == {"body.users.2.id"}
    broken = [make_user_body(id="u-1"), make_user_body(id="u 2")]
    invalid = client.post("/v1/users:bulkUpsert", json={"users": broken})
    assert fields(problem(invalid, 422)) == {"body.users.1.id"}


def test_invalid_views_are_422(client: FlaskClient) -> None:
    client.put("/v1/users/u-1", json=make_user_body(id="u-1"))
    naive = {"views": [{"product_id": "p", "viewed_at": "2024-01-01T00:00:00"}]}
    response = client.post("/v1/users/u-1/views", json=naive)
    assert fields(problem(response, 422)) == {"body.views.0.viewed_at"}
    empty = client.post("/v1/users/u-1/views", json={"views": []})
    assert fields(problem(empty, 422)) == {"body.views"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "query.limit"),
        ("limit=1001", "query.limit"),
        ("limit=ten", "query.limit"),
        ("updated_since=yesterday", "query.updated_since"),
        ("updated_since=2024-01-01T00:00:00", "query.updated_since"),
        ("update_since=2024-01-01T00:00:00Z", "query.update_since"),
    ],
)
def test_invalid_change_feed_query_is_422(client: FlaskClient, query: str, field: str) -> None:
    assert fields(problem(client.get(f"/v1/users:changes?{query}"), 422)) == {field}


def test_tampered_cursor_is_400_naming_query_cursor(client: FlaskClient) -> None:
    response = client.get("/v1/users:changes?cursor=not-a-cursor")
    assert fields(problem(response, 400)) == {"query.cursor"}


def test_unknown_route_and_wrong_method_are_problem_bodies(client: FlaskClient) -> None:
    assert problem(client.get("/v1/nothing"), 404)["type"] == "not_found"
    assert problem(client.get("/v1/users:lookup"), 405)["status"] == 405
    assert problem(client.delete("/v1/users/u-1"), 405)["status"] == 405
