"""Live trending counters: incremental, decaying with a half-life, weighted by event type."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nextbuy.contracts.engine import InteractionEvent, InteractionType
from nextbuy.engine.domain.live_popularity import LivePopularity

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def seen(
    product_id: str, kind: InteractionType = "view", at: datetime = T0, n: int = 1
) -> InteractionEvent:
    return InteractionEvent(
        event_id=f"{product_id}-{kind}-{at.timestamp()}-{n}",
        type=kind,
        session_id="s",
        product_id=product_id,
        timestamp=at,
        quantity=n,
    )


def test_each_event_counts_at_once_weighted_by_what_it_says() -> None:
    live = LivePopularity()
    live.record([seen("a"), seen("a"), seen("b", "add_to_cart")])
    assert [p for p, _ in live.top(5, T0.timestamp())] == ["b", "a"]  # a cart (3) > two views
    live.record([seen("c", "purchase", n=2)])
    best, best_score = live.top(1, T0.timestamp())[0]
    assert best == "c"
    assert best_score == pytest.approx(10.0)
    live.record([seen("d", "remove_from_cart")])  # not interest: not counted
    assert live.score("d", T0.timestamp()) == 0.0


def test_counts_halve_every_half_life() -> None:
    live = LivePopularity(half_life_s=60)
    live.record([seen("a", "purchase")])
    assert live.score("a", T0.timestamp()) == pytest.approx(5.0)
    assert live.score("a", T0.timestamp() + 60) == pytest.approx(2.5)
    assert live.score("a", T0.timestamp() + 600) == pytest.approx(5.0 / 1024)


def test_a_fresh_view_beats_an_old_purchase() -> None:
    live = LivePopularity(half_life_s=3600)
    live.record([seen("old", "purchase", at=T0), seen("new", at=T0 + timedelta(hours=3))])
    now = (T0 + timedelta(hours=3)).timestamp()
    assert [p for p, _ in live.top(2, now)] == ["new", "old"]  # 1.0 against 5 / 8


def test_an_impression_is_not_interest_but_a_click_is() -> None:
    live = LivePopularity()
    live.record([seen("x", "recommendation_impression")])
    assert live.score("x", T0.timestamp()) == 0.0
    assert live.top(5, T0.timestamp()) == []
    live.record([seen("x", "recommendation_click")])
    assert live.score("x", T0.timestamp()) == pytest.approx(1.0)


@given(st.lists(st.tuples(st.sampled_from("abcde"), st.floats(0, 1e7)), min_size=1, max_size=40))
def test_rescaling_far_into_the_future_keeps_scores(events: list[tuple[str, float]]) -> None:
    """Half-lives of seconds over months force many rescales: scores must match a naive sum."""
    live = LivePopularity(half_life_s=10_000)
    events.sort(key=lambda e: e[1])
    for product, at in events:
        live.add(product, 1.0, at)
    now = events[-1][1]
    for product in "abcde":
        expected = sum(2 ** ((at - now) / 10_000) for p, at in events if p == product)
        assert live.score(product, now) == pytest.approx(expected, rel=1e-9, abs=1e-300)


@given(
    st.lists(
        st.tuples(
            st.sampled_from("abcdefghij"), st.sampled_from([1.0, 3.0, 5.0]), st.floats(0, 1e6)
        ),
        min_size=1,
        max_size=80,
    ),
    st.integers(1, 12),
)
def test_the_kept_top_list_is_exactly_the_ranking_of_every_product(
    events: list[tuple[str, float, float]], n: int
) -> None:
    """Kept incrementally (4 of 10 products, half-lives short enough to force rescales), the
    top list must equal ranking every counted product from scratch."""
    live = LivePopularity(half_life_s=5_000, top_kept=4)
    events.sort(key=lambda e: e[2])
    for product, weight, at in events:
        live.add(product, weight, at)
    now = events[-1][2]
    everything = sorted(
        ((live.score(p, now), p) for p in "abcdefghij" if live.score(p, now) > 0), reverse=True
    )
    expected = [p for _, p in everything[: min(n, 4)]]  # never more than it keeps
    assert [p for p, _ in live.top(n, now)] == expected
