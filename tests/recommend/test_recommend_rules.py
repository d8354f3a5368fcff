"""Ranking-time business rules, each alone and composed."""

from __future__ import annotations

from nextbuy.recommend.rules import (
    Candidate,
    RankingRules,
    apply_rules,
    cap_per_category,
    drop_purchased,
    keep_price_range,
    page,
)


def make_candidate(product_id: str, score: float, **overrides: object) -> Candidate:
    fields: dict[str, object] = {"category": "toys", "price": 10.0, "in_stock": True}
    fields.update(overrides)
    return Candidate(product_id, score, **fields)  # type: ignore[arg-type]


def test_consumables_may_be_bought_again() -> None:
    candidates = [
        make_candidate("soap", 2, category="home/consumables"),
        make_candidate("drill", 1, category="tools"),
    ]
    kept = drop_purchased(candidates, {"soap", "drill"}, consumables=["home/consumables"])
    assert [c.product_id for c in kept] == ["soap"]


def test_price_range_keeps_unknown_prices() -> None:
    candidates = [make_candidate("a", 1, price=5.0), make_candidate("b", 1, price=None)]
    assert [c.product_id for c in keep_price_range(candidates, 6.0, 20.0)] == ["b"]


def test_diversity_cap_keeps_the_best_of_each_category() -> None:
    candidates = [make_candidate(f"t{i}", 10 - i) for i in range(4)]
    candidates.append(make_candidate("g", 0, category="garden"))
    assert [c.product_id for c in cap_per_category(candidates, 2)] == ["t0", "t1", "g"]


def test_page_slices_after_filters() -> None:
    candidates = [make_candidate(str(i), 0) for i in range(5)]
    assert [c.product_id for c in page(candidates, 3, 10)] == ["3", "4"]


def test_apply_rules_composes_every_rule_in_order() -> None:
    candidates = [
        make_candidate("out", 9, in_stock=False),
        make_candidate("bought", 8),
        make_candidate("pricey", 7, price=500.0),
        make_candidate("unwanted", 6),
        make_candidate("garden", 5, category="garden/tools"),
        make_candidate("t1", 4),
        make_candidate("t2", 3),
        make_candidate("t3", 2),
    ]
    rules = RankingRules(
        max_price=100.0, exclude_ids={"unwanted"}, max_per_category=2, offset=1, limit=5
    )
    kept = apply_rules(candidates, rules, purchased={"bought"})
    assert [c.product_id for c in kept] == ["t1", "t2"]
    only_garden = apply_rules(candidates, RankingRules(categories=["garden"]))
    assert [c.product_id for c in only_garden] == ["garden"]
