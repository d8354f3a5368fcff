"""The serving path: personal ranking, business filters, and degradation when sources die."""

from __future__ import annotations

import asyncio

import pytest

from nextbuy.engine.domain.errors import ModelNotReadyError, ProductNotFoundError
from nextbuy.engine.domain.recommender import Ranked, Recommender
from tests.engine.unit.builders import (
    MemoryResolver,
    MemoryUserData,
    build_model,
    make_product,
    make_purchase,
)

PRODUCTS = ["kettle", "teapot", "mug", "lamp", "bulb", "shade"]
LIGHTING = {"lamp", "bulb", "shade"}


def make_catalogue(**overrides: object) -> dict[str, object]:
    return {
        p: make_product(p, category="Home/Lighting" if p in LIGHTING else "Home/Kitchen")
        for p in PRODUCTS
    } | overrides


def make_recommender(**overrides: object) -> Recommender:
    model = build_model(
        make_purchase("o1", "alice", "kettle", "teapot", "mug"),
        make_purchase("o2", "bob", "kettle", "teapot"),
        make_purchase("o3", "carol", "lamp", "bulb"),
        make_purchase("o4", "dave", "lamp", "bulb", "shade"),
        make_purchase("o5", "erin", "lamp"),
        make_purchase("o6", "zed", "mug", cancelled=True),
    )
    fields: dict[str, object] = {
        "user_data": MemoryUserData({"bob": ("kettle", "teapot")}, {"bob": ("lamp",)}),
        "products": MemoryResolver(make_catalogue(), {p: 5 for p in PRODUCTS}),  # type: ignore[arg-type]
        "current_model": lambda: model,
        "budget_s": 0.2,
    }
    fields.update(overrides)
    return Recommender(**fields)  # type: ignore[arg-type]


def ids(ranked: Ranked) -> list[str]:
    return [item.product.product_id for item in ranked.items]


def test_known_buyer_gets_co_purchases_first_and_never_what_they_bought() -> None:
    ranked = asyncio.run(make_recommender().for_user("bob", 4))
    assert ranked.personalized
    assert ranked.algorithm == "copurchase"
    assert ids(ranked)[0] == "mug"  # the only item co-bought with kettle/teapot
    assert not {"kettle", "teapot"} & set(ids(ranked))
    assert ranked.items[0].reason == "because you bought Title of kettle"
    assert ranked.degraded_sources == []


def test_viewed_items_seed_weaker_recommendations_with_their_own_reason() -> None:
    ranked = asyncio.run(make_recommender().for_user("bob", 4))
    reasons = {item.product.product_id: item.reason for item in ranked.items}
    assert reasons["bulb"] == "because you viewed Title of lamp"
    assert ids(ranked).index("mug") < ids(ranked).index("bulb")


def test_unknown_user_gets_popularity_not_personalised() -> None:
    ranked = asyncio.run(make_recommender().for_user("nobody", 3))
    assert not ranked.personalized
    assert ranked.algorithm == "popularity"
    assert ids(ranked)[0] == "lamp"  # bought by three distinct customers
    assert ranked.items[0].reason == "popular: bought by 3 customers"


def test_out_of_stock_and_inactive_products_are_filtered() -> None:
    catalogue = make_catalogue(shade=make_product("shade", active=False))
    stock = {p: 5 for p in PRODUCTS} | {"mug": 0}
    recommender = make_recommender(products=MemoryResolver(catalogue, stock))  # type: ignore[arg-type]
    ranked = asyncio.run(recommender.for_user("bob", 10))
    assert "mug" not in ids(ranked)
    assert "shade" not in ids(ranked)
    assert set(ids(ranked)) == {"lamp", "bulb"}


def test_dead_orders_and_profiles_degrade_to_popularity_with_the_sources_named() -> None:
    user_data = MemoryUserData({"bob": ("kettle",)}, {}, down=("orders", "profiles"))
    ranked = asyncio.run(make_recommender(user_data=user_data).for_user("bob", 3))
    assert ranked.degraded_sources == ["orders", "profiles"]
    assert not ranked.personalized
    assert len(ranked.items) == 3


def test_dead_inventory_serves_unfiltered_rather_than_nothing() -> None:
    resolver = MemoryResolver(make_catalogue(), {}, stock_down=True)  # type: ignore[arg-type]
    ranked = asyncio.run(make_recommender(products=resolver).for_user("bob", 3))
    assert ranked.degraded_sources == ["inventory"]
    assert len(ranked.items) == 3


def test_candidates_resolve_once_and_reason_products_only_when_not_candidates() -> None:
    resolver = MemoryResolver(make_catalogue(), {p: 5 for p in PRODUCTS})  # type: ignore[arg-type]
    ranked = asyncio.run(make_recommender(products=resolver).for_user("bob", 3))
    assert "mug" in resolver.asked[0]
    assert "kettle" not in resolver.asked[0]  # bought: not a candidate
    assert resolver.asked[1:] == [["kettle"]]  # named in a reason: resolved for its title
    assert ranked.items[0].reason == "because you bought Title of kettle"


def test_similar_items_come_from_co_purchases_then_the_category() -> None:
    ranked = asyncio.run(make_recommender().similar_to("lamp", 3))
    assert ids(ranked)[:2] == ["bulb", "shade"]
    assert "lamp" not in ids(ranked)
    assert ranked.items[0].reason == "bought together with Title of lamp"


def test_similar_fills_with_best_sellers_of_the_same_category_first() -> None:
    ranked = asyncio.run(make_recommender().similar_to("mug", 4))
    reasons = [item.reason for item in ranked.items]
    assert reasons[:2] == ["bought together with Title of mug"] * 2
    assert ids(ranked)[2] not in LIGHTING or reasons[2].startswith("popular:")


def test_similar_of_an_unknown_product_is_not_found() -> None:
    with pytest.raises(ProductNotFoundError):
        asyncio.run(make_recommender().similar_to("no-such", 3))


def test_no_model_yet_is_a_clear_unavailable_error() -> None:
    with pytest.raises(ModelNotReadyError):
        asyncio.run(make_recommender(current_model=lambda: None).for_user("bob", 3))


def test_k_bounds_the_answer() -> None:
    assert len(asyncio.run(make_recommender().for_user("nobody", 2)).items) == 2


def test_a_caller_budget_shorter_than_the_default_wins() -> None:
    recommender = make_recommender()
    assert recommender.deadline(50).budget_s == pytest.approx(0.05)
    assert recommender.deadline(10_000).budget_s == pytest.approx(0.2)


def test_precomputed_candidates_serve_hot_requests_until_model_or_purchases_change() -> None:
    recommender = make_recommender()
    assert asyncio.run(recommender.warm("bob")) is True
    assert asyncio.run(recommender.warm("bob")) is False  # already there for this model
    hits = recommender.candidates.hits
    cold = asyncio.run(recommender.for_user("bob", 4))
    assert recommender.candidates.hits == hits + 1
    assert ids(cold)[0] == "mug"
    recommender.user_data.purchases["bob"] = ("kettle", "teapot", "lamp")  # type: ignore[attr-defined]
    asyncio.run(recommender.for_user("bob", 4))
    assert recommender.candidates.misses >= 1


def test_session_views_re_rank_precomputed_candidates() -> None:
    recommender = make_recommender()
    asyncio.run(recommender.warm("bob"))
    without_views = make_recommender(user_data=MemoryUserData({"bob": ("kettle", "teapot")}, {}))
    plain = ids(asyncio.run(without_views.for_user("bob", 4)))
    with_session = ids(asyncio.run(recommender.for_user("bob", 4)))
    assert plain.index("bulb") > with_session.index("bulb")  # the viewed lamp lifts the bulb


def test_active_users_are_remembered_newest_first() -> None:
    recommender = make_recommender()
    for user in ("a", "b", "c", "a"):
        asyncio.run(recommender.for_user(user, 1))
    assert recommender.active.newest(2) == ["a", "c"]
