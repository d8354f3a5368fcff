"""Popularity and co-purchase neighbours on planted structure whose right answer is known."""

from __future__ import annotations

import numpy as np

from nextbuy.recommend.copurchase import CoPurchaseNeighbours
from nextbuy.recommend.interactions import IdIndex, Interactions
from nextbuy.recommend.popularity import Popularity


def planted_two_blocks() -> Interactions:
    """Users 0-9 buy only items a*, users 10-19 only items b*: a checkerboard of tastes."""
    users, items = [], []
    for u in range(20):
        block = "a" if u < 10 else "b"
        for i in range(4):
            if (u + i) % 4 != 0:  # each user skips one item of their block
                users.append(f"u{u}")
                items.append(f"{block}{i}")
    return Interactions.from_triples(users, items)


def test_neighbours_stay_inside_the_planted_block() -> None:
    interactions = planted_two_blocks()
    neighbours = CoPurchaseNeighbours.fit(interactions, top_n=5)
    for item in interactions.items.ids:
        found = [
            interactions.items.ids[j]
            for j, _ in neighbours.of(interactions.items.position(item) or 0)
        ]
        assert found, item
        assert all(other[0] == item[0] for other in found), (item, found)
        assert item not in found


def test_cosine_is_symmetric_and_bounded() -> None:
    interactions = planted_two_blocks()
    neighbours = CoPurchaseNeighbours.fit(interactions, top_n=10)
    similarity = {(i, j): s for i in range(neighbours.item_count) for j, s in neighbours.of(i)}
    for (i, j), s in similarity.items():
        assert 0.0 < s <= 1.0 + 1e-6
        assert abs(similarity[(j, i)] - s) < 1e-6


def test_score_names_the_strongest_seed() -> None:
    interactions = Interactions.from_triples(
        ["u1", "u1", "u2", "u2", "u3", "u3", "u3"],
        ["x", "y", "x", "y", "x", "z", "y"],
    )
    neighbours = CoPurchaseNeighbours.fit(interactions, top_n=5)
    x = interactions.items.position("x")
    assert x is not None
    scores = neighbours.score(np.array([x]))
    y, z = interactions.items.position("y"), interactions.items.position("z")
    assert y is not None
    assert z is not None
    assert scores[y][0] > scores[z][0]  # y co-bought with x by 3 users, z by 1
    assert scores[y][1] == x


def test_popularity_counts_distinct_buyers_not_units() -> None:
    interactions = Interactions.from_triples(
        ["u1", "u1", "u1", "u2", "u3"], ["a", "a", "a", "b", "b"], [5, 5, 5, 1, 1]
    )
    popularity = Popularity.fit(interactions)
    top = [interactions.items.ids[i] for i in popularity.top(2)]
    assert top == ["b", "a"]
    excluded = popularity.top(2, exclude=np.array([interactions.items.position("b")]))
    assert [interactions.items.ids[i] for i in excluded] == ["a"]


def test_id_index_ignores_unknown_ids() -> None:
    index = IdIndex.from_ids(["a", "b", "a", "c"])
    assert index.ids == ("a", "b", "c")
    assert index.positions(["c", "zz", "a"]).tolist() == [2, 0]
    assert index.position("zz") is None


def test_empty_interactions_give_empty_models() -> None:
    interactions = Interactions.from_triples([], [])
    assert Popularity.fit(interactions).top(5).size == 0
    assert CoPurchaseNeighbours.fit(interactions).item_count == 0
