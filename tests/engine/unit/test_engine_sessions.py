"""Visitor activity versions: equal versions prove that a visitor did nothing since."""

from __future__ import annotations

from datetime import UTC, datetime

from nextbuy.contracts.engine import InteractionEvent
from nextbuy.engine.domain.sessions import SessionStore


def event(n: int, product_id: str, *, user_id: str | None, session_id: str) -> InteractionEvent:
    return InteractionEvent.model_validate(
        {
            "event_id": f"e{n}",
            "type": "view",
            "user_id": user_id,
            "session_id": session_id,
            "product_id": product_id,
            "timestamp": datetime.now(UTC).isoformat(),
        }
    )


def test_versions_change_with_every_event_of_that_visitor_only() -> None:
    store = SessionStore()
    assert store.versions("u1", "s1") == (0, 0)
    store.record([event(1, "p1", user_id="u1", session_id="s1")])
    first = store.versions("u1", "s1")
    assert first[0] > 0
    store.record([event(2, "p2", user_id=None, session_id="s1")])
    second = store.versions("u1", "s1")
    assert second[0] == first[0]
    assert second[1] > 0
    store.record([event(3, "p3", user_id=None, session_id="other")])
    assert store.versions("u1", "s1") == second


def test_a_visitor_evicted_and_seen_again_never_repeats_a_version() -> None:
    store = SessionStore(max_visitors=1)
    store.record([event(1, "p1", user_id=None, session_id="s1")])
    before = store.versions(None, "s1")
    store.record([event(2, "p2", user_id=None, session_id="s2")])  # evicts s1
    assert store.versions(None, "s1") == (0, 0)
    store.record([event(3, "p3", user_id=None, session_id="s1")])
    assert store.versions(None, "s1") != before
