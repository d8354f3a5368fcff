"""Stratified and temporal splits: ratios, determinism, no leaking pairs."""

from __future__ import annotations

import numpy as np
import pytest

from nextbuy.evaluation.splits import SplitError, stratified_split, temporal_split
from nextbuy.recommend.events import EventLog


def make_events(users: int = 6, items: int = 8, repeat_views: bool = False) -> EventLog:
    owners, products, times = [], [], []
    for u in range(users):
        for i in range(items):
            for _ in range(2 if repeat_views else 1):
                owners.append(f"u{u}")
                products.append(f"i{i}")
                times.append(float(1000 * i + u))
    return EventLog.of(owners, products, ["view"] * len(owners), times)


def pairs(log: EventLog) -> set[tuple[str, str]]:
    return set(zip(log.user_ids.tolist(), log.item_ids.tolist(), strict=True))


def test_stratified_gives_each_user_three_quarters_of_their_items() -> None:
    split = stratified_split(make_events(), ratio=0.75, seed=1)
    for u in range(6):
        assert (split.train.user_ids == f"u{u}").sum() == 6
        assert (split.test.user_ids == f"u{u}").sum() == 2


def test_stratified_is_deterministic_for_a_seed_and_varies_across_seeds() -> None:
    events = make_events()
    first, again = stratified_split(events, seed=7), stratified_split(events, seed=7)
    assert pairs(first.test) == pairs(again.test)
    assert pairs(first.test) != pairs(stratified_split(events, seed=8).test)


def test_repeated_events_of_a_pair_stay_on_one_side() -> None:
    split = stratified_split(make_events(repeat_views=True), seed=3)
    assert not pairs(split.train) & pairs(split.test)
    assert len(split.train) + len(split.test) == 6 * 8 * 2


def test_temporal_trains_on_the_past_and_tests_on_the_future() -> None:
    split = temporal_split(make_events(), test_fraction=0.25)
    assert split.train.timestamps.max() < split.test.timestamps.min()
    assert split.params["cutoff"] == pytest.approx(split.test.timestamps.min(), abs=1000)


def test_temporal_drops_test_users_without_history() -> None:
    events = EventLog.of(["old", "old", "new"], ["a", "b", "c"], timestamps=[1.0, 5.0, 9.0])
    split = temporal_split(events, cutoff=4.0)
    assert split.test.user_ids.tolist() == ["old"]


def test_temporal_needs_timestamps() -> None:
    events = EventLog.of(["u"], ["a"], timestamps=[np.nan])
    with pytest.raises(SplitError, match="timestamps"):
        temporal_split(events)


def test_empty_log_cannot_be_split() -> None:
    with pytest.raises(SplitError):
        stratified_split(EventLog.of([], []))
