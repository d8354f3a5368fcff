"""Ranking: candidates from the model, then business filters, then the top k with reasons.

The chain is candidates → filters (active, in stock, not already bought) → top k, with
popularity filling whatever personal candidates cannot (the fallback of every strategy).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from nextbuy.engine.domain.model import RecommendationModel
from nextbuy.engine.domain.ports import ProductInfo

CANDIDATE_FACTOR = 5
"""How many candidates per requested item are scored before filtering removes some."""


@dataclass(frozen=True, slots=True)
class Candidate:
    product_id: str
    score: float
    reason: str


def personal_candidates(
    model: RecommendationModel,
    *,
    purchased: Iterable[str],
    viewed: Iterable[str],
    limit: int,
    title_of: Callable[[str], str],
) -> list[Candidate]:
    """Co-purchase neighbours of what the user bought, then of what they viewed (weighted less)."""
    purchased, viewed = list(purchased), list(viewed)
    scores: dict[str, Candidate] = {}
    for seeds, weight, verb in ((purchased, 1.0, "bought"), (viewed, 0.5, "viewed")):
        for product_id, score, seed in model.co_purchased(seeds)[:limit]:
            weighted = score * weight
            current = scores.get(product_id)
            if current is None:
                reason = f"because you {verb} {title_of(seed)}"
                scores[product_id] = Candidate(product_id, weighted, reason)
            else:
                scores[product_id] = Candidate(product_id, current.score + weighted, current.reason)
    return sorted(scores.values(), key=lambda c: (-c.score, c.product_id))[:limit]


def popular_candidates(
    model: RecommendationModel, *, limit: int, exclude: Iterable[str]
) -> list[Candidate]:
    """The best sellers, scored so that they always rank below personal candidates."""
    popular = model.popular(limit, exclude)
    top = popular[0][1] if popular else 1.0
    return [
        Candidate(
            product_id, 0.001 * count / max(top, 1.0), f"popular: bought by {int(count)} customers"
        )
        for product_id, count in popular
    ]


def select(
    candidates: Iterable[Candidate],
    *,
    k: int,
    catalogue: Mapping[str, ProductInfo],
    sellable: Callable[[str], bool],
    exclude: set[str],
) -> list[tuple[Candidate, ProductInfo]]:
    """The first k distinct candidates that are known, active, sellable and not excluded."""
    chosen: list[tuple[Candidate, ProductInfo]] = []
    seen: set[str] = set()
    for candidate in candidates:
        product = catalogue.get(candidate.product_id)
        if (
            product is None
            or not product.active
            or candidate.product_id in exclude
            or candidate.product_id in seen
            or not sellable(candidate.product_id)
        ):
            continue
        seen.add(candidate.product_id)
        chosen.append((candidate, product))
        if len(chosen) == k:
            break
    return chosen
