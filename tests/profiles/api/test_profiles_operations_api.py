"""Operational endpoints: health, readiness, metrics and the OpenAPI document."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.profiles.profiles_builders import make_user_body


def test_healthz(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_pings_the_database(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ready", "checks": {"database": "ok"}}


def test_metrics_count_requests_by_route_template(client: FlaskClient) -> None:
    client.put("/v1/users/u-1", json=make_user_body(id="u-1"))
    client.get("/v1/users/u-1")
    client.get("/v1/users/u-2")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'route="/v1/users/<user_id>"' in text
    assert 'method="GET",route="/v1/users/<user_id>",service="profiles",status="404"' in text
    assert "u-2" not in text


def test_openapi_lists_every_route_and_method(app: Flask, client: FlaskClient) -> None:
    document = client.get("/openapi.json").json
    assert document is not None
    assert document["openapi"].startswith("3.")
    for rule in app.url_map.iter_rules():
        path = rule.rule.replace("<user_id>", "{user_id}")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            assert method.lower() in document["paths"][path], (path, method)
    assert {"/v1/users:lookup", "/v1/users:bulkUpsert", "/v1/users:changes"} <= set(
        document["paths"]
    )


def test_openapi_references_resolve_to_contract_schemas(client: FlaskClient) -> None:
    document = client.get("/openapi.json").json
    assert document is not None
    schemas = document["components"]["schemas"]
    put = document["paths"]["/v1/users/{user_id}"]["put"]
    assert put["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/UserUpsert"
    )
    assert {"UserUpsert", "UserPublic", "ErrorBody", "IdBatch", "ViewsAppend"} <= set(schemas)
    changes = document["paths"]["/v1/users:changes"]["get"]
    assert {p["name"] for p in changes["parameters"]} == {"updated_since", "cursor", "limit"}
    text = str(document)
    for name in schemas:
        assert f"#/components/schemas/{name}" in text
