"""Item-kNN's compiled path for big catalogues keeps the same neighbours as the exact one."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from nextbuy.recommend import itemknn
from nextbuy.recommend.interactions import IdIndex, Interactions
from nextbuy.recommend.itemknn import ItemKNN


def random_interactions(n_users: int = 2000, n_items: int = 400) -> Interactions:
    """Continuous weights, so no two similarities tie and "the top N" has one answer."""
    rng = np.random.default_rng(11)
    matrix = sparse.random(n_users, n_items, density=0.02, random_state=11, format="csr")
    matrix.data = rng.random(matrix.nnz) * 5 + 0.1
    users = IdIndex(tuple(f"u{i}" for i in range(n_users)))
    items = IdIndex(tuple(f"i{i}" for i in range(n_items)))
    return Interactions(matrix, users, items)


@pytest.mark.parametrize("similarity", ["cosine", "bm25"])
def test_compiled_top_n_equals_the_exact_block_path(
    similarity: itemknn.Similarity, monkeypatch: pytest.MonkeyPatch
) -> None:
    interactions = random_interactions()
    exact = ItemKNN(neighbours=15, similarity=similarity).fit(interactions).neighbour_matrix
    monkeypatch.setattr(itemknn, "COMPILED_FROM_ITEMS", 0)
    compiled = ItemKNN(neighbours=15, similarity=similarity).fit(interactions).neighbour_matrix
    assert compiled.shape == exact.shape
    assert compiled.nnz == exact.nnz == 15 * exact.shape[0]
    assert compiled.diagonal().max() == 0  # an item is never its own neighbour
    for row in range(exact.shape[0]):
        kept = exact.indices[exact.indptr[row] : exact.indptr[row + 1]]
        found = compiled.indices[compiled.indptr[row] : compiled.indptr[row + 1]]
        assert set(found.tolist()) == set(kept.tolist())
    assert abs(compiled - exact).max() < 1e-3 * float(abs(exact).max())


def test_shrinkage_keeps_the_exact_path_whatever_the_size(monkeypatch: pytest.MonkeyPatch) -> None:
    interactions = random_interactions(300, 60)
    monkeypatch.setattr(itemknn, "COMPILED_FROM_ITEMS", 0)
    monkeypatch.setattr(itemknn, "_compiled_top_n", None)  # would fail if called
    model = ItemKNN(neighbours=5, shrinkage=10.0).fit(interactions)
    per_item = np.diff(model.neighbour_matrix.indptr)
    assert 0 < per_item.max() <= 5
