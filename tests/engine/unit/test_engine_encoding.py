"""The routes' hand-encoded JSON is exactly what the documented response models describe."""

from __future__ import annotations

from nextbuy.contracts.engine import RecommendationsResponse, SimilarItemsResponse
from nextbuy.engine.api.encoding import recommendations_body, similar_body
from nextbuy.engine.domain.recommender import Ranked, RankedItem
from tests.engine.unit.builders import make_product


def ranked(*, degraded: list[str]) -> Ranked:
    items = [
        RankedItem(make_product("p1", title="Kettle «Ω»", price=12.5), 0.12345678, "because"),
        RankedItem(make_product("p2"), 1e-9, "popular: bought by 3 customers"),
    ]
    return Ranked(items, "copurchase", True, "v-1", degraded)


def test_recommendations_body_validates_and_keeps_every_field() -> None:
    answer = ranked(degraded=["orders"])
    body = recommendations_body(answer, user_id="u1", session_id=None, offset=2)
    parsed = RecommendationsResponse.model_validate_json(body)
    assert parsed.user_id == "u1"
    assert parsed.session_id is None
    assert parsed.offset == 2
    assert [i.product_id for i in parsed.items] == ["p1", "p2"]
    assert parsed.items[0].title == "Kettle «Ω»"
    assert parsed.items[0].price == 12.5
    assert parsed.items[0].score == round(0.12345678, 6)
    assert parsed.items[1].reason == "popular: bought by 3 customers"
    assert (parsed.algorithm, parsed.personalized, parsed.model_version) == (
        "copurchase",
        True,
        "v-1",
    )
    assert parsed.degraded is True
    assert parsed.degraded_sources == ["orders"]
    assert set(RecommendationsResponse.model_fields) == set(parsed.model_dump())


def test_similar_body_validates_and_says_undegraded() -> None:
    body = similar_body(ranked(degraded=[]), product_id="p0", offset=0)
    parsed = SimilarItemsResponse.model_validate_json(body)
    assert parsed.product_id == "p0"
    assert parsed.degraded is False
    assert parsed.degraded_sources == []
    assert len(parsed.items) == 2
