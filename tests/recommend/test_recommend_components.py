"""Behaviour specific to one algorithm: sessions, the hybrid's weights, trending, ALS fold-in."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pytest

from nextbuy.recommend.als import ALS
from nextbuy.recommend.base import Recommender
from nextbuy.recommend.events import EventLog, EventWeighting, build_interactions
from nextbuy.recommend.hybrid import Hybrid
from nextbuy.recommend.interactions import Interactions
from nextbuy.recommend.popularity import TrendingPopularity
from nextbuy.recommend.reasons import ReasonKind
from nextbuy.recommend.session_knn import SessionKNN
from tests.recommend.planted import checkerboard


def test_an_anonymous_session_gets_items_like_the_ones_it_viewed() -> None:
    board = checkerboard()
    model = SessionKNN(neighbours=10).fit(board.interactions)
    odd_items = np.array([i for i in range(40) if board.item_parity(i) == 1][:3])
    found = model.recommend_session(odd_items, k=4)
    items = found.items[0].tolist()
    assert not set(items) & set(odd_items.tolist())
    assert {board.item_parity(i) for i in items} == {1}
    assert model.explain(0, items[:1])[0].kind is ReasonKind.SESSION


def test_hybrid_fits_a_weight_per_component_and_explains_with_them() -> None:
    board = checkerboard()
    components = {"ease": {"regularization": 10.0}, "popularity": {}}
    model = Hybrid(components, side=board.side).fit(board.interactions)
    assert model.weights is not None
    assert set(model.weights) == {"ease", "popularity"}
    assert model.weights["ease"] > 0
    items = model.recommend([0], k=2, exclude=board.interactions.matrix[[0]]).items[0].tolist()
    kinds = {reason.kind for reason in model.explain(0, items)}
    assert kinds <= {ReasonKind.SIMILAR_TO, ReasonKind.POPULAR}


def test_hybrid_with_fixed_weights_skips_the_search() -> None:
    board = checkerboard()
    model = Hybrid({"popularity": {}}, weights={"popularity": 1.0}).fit(board.interactions)
    assert model.weights == {"popularity": 1.0}


def test_trending_prefers_recent_attention_over_old_volume() -> None:
    day = 86_400.0
    users = [f"u{n}" for n in range(5)] + ["u0"]
    items = ["classic"] * 5 + ["new"]
    times = [0.0] * 5 + [100 * day]
    interactions = build_interactions(EventLog.of(users, items, ["view"] * 6, times))
    ranked = TrendingPopularity(half_life_days=7.0).fit(interactions).recommend([1], k=2)
    assert ranked.ids(interactions.items)[0] == ["new", "classic"]


def test_als_folds_in_a_history_close_to_the_fitted_user() -> None:
    board = checkerboard()
    model = ALS(factors=4, iterations=20, regularization=0.1, threads=1).fit(board.interactions)
    stored = model.recommend_scores([6])[0]
    folded = model.history_scores(board.interactions.matrix[[6]])[0]
    assert np.corrcoef(stored, folded)[0, 1] > 0.9


def test_item_knn_time_decay_favours_recent_co_occurrence() -> None:
    from nextbuy.recommend.itemknn import ItemKNN

    day = 86_400.0
    events = EventLog.of(
        ["a", "a", "b", "b", "c", "c"],
        ["x", "old", "x", "old", "x", "new"],
        timestamps=[0.0, 0.0, 0.0, 0.0, 400 * day, 400 * day],
    )
    decayed = build_interactions(events, EventWeighting())
    plain = ItemKNN(neighbours=5).fit(decayed).similar_items([0], k=1)
    recent = ItemKNN(neighbours=5, half_life_days=30.0).fit(decayed).similar_items([0], k=1)
    assert plain.ids(decayed.items)[0] == ["old"]
    assert recent.ids(decayed.items)[0] == ["new"]


def test_hybrid_leaves_out_a_component_that_refuses_the_data(tmp_path: Path) -> None:
    board = checkerboard()
    components = {"ease": {"max_items": 3}, "item-knn": {"neighbours": 20}}
    model = Hybrid(components).fit(board.interactions)
    assert set(model.models) == {"item-knn"}
    assert "ease" in model.skipped
    model.save(tmp_path / "hybrid")
    loaded = Hybrid.load(tmp_path / "hybrid")
    assert set(loaded.models) == {"item-knn"}


def test_weight_search_never_ends_below_the_best_single_component() -> None:
    from nextbuy.recommend.hybrid import _coordinate_ascent

    # From equal weights every one-coordinate move looks worse (a local optimum); only "a"
    # alone is best, two moves away. The search must still end there.
    def quality(weights: Mapping[str, float]) -> float:
        if weights["a"] > 0 and weights["b"] == 0 and weights["c"] == 0:
            return 1.0
        return 0.6 if weights == {"a": 1.0, "b": 1.0, "c": 1.0} else 0.5

    weights = _coordinate_ascent(["a", "b", "c"], quality, rounds=2)
    assert quality(weights) == 1.0


def test_hybrid_chooses_weights_on_a_user_sample_when_there_are_many_users(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    board = checkerboard()
    seen_shapes: list[tuple[int, int]] = []
    fit_components = Hybrid._fit_components

    def spy(self: Hybrid, interactions: Interactions, stage: str) -> dict[str, Recommender]:
        seen_shapes.append(interactions.shape)
        return fit_components(self, interactions, stage)

    monkeypatch.setattr(Hybrid, "_fit_components", spy)
    components = {"item-knn": {"neighbours": 20}, "popularity": {}}
    model = Hybrid(components, max_validation_users=8, max_fit_users=16).fit(board.interactions)
    n_users, n_items = board.interactions.shape
    assert seen_shapes == [(16, n_items), (n_users, n_items)]  # validation sample, then all
    assert model.models["item-knn"].history.shape == (n_users, n_items)
    ranked = model.recommend(np.arange(n_users), k=3, exclude=board.interactions.matrix)
    for row in range(n_users):  # the planted structure survives the sampled weight search
        assert {board.item_parity(i) for i in ranked.items[row]} == {board.user_parity(row)}
