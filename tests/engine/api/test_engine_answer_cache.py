"""The answer cache, through the real engine app: repeated answers are reused only while right.

Every test compares what the engine answers after a change with what it answered before, and
checks that the change was not hidden by a cached answer (a product out of stock disappears, a
view re-ranks, a new model or order history is used) — and that an unchanged request is a hit.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from nextbuy.engine.domain.answers import HotAnswers
from nextbuy.engine.domain.ports import StockLevel
from tests.engine.api.test_engine_business_rules import (
    CATALOGUE,
    VISITORS,
    get,
    ids,
    start_engine,
    view,
)
from tests.engine.unit.builders import build_model, make_product, make_purchase


@pytest.fixture
def client() -> Iterator[TestClient]:
    yield from start_engine()


def answers_of(client: TestClient) -> HotAnswers:
    state: Any = client.app.state  # type: ignore[attr-defined]
    answers: HotAnswers | None = state.answers
    assert answers is not None, "the optimised plane has an answer cache"
    return answers


def warm(client: TestClient, **params: Any) -> dict[str, Any]:
    """Ask until undegraded (that loads the user's data), then once more: that one is stored."""
    undegraded(client, **params)
    return get(client, **params)


def undegraded(client: TestClient, **params: Any) -> dict[str, Any]:
    """Ask until the user's data is loaded (a loaded machine may need more than the deadline)."""
    for _ in range(50):
        body = get(client, **params)
        if not body["degraded"]:
            return body
        time.sleep(0.1)
    pytest.fail("the engine never answered undegraded")


def test_an_unchanged_request_is_answered_from_the_cache(client: TestClient) -> None:
    first = warm(client, k=5, user_id="alice")
    hits = answers_of(client).cache.hits
    again = get(client, k=5, user_id="alice")
    assert again == first
    assert answers_of(client).cache.hits == hits + 1


def test_a_product_going_out_of_stock_disappears_from_the_next_answer(client: TestClient) -> None:
    before = ids(warm(client, k=5, user_id="alice"))
    gone = before[0]
    state: Any = client.app.state  # type: ignore[attr-defined]
    state.read_model.apply_stock([StockLevel(gone, 0, updated_at=time.time())])
    after = ids(get(client, k=5, user_id="alice"))
    assert gone not in after
    assert after[: len(before) - 1] == before[1:]  # the others move up, nothing else changes


def test_a_stock_count_that_stays_above_zero_keeps_the_cached_answer(client: TestClient) -> None:
    before = warm(client, k=5, user_id="alice")
    state: Any = client.app.state  # type: ignore[attr-defined]
    state.read_model.apply_stock([StockLevel(ids(before)[0], 4, updated_at=time.time())])
    hits = answers_of(client).cache.hits
    assert get(client, k=5, user_id="alice") == before
    assert answers_of(client).cache.hits == hits + 1


def test_a_title_change_shows_in_the_next_answer(client: TestClient) -> None:
    before = warm(client, k=5, user_id="alice")
    first = before["items"][0]["product_id"]
    category, price = CATALOGUE[first]
    state: Any = client.app.state  # type: ignore[attr-defined]
    renamed = make_product(
        first, title="Renamed", category=category, price=price, updated_at=time.time()
    )
    state.read_model.apply_products([renamed])
    after = get(client, k=5, user_id="alice")
    assert after["items"][0]["title"] == "Renamed"


@pytest.mark.parametrize(
    "visitor", [{"user_id": "alice", "session_id": "s9"}, {"session_id": "s9"}]
)
def test_a_view_changes_the_next_answer(client: TestClient, visitor: dict[str, str]) -> None:
    before = ids(warm(client, k=20, **visitor))  # the whole catalogue: any re-rank shows
    event = view("e-garden", "s9", "hose", **({"user_id": "alice"} if "user_id" in visitor else {}))
    assert client.post("/v1/events", json={"events": [event]}).status_code == 202
    after = ids(get(client, k=20, **visitor))
    assert after != before
    # Bought with the hose by u6: they move up.
    assert after.index("seeds") < before.index("seeds")


def test_a_new_model_is_used_at_once(client: TestClient) -> None:
    before = warm(client, k=5, user_id="alice")
    state: Any = client.app.state  # type: ignore[attr-defined]
    state.models.swap(build_model(make_purchase("o-new", "alice-twin", "kettle", "atlas")))
    after = get(client, k=5, user_id="alice")
    assert after["model_version"] != before["model_version"]
    assert ids(after)[0] == "atlas"  # now the only co-purchase of what alice bought


def test_a_new_order_history_is_used_at_once(client: TestClient) -> None:
    before = warm(client, k=5, user_id="alice")
    state: Any = client.app.state  # type: ignore[attr-defined]
    # The orders upstream now answers the same history, but the cached copy was dropped (an
    # order placed): the answer must be recomputed from the reloaded one, not reused.
    hits = answers_of(client).cache.hits
    portal = client.portal
    assert portal is not None, "the client runs the app (entered with ``with``)"
    portal.call(state.recommender.user_data.invalidate_orders, "alice")
    reloaded = undegraded(client, k=5, user_id="alice")
    assert reloaded == before  # the same history again
    assert answers_of(client).cache.hits == hits  # ... but recomputed, not reused
    assert get(client, k=5, user_id="alice") == before  # stored (or already stored) ...
    hits = answers_of(client).cache.hits
    assert get(client, k=5, user_id="alice") == before
    assert answers_of(client).cache.hits == hits + 1  # ... and reused again


@pytest.mark.parametrize("visitor", VISITORS)
def test_filters_and_pages_are_part_of_the_key(client: TestClient, visitor: dict[str, str]) -> None:
    variants: list[dict[str, Any]] = [
        {"k": 4},
        {"k": 4, "offset": 4},
        {"k": 4, "category": "Garden"},
        {"k": 4, "max_price": 10},
        {"k": 4, "exclude": ["mug", "lamp"]},
        {"k": 4, "max_per_category": 1},
        {"k": 2},
    ]
    uncached = [get(client, **visitor, **v) for v in variants]  # may be first answers or hits
    for variant, expected in zip(variants, uncached, strict=True):
        assert get(client, **visitor, **variant) == expected
    assert len({str(ids(answer)) for answer in uncached}) > 1


def test_answers_equal_an_engine_without_the_cache(tmp_path: Path) -> None:
    def answers(engine: TestClient) -> list[list[str]]:
        out = []
        for visitor in VISITORS:
            for params in ({"k": 6}, {"k": 3, "offset": 3}, {"k": 5, "category": "Home"}):
                out.append(ids(warm(engine, **visitor, **params)))
        return out

    engine = contextlib.contextmanager(start_engine)
    # Its own event log: the same visitor events must be new to it, not duplicates.
    other_log = f"sqlite:///{tmp_path / 'uncached.db'}"
    with (
        engine() as with_cache,
        engine(answer_cache_entries=0, database_url=other_log) as without_cache,
    ):
        assert answers(with_cache) == answers(without_cache)
        assert answers_of(with_cache).cache.hits > 0
        state: Any = without_cache.app.state  # type: ignore[attr-defined]
        assert state.answers is None


def test_an_answer_of_a_stale_feed_says_so_and_only_while_it_is(client: TestClient) -> None:
    fresh = warm(client, k=5, user_id="alice")
    assert fresh["degraded"] is False
    state: Any = client.app.state  # type: ignore[attr-defined]
    synced_at = state.read_model.stock_synced_at
    state.read_model.stock_synced_at = time.monotonic() - 3600  # past the stock budget
    stale = get(client, k=5, user_id="alice")
    assert stale["degraded_sources"] == ["inventory"]
    hits = answers_of(client).cache.hits
    assert get(client, k=5, user_id="alice") == stale  # kept: it is right while stale
    assert answers_of(client).cache.hits == hits + 1
    state.read_model.stock_synced_at = synced_at
    assert get(client, k=5, user_id="alice") == fresh


def test_a_replayed_answer_is_the_routed_one_counted_under_its_route(client: TestClient) -> None:
    computed = undegraded(client, k=5, user_id="alice")  # routed: it loads alice's data
    get(client, k=5, user_id="alice")  # stored by now
    hits = answers_of(client).cache.hits
    replayed = client.get("/v1/recommendations", params={"k": 5, "user_id": "alice"})
    assert answers_of(client).cache.hits == hits + 1
    assert replayed.json() == computed
    assert replayed.headers["content-type"] == "application/json"
    metrics = client.get("/metrics").text
    assert 'route="/v1/recommendations"' in metrics
    assert 'route="unmatched"' not in metrics


@pytest.mark.parametrize("budget", ["soon", "0", "60001", "-5", "1.5"])
def test_a_cached_query_with_a_bad_timeout_header_is_still_refused(
    client: TestClient, budget: str
) -> None:
    warm(client, k=5, user_id="alice")
    response = client.get(
        "/v1/recommendations",
        params={"k": 5, "user_id": "alice"},
        headers={"X-Request-Timeout-Ms": budget},
    )
    assert response.status_code == 422


def test_a_cached_query_with_a_valid_timeout_header_is_answered_from_the_cache(
    client: TestClient,
) -> None:
    stored = warm(client, k=5, user_id="alice")
    hits = answers_of(client).cache.hits
    response = client.get(
        "/v1/recommendations",
        params={"k": 5, "user_id": "alice"},
        headers={"X-Request-Timeout-Ms": "150"},
    )
    assert response.status_code == 200
    assert response.json() == stored
    assert answers_of(client).cache.hits == hits + 1
