"""Business rules applied at ranking time, as small pure functions over candidate lists.

Each rule takes candidates and returns the ones that survive, in order, so the serving path can
compose them (candidates → filters → diversity → page) and each can be tested on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

from nextbuy.recommend.reasons import Reason, ReasonKind


@dataclass(frozen=True)
class Candidate:
    """A scored product with what the rules need to know about it."""

    product_id: str
    score: float
    category: str = ""
    price: float | None = None
    in_stock: bool = True
    reason: Reason = field(default_factory=lambda: Reason(ReasonKind.POPULAR))


@dataclass(frozen=True)
class RankingRules:
    """One request's rules.

    Args:
        exclude_out_of_stock: drop products with no stock.
        exclude_purchased: drop products the user already bought ...
        consumable_categories: ... except in these category prefixes, which are bought again.
        categories: keep only these category prefixes (empty: all).
        min_price: drop products cheaper than this (unknown prices are kept).
        max_price: drop products dearer than this (unknown prices are kept).
        exclude_ids: products the caller never wants back.
        max_per_category: diversity cap per category (``None``: no cap).
        offset: skip this many surviving candidates (pagination).
        limit: return at most this many after the offset.
    """

    exclude_out_of_stock: bool = True
    exclude_purchased: bool = True
    consumable_categories: Collection[str] = ()
    categories: Collection[str] = ()
    min_price: float | None = None
    max_price: float | None = None
    exclude_ids: Collection[str] = ()
    max_per_category: int | None = None
    offset: int = 0
    limit: int = 10


Rule = Callable[[Sequence[Candidate]], list[Candidate]]


def in_category(category: str, prefixes: Collection[str]) -> bool:
    """Whether ``category`` is one of ``prefixes`` or under one (``Home`` holds ``Home/Garden``)."""
    return any(category == p or category.startswith(p.rstrip("/") + "/") for p in prefixes)


def drop_out_of_stock(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Keep products with stock."""
    return [c for c in candidates if c.in_stock]


def drop_purchased(
    candidates: Sequence[Candidate], purchased: Collection[str], consumables: Collection[str] = ()
) -> list[Candidate]:
    """Drop products already bought, unless their category is a consumable one."""
    return [
        c
        for c in candidates
        if c.product_id not in purchased or in_category(c.category, consumables)
    ]


def keep_categories(
    candidates: Sequence[Candidate], categories: Collection[str]
) -> list[Candidate]:
    """Keep products under one of the category prefixes (all when none is given)."""
    return [c for c in candidates if not categories or in_category(c.category, categories)]


def keep_price_range(
    candidates: Sequence[Candidate], low: float | None, high: float | None
) -> list[Candidate]:
    """Keep products priced within [low, high]; unknown prices pass."""
    return [
        c
        for c in candidates
        if c.price is None
        or ((low is None or c.price >= low) and (high is None or c.price <= high))
    ]


def drop_ids(candidates: Sequence[Candidate], excluded: Collection[str]) -> list[Candidate]:
    """Drop explicitly excluded products."""
    return [c for c in candidates if c.product_id not in excluded]


def cap_per_category(candidates: Sequence[Candidate], cap: int | None) -> list[Candidate]:
    """Keep at most ``cap`` products of each category, the best-ranked ones."""
    if cap is None:
        return list(candidates)
    seen: dict[str, int] = {}
    kept = []
    for candidate in candidates:
        seen[candidate.category] = seen.get(candidate.category, 0) + 1
        if seen[candidate.category] <= cap:
            kept.append(candidate)
    return kept


def page(candidates: Sequence[Candidate], offset: int, limit: int) -> list[Candidate]:
    """The slice ``[offset, offset + limit)``."""
    return list(candidates[max(offset, 0) : max(offset, 0) + max(limit, 0)])


def apply_rules(
    candidates: Sequence[Candidate], rules: RankingRules, purchased: Collection[str] = ()
) -> list[Candidate]:
    """Every rule in order: filters, then diversity, then the requested page."""
    ranked = sorted(candidates, key=lambda c: (-c.score, c.product_id))
    if rules.exclude_out_of_stock:
        ranked = drop_out_of_stock(ranked)
    if rules.exclude_purchased:
        ranked = drop_purchased(ranked, set(purchased), rules.consumable_categories)
    ranked = keep_categories(ranked, rules.categories)
    ranked = keep_price_range(ranked, rules.min_price, rules.max_price)
    ranked = drop_ids(ranked, set(rules.exclude_ids))
    ranked = cap_per_category(ranked, rules.max_per_category)
    return page(ranked, rules.offset, rules.limit)
