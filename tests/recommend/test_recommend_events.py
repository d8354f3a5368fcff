"""Event weighting, time decay and the interactions matrix built from raw events."""

from __future__ import annotations

import numpy as np
import pytest

from nextbuy.recommend.events import (
    SECONDS_PER_DAY,
    EncodedEvents,
    EventLog,
    EventWeighting,
    build_interactions,
    decay,
    decayed_matrix,
    interactions_from_encoded,
)
from nextbuy.recommend.interactions import IdIndex

NOW = 1_700_000_000.0


def test_purchase_outweighs_cart_outweighs_view() -> None:
    events = EventLog.of(["u", "u", "u"], ["a", "b", "c"], ["view", "add_to_cart", "purchase"])
    matrix = build_interactions(events).matrix.toarray()[0]
    assert matrix[0] < matrix[1] < matrix[2]


def test_weights_are_configurable_and_zero_weight_events_vanish() -> None:
    events = EventLog.of(
        ["u", "u", "v"], ["a", "b", "a"], ["view", "recommendation_impression", "x"]
    )
    weighting = EventWeighting(weights={"view": 2.0, "recommendation_impression": 0.0})
    interactions = build_interactions(events, weighting)
    assert interactions.matrix.nnz == 2
    assert interactions.matrix[0, 0] == 2.0
    assert interactions.matrix[1, 0] == 1.0  # unknown type counts default_weight


def test_half_life_halves_the_weight_of_an_old_event() -> None:
    times = [NOW, NOW - 10 * SECONDS_PER_DAY]
    events = EventLog.of(["u", "u"], ["new", "old"], ["purchase", "purchase"], times)
    matrix = build_interactions(events, EventWeighting(half_life_days=10.0)).matrix.toarray()[0]
    assert matrix[1] == pytest.approx(matrix[0] / 2)


def test_decay_treats_unknown_times_as_fresh() -> None:
    assert decay(np.array([np.nan, NOW]), 1.0, now=NOW).tolist() == [1.0, 1.0]


def test_repeated_events_sum_and_keep_the_latest_time() -> None:
    times = [NOW - SECONDS_PER_DAY, NOW]
    events = EventLog.of(["u", "u"], ["a", "a"], ["view", "view"], times)
    interactions = build_interactions(events)
    assert interactions.matrix[0, 0] == 2.0
    assert interactions.times is not None
    assert interactions.times[0, 0] == pytest.approx(NOW / SECONDS_PER_DAY + 1)
    assert decayed_matrix(interactions, 1.0)[0, 0] == pytest.approx(2.0)


def test_ratings_can_weigh_by_their_value() -> None:
    events = EventLog.of(["u", "u"], ["a", "b"], ["rating", "rating"], values=[5.0, 1.0])
    matrix = build_interactions(events, EventWeighting(use_values=True)).matrix.toarray()[0]
    assert matrix.tolist() == [5.0, 1.0]


def test_shared_indexes_drop_unknown_ids() -> None:
    events = EventLog.of(["u", "w"], ["a", "zz"])
    interactions = build_interactions(events, users=IdIndex(("u",)), items=IdIndex(("a", "b")))
    assert interactions.shape == (1, 2)
    assert interactions.matrix.nnz == 1


def test_empty_log_gives_an_empty_matrix() -> None:
    assert build_interactions(EventLog.of([], [])).shape == (0, 0)


def test_encoded_events_build_the_same_matrix_and_times_as_string_events() -> None:
    rng = np.random.default_rng(3)
    n = 500
    user_rows = rng.integers(0, 30, n)
    item_rows = rng.integers(0, 20, n)
    type_rows = rng.integers(0, 3, n)
    kinds = ("view", "purchase", "remove_from_cart")
    # Already float64 at run time; asarray (no copy) says so to numpy's stubs.
    times = np.asarray(NOW - rng.integers(0, 30, n) * SECONDS_PER_DAY, dtype=np.float64)
    times[::7] = np.nan  # some events without a time
    users = IdIndex(tuple(f"u{r}" for r in range(30)))
    items = IdIndex(tuple(f"i{r}" for r in range(20)))
    strings = EventLog.of(
        [users.ids[r] for r in user_rows],
        [items.ids[r] for r in item_rows],
        [kinds[r] for r in type_rows],
        times,
    )
    expected = build_interactions(strings, users=users, items=items)
    encoded = interactions_from_encoded(
        EncodedEvents(users, items, user_rows, item_rows, kinds, type_rows, times)
    )
    assert (encoded.matrix != expected.matrix).nnz == 0
    assert expected.times is not None
    assert encoded.times is not None
    assert (encoded.times != expected.times).nnz == 0
    # Removals weigh zero: a pair seen only as a removal is absent, not a zero entry.
    assert encoded.matrix.data.min() > 0


def test_ids_are_indexed_in_first_seen_order() -> None:
    events = EventLog.of(["z", "a", "z", "m"], ["y", "y", "b", "a"], ["view"] * 4)
    interactions = build_interactions(events)
    assert interactions.users.ids == ("z", "a", "m")
    assert interactions.items.ids == ("y", "b", "a")
