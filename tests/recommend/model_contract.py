"""The contract every algorithm passes: one mixin, run against every model (as implicit does).

A test class mixes in :class:`ModelContract` and defines ``make_model``; non-personalised models
set ``personalised = False`` and are checked on a popularity ladder instead of the checkerboard.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

from nextbuy.recommend.base import Recommender
from nextbuy.recommend.errors import ArtifactError, NotFittedError
from nextbuy.recommend.registry import SideInformation
from tests.recommend.planted import checkerboard, popularity_ladder


class ModelContract:
    personalised = True
    has_similarity = True

    def make_model(self, side: SideInformation) -> Recommender:
        raise NotImplementedError

    def fitted(self) -> tuple[Recommender, sparse.csr_matrix]:
        board = checkerboard()
        model = self.make_model(board.side).fit(board.interactions)
        return model, board.interactions.matrix

    def test_planted_structure_is_recovered(self) -> None:
        if not self.personalised:
            interactions, order = popularity_ladder()
            model = self.make_model(SideInformation()).fit(interactions)
            top = model.recommend([0], k=5).ids(interactions.items)[0]
            assert top == order[:5]
            return
        board = checkerboard()
        model = self.make_model(board.side).fit(board.interactions)
        users = np.arange(board.interactions.shape[0])
        found = model.recommend(users, k=3, exclude=board.interactions.matrix)
        for user in users.tolist():
            items = [i for i, _ in found.row(user)]
            assert items, user
            assert {board.item_parity(i) for i in items} == {board.user_parity(user)}

    def test_similar_items_share_the_planted_block(self) -> None:
        if not self.has_similarity:
            return
        board = checkerboard()
        model = self.make_model(board.side).fit(board.interactions)
        items = np.arange(board.interactions.shape[1])
        similar = model.similar_items(items, k=3)
        for item in items.tolist():
            neighbours = [i for i, _ in similar.row(item)]
            assert item not in neighbours
            assert {board.item_parity(i) for i in neighbours} == {board.item_parity(item)}

    def test_exclusion_is_honoured(self) -> None:
        model, history = self.fitted()
        users = np.arange(history.shape[0])
        found = model.recommend(users, k=10, exclude=history)
        for user in users.tolist():
            assert not set(found.items[user].tolist()) & set(history[user].indices.tolist())
        lists = model.recommend([0, 1], k=40, exclude=[np.array([0, 1, 2]), np.array([])])
        assert not {0, 1, 2} & set(lists.items[0].tolist())

    def test_long_lists_are_padded_not_invented(self) -> None:
        model, history = self.fitted()
        found = model.recommend([0], k=100, exclude=history[[0]])
        assert found.items.shape == (1, history.shape[1])
        valid = found.items[0][found.items[0] >= 0]
        assert len(set(valid.tolist())) == valid.size
        assert np.all(np.diff(found.scores[0][: valid.size]) <= 1e-6)

    def test_save_and_load_give_the_same_answers(self, tmp_path: Path) -> None:
        model, history = self.fitted()
        model.save(tmp_path / "model")
        loaded = type(model).load(tmp_path / "model")
        users = np.arange(history.shape[0])
        before = model.recommend(users, k=5, exclude=history)
        after = loaded.recommend(users, k=5, exclude=history)
        np.testing.assert_array_equal(before.items, after.items)
        np.testing.assert_allclose(before.scores, after.scores, rtol=1e-5)
        assert loaded.items.ids == model.items.ids
        assert not list(tmp_path.rglob("*.pkl"))
        assert not list(tmp_path.rglob("*.pickle"))

    def test_load_refuses_another_algorithm(self, tmp_path: Path) -> None:
        from nextbuy.recommend.popularity import GlobalPopularity

        model, _ = self.fitted()
        model.save(tmp_path / "model")
        other = GlobalPopularity if model.name != "popularity" else _Ease()
        with pytest.raises(ArtifactError):
            other.load(tmp_path / "model")

    def test_same_seed_same_model(self) -> None:
        first, history = self.fitted()
        second, _ = self.fitted()
        users = np.arange(history.shape[0])
        a = first.recommend(users, k=5, exclude=history)
        b = second.recommend(users, k=5, exclude=history)
        np.testing.assert_array_equal(a.items, b.items)

    def test_unseen_history_is_served_without_refit(self) -> None:
        board = checkerboard()
        model = self.make_model(board.side).fit(board.interactions)
        history = board.interactions.matrix[[2, 3]]
        found = model.recommend_history(history, k=3, exclude=history)
        assert found.items.shape == (2, 3)
        assert np.all(found.items >= 0)
        if self.personalised and model.name != "popularity-segment":
            for row, user in enumerate([2, 3]):
                parities = {board.item_parity(i) for i in found.items[row].tolist()}
                assert parities == {board.user_parity(user)}

    def test_every_item_comes_with_a_reason(self) -> None:
        model, history = self.fitted()
        items = model.recommend([4], k=3, exclude=history[[4]]).items[0].tolist()
        reasons = model.explain(4, items)
        assert len(reasons) == len(items)
        assert all(reason.describe(model.items) for reason in reasons)

    def test_unfitted_model_refuses_to_recommend(self) -> None:
        with pytest.raises(NotFittedError):
            self.make_model(SideInformation()).recommend([0], k=3)


def _Ease() -> type[Recommender]:
    from nextbuy.recommend.ease import EASE

    return EASE
