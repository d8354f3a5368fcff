"""Frequently bought together: neighbours from shared baskets, with the anchor as the reason."""

from __future__ import annotations

from nextbuy.recommend.copurchase import FrequentlyBoughtTogether, basket_interactions
from nextbuy.recommend.reasons import ReasonKind


def test_products_sharing_baskets_are_recommended_for_a_cart() -> None:
    orders = ["o1", "o1", "o2", "o2", "o3", "o3", "o4"]
    products = ["tent", "pegs", "tent", "pegs", "tent", "mallet", "mug"]
    baskets = basket_interactions(orders, products)
    model = FrequentlyBoughtTogether(neighbours=5).fit(baskets)
    tent = baskets.items.position("tent")
    assert tent is not None
    similar = model.similar_items([tent], k=2).ids(baskets.items)[0]
    assert similar == ["pegs", "mallet"]
    cart = baskets.matrix[[0]]  # order o1: tent and pegs
    found = model.recommend_history(cart, k=1, exclude=cart)
    assert found.ids(baskets.items) == [["mallet"]]
    reason = model.explain(0, found.items[0].tolist())[0]
    assert reason.kind is ReasonKind.BOUGHT_TOGETHER
    assert reason.describe(baskets.items) == "bought together with tent"
