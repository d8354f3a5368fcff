"""Every registered algorithm passes the shared model contract."""

from __future__ import annotations

from nextbuy.recommend.als import ALS
from nextbuy.recommend.base import Recommender
from nextbuy.recommend.content import ContentTfidf
from nextbuy.recommend.ease import EASE
from nextbuy.recommend.hybrid import Hybrid
from nextbuy.recommend.itemknn import ItemKNN
from nextbuy.recommend.popularity import GlobalPopularity, TrendingPopularity
from nextbuy.recommend.registry import SideInformation
from nextbuy.recommend.segments import CategoryPopularity, SegmentPopularity
from nextbuy.recommend.session_knn import SessionKNN
from tests.recommend.model_contract import ModelContract


class TestGlobalPopularity(ModelContract):
    personalised = False
    has_similarity = False

    def make_model(self, side: SideInformation) -> Recommender:
        return GlobalPopularity()


class TestTrendingPopularity(ModelContract):
    personalised = False
    has_similarity = False

    def make_model(self, side: SideInformation) -> Recommender:
        return TrendingPopularity(half_life_days=3.0)


class TestCategoryPopularity(ModelContract):
    def make_model(self, side: SideInformation) -> Recommender:
        return CategoryPopularity(side.item_categories, level=1)


class TestSegmentPopularity(ModelContract):
    has_similarity = False

    def make_model(self, side: SideInformation) -> Recommender:
        return SegmentPopularity(side.user_segments, shrinkage=5.0)


class TestItemKnnCosine(ModelContract):
    def make_model(self, side: SideInformation) -> Recommender:
        return ItemKNN(neighbours=20, shrinkage=1.0, half_life_days=30.0)


class TestItemKnnBm25(ModelContract):
    def make_model(self, side: SideInformation) -> Recommender:
        return ItemKNN(neighbours=20, similarity="bm25")


class TestALS(ModelContract):
    def make_model(self, side: SideInformation) -> Recommender:
        return ALS(factors=4, iterations=20, regularization=0.1, threads=1)


class TestEASE(ModelContract):
    def make_model(self, side: SideInformation) -> Recommender:
        return EASE(regularization=10.0)


class TestContentTfidf(ModelContract):
    def make_model(self, side: SideInformation) -> Recommender:
        return ContentTfidf(side.item_texts)


class TestSessionKNN(ModelContract):
    def make_model(self, side: SideInformation) -> Recommender:
        return SessionKNN(neighbours=10)


class TestHybrid(ModelContract):
    def make_model(self, side: SideInformation) -> Recommender:
        # Per-component hyperparameters of mixed kinds, as a config file would give them.
        components: dict[str, dict[str, object]] = {
            "ease": {"regularization": 10.0},
            "item-knn": {"neighbours": 20},
        }
        return Hybrid(components, side=side)
