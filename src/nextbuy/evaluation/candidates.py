"""The algorithms an evaluation runs, their default parameters, and the grids tuning searches.

Grids are small on purpose: the evaluation machine has two cores shared with other work, and
every grid point is one fit. The same budget is given to Nextbuy's algorithms and to the
``implicit`` baselines, tuned on the same validation split.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import product
from typing import Any

from nextbuy.evaluation.baselines import ImplicitBaseline
from nextbuy.evaluation.runner import Candidate
from nextbuy.recommend.registry import SideInformation, create


def _grid(**axes: list[Any]) -> list[dict[str, Any]]:
    names = list(axes)
    return [dict(zip(names, values, strict=True)) for values in product(*axes.values())]


#: Nextbuy algorithms in table order, with their defaults.
NEXTBUY_DEFAULTS: Mapping[str, Mapping[str, Any]] = {
    "popularity": {},
    "trending": {"half_life_days": 30.0},
    "popularity-category": {},
    "popularity-segment": {},
    "item-knn": {"neighbours": 100},
    "session-knn": {"neighbours": 100},
    "content-tfidf": {},
    "als": {"factors": 32, "regularization": 0.1, "iterations": 15},
    "ease": {"regularization": 300.0},
    "hybrid": {},
}

#: implicit's baselines (kind → constructor parameters).
BASELINE_DEFAULTS: Mapping[str, Mapping[str, Any]] = {
    "als": {"factors": 64, "regularization": 0.01, "iterations": 15, "random_state": 42},
    "bpr": {"factors": 64, "learning_rate": 0.01, "regularization": 0.01, "random_state": 42},
    "item-knn": {"K": 100},
}

_ALS_GRID = _grid(factors=[16, 32, 64], regularization=[0.1, 5.0], alpha=[0.5, 1.0, 2.0])

GRIDS: Mapping[str, list[dict[str, Any]]] = {
    "trending": _grid(half_life_days=[7.0, 30.0, 180.0]),
    "item-knn": _grid(neighbours=[50, 100, 200], similarity=["cosine", "bm25"])
    + _grid(neighbours=[100], similarity=["cosine"], shrinkage=[10.0, 50.0]),
    "session-knn": _grid(neighbours=[50, 100, 300]),
    "als": _ALS_GRID,
    "ease": _grid(regularization=[100.0, 200.0, 300.0, 500.0, 800.0, 1500.0]),
    "implicit-als": _ALS_GRID,
    # More BPR epochs scored worse on the MovieLens 100k validation split (overfitting), and
    # cost minutes each on 1M interactions: 100 epochs only.
    "implicit-bpr": _grid(
        factors=[64, 128], learning_rate=[0.01, 0.05], regularization=[0.01], iterations=[100]
    ),
    "implicit-item-knn": _grid(K=[20, 50, 100, 200], similarity=["bm25", "cosine"]),
}


def applicable(name: str, side: SideInformation) -> bool:
    """Whether the data has what the algorithm needs (text, categories, demographics)."""
    needs = {
        "content-tfidf": any(text.strip() for text in side.item_texts.values()),
        "popularity-category": any(side.item_categories.values()),
        "popularity-segment": any(side.user_segments.values()),
    }
    return needs.get(name, True)


def nextbuy_candidate(name: str, params: Mapping[str, Any], side: SideInformation) -> Candidate:
    """A Nextbuy algorithm by registry name."""
    fixed = {**NEXTBUY_DEFAULTS.get(name, {}), **params}
    if name == "als":
        fixed.setdefault("random_state", 42)
    return Candidate(name, "nextbuy", lambda: create(name, side, **fixed), _public(fixed))


def baseline_candidate(kind: str, params: Mapping[str, Any]) -> Candidate:
    """An ``implicit`` baseline by kind (``als``, ``bpr``, ``item-knn``)."""
    fixed = {**BASELINE_DEFAULTS[kind], **params}
    name = f"implicit-{kind}"
    return Candidate(name, "implicit", lambda: ImplicitBaseline(kind, **fixed), dict(fixed))


def _public(params: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters fit for a JSON report (side information is data, not a parameter)."""
    return {key: value for key, value in params.items() if key != "side"}
