"""POST /v1/events and its real-time effect on the visitor's next recommendations."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from nextbuy.engine.app import create_app, migrate
from nextbuy.engine.domain.ports import StockLevel
from nextbuy.engine.settings import EngineSettings
from tests.engine.unit.builders import build_model, make_product, make_purchase
from tests.support.servers import free_port

NOW = datetime.now(UTC)
PRODUCTS = ["kettle", "teapot", "mug", "lamp", "bulb", "shade"]


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    """The engine on SQLite and on PostgreSQL (its event log's two write paths)."""
    dead = {
        n: f"http://127.0.0.1:{free_port()}" for n in ("profiles", "catalog", "orders", "inventory")
    }
    settings = EngineSettings(
        profiles_url=dead["profiles"],
        catalog_url=dead["catalog"],
        orders_url=dead["orders"],
        inventory_url=dead["inventory"],
        refresh_interval_s=3600,
        log_format="text",
        database_url=database_url,
    )
    migrate(settings)
    with TestClient(create_app(settings)) as test_client:
        app = test_client.app
        # Let the refresher publish its first (empty) model before putting ours in its place.
        deadline = time.monotonic() + 10
        while app.state.models.current() is None and time.monotonic() < deadline:  # type: ignore[attr-defined]
            time.sleep(0.02)
        app.state.read_model.apply_products(make_product(p) for p in PRODUCTS)  # type: ignore[attr-defined]
        app.state.read_model.apply_stock(StockLevel(p, 5) for p in PRODUCTS)  # type: ignore[attr-defined]
        app.state.models.swap(  # type: ignore[attr-defined]
            build_model(
                make_purchase("o1", "a", "kettle", "teapot", "mug"),
                make_purchase("o2", "b", "lamp", "bulb"),
                make_purchase("o3", "c", "lamp", "bulb", "shade"),
                make_purchase("o4", "d", "kettle", "mug"),
                make_purchase("o5", "e", "kettle", "mug", "teapot"),
            )
        )
        yield test_client


def event(event_id: str, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "event_id": event_id,
        "type": "view",
        "session_id": "s1",
        "product_id": "lamp",
        "timestamp": NOW.isoformat(),
    }
    body.update(overrides)
    return body


def top(client: TestClient, **params: str | int) -> list[str]:
    response = client.get("/v1/recommendations", params={"k": 3, **params})
    assert response.status_code == 200, response.text
    return [item["product_id"] for item in response.json()["items"]]


def test_a_view_changes_the_anonymous_visitors_next_recommendations(client: TestClient) -> None:
    before = top(client, session_id="s1")
    assert before[0] == "kettle"  # best seller for a stranger
    response = client.post("/v1/events", json={"events": [event("e1")]})
    assert response.status_code == 202
    assert response.json() == {"accepted": 1, "duplicates": 0, "rejected": []}
    body = client.get("/v1/recommendations", params={"session_id": "s1", "k": 3}).json()
    assert body["items"][0]["product_id"] == "bulb"
    assert body["personalized"] is True
    assert body["algorithm"] == "session-knn"
    assert body["items"][0]["reason"] == "because you viewed Title of lamp"


def test_items_in_the_cart_are_not_recommended_until_removed(client: TestClient) -> None:
    client.post(
        "/v1/events",
        json={"events": [event("e1"), event("e2", type="add_to_cart", product_id="bulb")]},
    )
    assert "bulb" not in top(client, session_id="s1", k=5)
    client.post(
        "/v1/events", json={"events": [event("e3", type="remove_from_cart", product_id="bulb")]}
    )
    assert "bulb" in top(client, session_id="s1", k=5)


def test_a_logged_in_users_session_events_count_with_their_history(client: TestClient) -> None:
    client.post(
        "/v1/events",
        json={"events": [event("e1", user_id="u9", session_id=None, product_id="teapot")]},
    )
    body = client.get("/v1/recommendations", params={"user_id": "u9", "k": 2}).json()
    assert body["personalized"] is True
    assert body["items"][0]["product_id"] in {"kettle", "mug"}


def test_resent_events_are_stored_and_applied_once(client: TestClient) -> None:
    batch = {"events": [event("e1"), event("e2", product_id="bulb")]}
    assert client.post("/v1/events", json=batch).json()["accepted"] == 2
    again = client.post("/v1/events", json=batch).json()
    assert again == {"accepted": 0, "duplicates": 2, "rejected": []}


def test_bad_events_are_reported_by_index_and_the_good_ones_kept(client: TestClient) -> None:
    future = (NOW + timedelta(hours=1)).isoformat()
    batch = {
        "events": [
            event("ok-1"),
            event("bad-1", product_id=None),
            event("bad-2", type="teleport"),
            event("bad-3", timestamp=future),
            event("bad-4", session_id=None),
            event("ok-2", product_id="bulb"),
        ]
    }
    response = client.post("/v1/events", json=batch)
    assert response.status_code == 202
    body = response.json()
    assert body["accepted"] == 2
    assert [r["index"] for r in body["rejected"]] == [1, 2, 3, 4]
    assert body["rejected"][0]["errors"][0]["field"] == "product_id"
    assert body["rejected"][1]["errors"][0]["field"] == "type"
    assert body["rejected"][2]["errors"][0]["field"] == "timestamp"


def test_accepted_events_are_committed_when_the_202_arrives(client: TestClient) -> None:
    batch = {"events": [event(f"d{i}", user_id=f"u{i}", price=1.5) for i in range(300)]}
    assert client.post("/v1/events", json=batch).status_code == 202
    log = client.app.state.ingestor.store.log  # type: ignore[attr-defined]
    assert log.count() == 300  # a new connection: committed, not merely queued


def test_an_unknown_field_rejects_only_its_event(client: TestClient) -> None:
    batch = {"events": [event("ok-1"), event("bad-1", colour="red"), event("ok-2")]}
    body = client.post("/v1/events", json=batch).json()
    assert (body["accepted"], [r["index"] for r in body["rejected"]]) == (2, [1])
    assert body["rejected"][0]["errors"][0]["field"] == "colour"


def test_a_batch_of_only_bad_events_is_a_422_naming_them(client: TestClient) -> None:
    response = client.post("/v1/events", json={"events": [event("bad", product_id="no spaces!")]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.events.0.product_id"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"events": []}, "body.events"),
        ({"events": [event(f"e{i}") for i in range(1001)]}, "body.events"),
        ({"events": [event("e1")], "extra": 1}, "body.extra"),
        ({}, "body.events"),
    ],
)
def test_malformed_batches_are_422s_naming_the_field(
    client: TestClient, body: object, field: str
) -> None:
    response = client.post("/v1/events", json=body)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]


def test_malformed_json_is_a_400(client: TestClient) -> None:
    response = client.post(
        "/v1/events", content=b'{"events": [', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400


def test_a_recommendation_needs_a_user_or_a_session(client: TestClient) -> None:
    response = client.get("/v1/recommendations", params={"k": 3})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.user_id"


def service_event(kind: str, **payload: object) -> dict[str, object]:
    body: dict[str, object] = {
        "event_id": str(uuid.uuid4()),
        "occurred_at": NOW.isoformat(),
        "source": "test",
        "type": kind,
    }
    body.update(payload)
    return body


def stock(product_id: str, available: int) -> dict[str, object]:
    return {
        "product_id": product_id,
        "available": available,
        "reserved": 0,
        "updated_at": NOW.isoformat(),
    }


def product(product_id: str, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "id": product_id,
        "sku": f"SKU-{product_id}",
        "title": f"Title of {product_id}",
        "description": "",
        "category_path": ["Home", "Lighting"],
        "brand": None,
        "price": 12.5,
        "currency": "EUR",
        "image_url": None,
        "attributes": {},
        "active": True,
        "created_at": NOW.isoformat(),
        "updated_at": NOW.isoformat(),
    }
    body.update(overrides)
    return body


def test_a_stock_event_removes_a_product_from_the_next_recommendations(client: TestClient) -> None:
    assert "kettle" in top(client, session_id="s9")
    gone = service_event("stock.changed.v1", stock=stock("kettle", 0))
    response = client.post("/v1/internal/events", json={"events": [gone]})
    assert response.status_code == 200, response.text
    assert "kettle" not in top(client, session_id="s9", k=5)
    back = service_event("stock.changed.v1", stock=stock("kettle", 3))
    client.post("/v1/internal/events", json={"events": [back]})
    assert "kettle" in top(client, session_id="s9", k=5)


def test_a_product_event_updates_the_read_model_and_redelivery_changes_nothing(
    client: TestClient,
) -> None:
    renamed = service_event("product.updated.v1", product=product("lamp", title="Brass lamp"))
    for _ in range(2):
        assert client.post("/v1/internal/events", json={"events": [renamed]}).status_code == 200
    applier = client.app.state.service_events  # type: ignore[attr-defined]
    assert (applier.applied, applier.duplicates) == (1, 1)
    similar = client.get("/v1/products/bulb/similar", params={"k": 3}).json()
    assert similar["items"][0]["title"] == "Brass lamp"


def test_a_batch_of_service_events_is_applied_in_order_and_once(client: TestClient) -> None:
    gone = service_event("stock.changed.v1", stock=stock("kettle", 0))
    renamed = service_event("product.updated.v1", product=product("lamp", title="Brass lamp"))
    mug_gone = service_event("stock.changed.v1", stock=stock("mug", 0))
    batch = [gone, renamed, renamed, mug_gone, gone]
    assert client.post("/v1/internal/events", json={"events": batch}).status_code == 200
    applier = client.app.state.service_events  # type: ignore[attr-defined]
    assert (applier.applied, applier.duplicates) == (3, 2)
    shown = top(client, session_id="s9", k=5)
    assert "kettle" not in shown
    assert "mug" not in shown
    similar = client.get("/v1/products/bulb/similar", params={"k": 3}).json()
    assert similar["items"][0]["title"] == "Brass lamp"


def test_a_new_product_is_known_to_the_engine_at_once(client: TestClient) -> None:
    assert client.get("/v1/products/lantern/similar").status_code == 404
    kitchen = product("lantern", category_path=["Home", "Kitchen"])
    created = service_event("product.created.v1", product=kitchen)
    client.post("/v1/internal/events", json={"events": [created]})
    response = client.get("/v1/products/lantern/similar", params={"k": 3})
    assert response.status_code == 200
    assert response.json()["items"][0]["reason"] == "popular in Home/Kitchen"


def test_a_malformed_service_event_batch_is_a_422(client: TestClient) -> None:
    bad = service_event("stock.changed.v1", stock={"product_id": "x"})
    response = client.post("/v1/internal/events", json={"events": [bad]})
    assert response.status_code == 422
    assert "events.0" in response.json()["detail"]


def trending(client: TestClient, **params: str | int) -> list[dict[str, object]]:
    response = client.get("/v1/trending", params={"k": 3, **params})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["algorithm"] == "trending"
    items: list[dict[str, object]] = body["items"]
    return items


def test_trending_moves_with_each_accepted_event_and_best_sellers_fill_the_rest(
    client: TestClient,
) -> None:
    before = trending(client)
    assert [i["product_id"] for i in before] == ["kettle", "mug", "teapot"]  # best sellers only
    assert all(str(i["reason"]).startswith("popular") for i in before)

    views = [event(f"v{n}", product_id="shade", session_id=f"s{n}") for n in range(3)]
    assert client.post("/v1/events", json={"events": views}).status_code == 202
    after = trending(client)
    assert after[0]["product_id"] == "shade"
    assert str(after[0]["reason"]).startswith("trending now")

    # A purchase outweighs three views, at once: no rebuild, no retraining.
    bought = event("p1", type="purchase", product_id="teapot", user_id="z", session_id=None)
    assert client.post("/v1/events", json={"events": [bought]}).status_code == 202
    assert [i["product_id"] for i in trending(client)][:2] == ["teapot", "shade"]

    # Resending is harmless: a duplicate moves nothing.
    assert client.post("/v1/events", json={"events": [bought]}).status_code == 202
    assert [i["product_id"] for i in trending(client)][:2] == ["teapot", "shade"]


def test_trending_takes_the_business_filters(client: TestClient) -> None:
    views = [event(f"f{n}", product_id="shade", session_id=f"s{n}") for n in range(2)]
    assert client.post("/v1/events", json={"events": views}).status_code == 202
    ids = [i["product_id"] for i in trending(client, exclude="shade")]
    assert "shade" not in ids
    assert client.get("/v1/trending", params={"k": 0}).status_code == 422
