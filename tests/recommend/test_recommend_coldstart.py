"""Cold start: a new user from demographics and stated taste, a new product from its text."""

from __future__ import annotations

import numpy as np

from nextbuy.recommend.coldstart import (
    NewUserProfile,
    content_neighbours,
    exploration_boost,
    new_user_scores,
    segment_of,
)
from nextbuy.recommend.content import ContentTfidf, product_text
from nextbuy.recommend.segments import CategoryPopularity, SegmentPopularity
from nextbuy.recommend.session_knn import SessionKNN
from tests.recommend.planted import checkerboard


def test_segment_key_names_the_known_demographics() -> None:
    assert segment_of("25-34", None, "GB") == "age=25-34|country=GB"
    assert segment_of(None, None, None) == ""


def test_new_user_gets_their_segment_taste_then_their_stated_one() -> None:
    board = checkerboard()
    segments = SegmentPopularity(board.side.user_segments).fit(board.interactions)
    categories = CategoryPopularity(board.side.item_categories).fit(board.interactions)
    parity = [board.item_parity(i) for i in range(board.interactions.shape[1])]
    odd_user = new_user_scores(NewUserProfile(segment="odd"), segments, categories)[0]
    assert parity[int(np.argmax(odd_user))] == 1
    stated_even = NewUserProfile(segment="odd", favourite_categories=["even"])
    scores = new_user_scores(stated_even, segments, categories, preference_weight=0.9)[0]
    assert parity[int(np.argmax(scores))] == 0


def test_session_signal_takes_over_as_it_grows() -> None:
    board = checkerboard()
    segments = SegmentPopularity(board.side.user_segments).fit(board.interactions)
    categories = CategoryPopularity(board.side.item_categories).fit(board.interactions)
    session = SessionKNN().fit(board.interactions)
    # The visitor's session looks like user 1's history, whatever their stated segment says.
    seen = board.interactions.matrix[1].indices[:3]
    session_scores = session.history_scores(board.interactions.matrix[[1]])
    segment = "odd" if board.user_parity(1) == 0 else "even"
    profile = NewUserProfile(segment=segment, session_items=seen.tolist())
    scores = new_user_scores(profile, segments, categories, session_scores=session_scores)[0]
    expected = board.user_parity(1)
    top = np.argsort(-scores)[:3]
    assert {board.item_parity(int(i)) for i in top} == {expected}


def test_new_product_finds_neighbours_by_text() -> None:
    board = checkerboard()
    content = ContentTfidf(board.side.item_texts).fit(board.interactions)
    text = product_text("odd colour gadget", brand="Acme", category_path="odd/widgets")
    neighbours = content_neighbours(content, text, k=5)
    assert neighbours
    assert {board.item_parity(i) for i, _ in neighbours} == {1}


def test_exploration_boost_is_bounded_per_list() -> None:
    scores = np.array([[1.0, 0.9, 0.8, 0.1, 0.05]], dtype=np.float32)
    cold = np.array([3, 4])
    lifted = exploration_boost(scores, cold, boost=1.0, max_boosted=1)
    assert lifted[0, 3] > scores[0, 0]  # the best cold item can reach the top ...
    assert lifted[0, 4] == scores[0, 4]  # ... but only one cold item is lifted
    untouched = exploration_boost(scores, np.array([], dtype=np.int64))
    np.testing.assert_array_equal(untouched, scores)


def test_stated_preferences_steer_a_content_taste() -> None:
    board = checkerboard()
    content = ContentTfidf(board.side.item_texts).fit(board.interactions)
    empty = board.interactions.matrix[[0]] * 0
    scores = content.taste_scores(empty, ["odd colour"], stated_weight=1.0)[0]
    assert board.item_parity(int(np.argmax(scores))) == 1
    mixed = content.taste_scores(board.interactions.matrix[[0]], ["odd"], stated_weight=0.1)[0]
    assert board.item_parity(int(np.argmax(mixed))) == board.user_parity(0)
