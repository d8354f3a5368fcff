"""Single-user routes: GET, PUT and appending views."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.profiles.profiles_builders import at, make_user_body, view_body


def test_put_creates_then_get_returns_the_profile(client: FlaskClient) -> None:
    created = client.put("/v1/users/user-1", json=make_user_body())
    assert created.status_code == 201
    fetched = client.get("/v1/users/user-1")
    assert fetched.status_code == 200
    assert fetched.json == created.json
    body = fetched.json
    assert body is not None
    assert body["demographics"]["city"] == "Köln"
    assert body["preferences"] == {"favourite_categories": ["shoes", "bags"], "price_band": "mid"}
    assert body["attributes"] == {"loyalty": "gold", "newsletter": True}
    assert body["recent_views"] == []
    assert body["created_at"] == body["updated_at"]


def test_put_again_replaces_and_bumps_updated_at_only_on_change(client: FlaskClient) -> None:
    first = client.put("/v1/users/user-1", json=make_user_body()).json
    same = client.put("/v1/users/user-1", json=make_user_body())
    assert same.status_code == 200
    assert same.json == first
    changed = client.put("/v1/users/user-1", json=make_user_body(attributes={}))
    assert changed.status_code == 200
    assert first is not None
    assert changed.json is not None
    assert changed.json["attributes"] == {}
    assert changed.json["created_at"] == first["created_at"]
    assert changed.json["updated_at"] > first["updated_at"]


def test_put_keeps_a_given_created_at(client: FlaskClient) -> None:
    body = make_user_body(created_at="2020-01-02T03:04:05+01:00")
    response = client.put("/v1/users/user-1", json=body)
    assert response.json is not None
    assert response.json["created_at"] == "2020-01-02T02:04:05Z"


@pytest.mark.parametrize("user_id", ["a:b", "a.b", "a-b", "a_b", "tenant:42.user-7_x"])
def test_ids_with_separators_work_on_every_route(client: FlaskClient, user_id: str) -> None:
    assert client.put(f"/v1/users/{user_id}", json=make_user_body(id=user_id)).status_code == 201
    assert client.get(f"/v1/users/{user_id}").status_code == 200
    views = client.post(f"/v1/users/{user_id}/views", json={"views": [view_body()]})
    assert views.status_code == 200


def test_get_unknown_user_is_404_problem(client: FlaskClient) -> None:
    response = client.get("/v1/users/nobody")
    assert response.status_code == 404
    assert response.json is not None
    assert response.json["type"] == "not_found"
    assert "nobody" in response.json["detail"]


def test_append_views_returns_history_newest_first(client: FlaskClient) -> None:
    client.put("/v1/users/user-1", json=make_user_body())
    before = client.get("/v1/users/user-1").json
    views = [view_body("p-1", 10), view_body("p-2", 30), view_body("p-1", 10), view_body("p-3", 20)]
    response = client.post("/v1/users/user-1/views", json={"views": views})
    assert response.status_code == 200
    body = response.json
    assert body is not None
    assert before is not None
    assert [v["product_id"] for v in body["recent_views"]] == ["p-2", "p-3", "p-1"]
    assert body["recent_views"][0]["viewed_at"] == at(30).isoformat().replace("+00:00", "Z")
    assert body["updated_at"] > before["updated_at"]
    assert client.get("/v1/users/user-1").json == body


def test_append_keeps_only_the_newest_fifty(client: FlaskClient) -> None:
    client.put("/v1/users/user-1", json=make_user_body())
    views = [view_body(f"p-{i}", i) for i in range(60)]
    body = client.post("/v1/users/user-1/views", json={"views": views}).json
    assert body is not None
    assert len(body["recent_views"]) == 50
    assert body["recent_views"][0]["product_id"] == "p-59"
    assert body["recent_views"][-1]["product_id"] == "p-10"


def test_append_views_to_unknown_user_is_404(client: FlaskClient) -> None:
    response = client.post("/v1/users/nobody/views", json={"views": [view_body()]})
    assert response.status_code == 404
    assert response.json is not None
    assert response.json["type"] == "not_found"
