"""Every algorithm by name, so configuration (and ``nextbuy evaluate``) can choose them.

Side information — product text, product categories, user segments — is handed to the algorithms
that use it through one :class:`SideInformation`; the others ignore it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nextbuy.recommend.als import ALS
from nextbuy.recommend.artifacts import read_algorithm_name
from nextbuy.recommend.base import Recommender
from nextbuy.recommend.content import ContentTfidf
from nextbuy.recommend.copurchase import FrequentlyBoughtTogether
from nextbuy.recommend.ease import EASE
from nextbuy.recommend.errors import UnknownAlgorithmError
from nextbuy.recommend.itemknn import ItemKNN
from nextbuy.recommend.popularity import GlobalPopularity, TrendingPopularity
from nextbuy.recommend.segments import CategoryPopularity, SegmentPopularity
from nextbuy.recommend.session_knn import SessionKNN


@dataclass(frozen=True)
class SideInformation:
    """What is known besides interactions, keyed by external id."""

    item_texts: Mapping[str, str] = field(default_factory=dict)
    item_categories: Mapping[str, str] = field(default_factory=dict)
    user_segments: Mapping[str, str] = field(default_factory=dict)


def _algorithms() -> dict[str, type[Recommender]]:
    from nextbuy.recommend.hybrid import Hybrid

    classes: list[type[Recommender]] = [
        GlobalPopularity,
        TrendingPopularity,
        CategoryPopularity,
        SegmentPopularity,
        ItemKNN,
        FrequentlyBoughtTogether,
        ALS,
        EASE,
        ContentTfidf,
        SessionKNN,
        Hybrid,
    ]
    return {cls.name: cls for cls in classes}


def algorithm_names() -> list[str]:
    """The names :func:`create` accepts."""
    return sorted(_algorithms())


def create(name: str, side: SideInformation | None = None, **params: Any) -> Recommender:
    """A new, unfitted algorithm by name, given the side information it needs."""
    classes = _algorithms()
    if name not in classes:
        raise UnknownAlgorithmError(f"unknown algorithm {name!r}; known: {algorithm_names()}")
    side = side or SideInformation()
    extras: dict[str, dict[str, Any]] = {
        "content-tfidf": {"item_texts": side.item_texts},
        "popularity-category": {"item_categories": side.item_categories},
        "popularity-segment": {"user_segments": side.user_segments},
        "hybrid": {"side": side},
    }
    return classes[name](**extras.get(name, {}), **params)


def load_model(directory: Path) -> Recommender:
    """Load any saved model, dispatching on the algorithm its manifest names."""
    name = read_algorithm_name(directory)
    classes = _algorithms()
    if name not in classes:
        raise UnknownAlgorithmError(f"{directory} holds an unknown algorithm {name!r}")
    return classes[name].load(directory)
