"""Ranking: candidates from the model, scored and explained.

The chain is candidates (here) → filters and page (:mod:`.filters`, :mod:`.selection`) →
reasons for the k chosen, with popularity filling whatever personal candidates cannot (the
fallback of every strategy).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from nextbuy.engine.domain.model import RankingModel

CANDIDATE_FACTOR = 5
"""How many candidates per requested item are scored before filtering removes some."""
VIEW_WEIGHT = 0.5
"""A view is weaker evidence of taste than a purchase."""


@dataclass(frozen=True, slots=True)
class Reason:
    """Why an item was chosen; ``ref`` (a product id or category) becomes words at the end."""

    kind: Literal[
        "personal",
        "bought",
        "viewed",
        "similar_buyers",
        "popular",
        "together",
        "category",
        "fallback",
        "trending",
    ]
    """``personal`` is a placeholder: explained only if chosen (see :func:`explain_personal`)."""
    ref: str = ""
    count: int = 0

    def describe(self, title_of: Callable[[str], str]) -> str:
        match self.kind:
            case "bought":
                return f"because you bought {title_of(self.ref)}"
            case "viewed":
                return f"because you viewed {title_of(self.ref)}"
            case "together":
                return f"bought together with {title_of(self.ref)}"
            case "category":
                return f"popular in {self.ref or 'the shop'}"
            case "popular":
                return f"popular: bought by {self.count} customers"
            case "trending":
                return f"trending now: {self.count} recent views, carts and purchases (weighted)"
            case "fallback":
                return (
                    f"fallback, a best seller within {self.ref}: bought by {self.count} customers"
                )
            case _:
                return "customers like you bought this"


PERSONAL = Reason("personal")


@dataclass(frozen=True, slots=True)
class Candidate:
    product_id: str
    score: float
    reason: Reason


PersonalScores = tuple[tuple[str, ...], tuple[float, ...]]
"""Purchase-based candidates, packed: product ids in rank order and their scores.

All are ``PERSONAL``, so the reason is not stored; and a tuple of strings or floats is
untracked by the garbage collector (see :class:`~.precompute.CandidateCache`).
"""


def personal_scores(
    model: RankingModel,
    *,
    purchased: tuple[str, ...],
    exclude: tuple[str, ...],
    limit: int,
) -> PersonalScores:
    """Co-purchase neighbours of what the user bought, best first (packed).

    ``exclude`` is usually ``purchased``, less what may be bought again (consumables).
    """
    ranked = model.top_scored(model.co_purchase_scores(purchased), limit, exclude=exclude)
    if not ranked:
        return (), ()
    ids, scores = zip(*ranked, strict=True)
    return ids, scores


def merge_session(
    model: RankingModel,
    purchase_based: PersonalScores,
    *,
    exclude: tuple[str, ...],
    viewed: tuple[str, ...],
    limit: int,
) -> list[Candidate]:
    """Re-rank precomputed purchase-based candidates by the session's recent views.

    Adds each viewed item's neighbours (weighted as views) to the precomputed scores: the
    live part of a hot request, a few microseconds of numpy. Scores are merged as plain
    floats and only the ``limit`` kept become ``Candidate`` objects.
    """
    ids, scores = purchase_based
    if not viewed:
        return [Candidate(p, s, PERSONAL) for p, s in zip(ids[:limit], scores[:limit], strict=True)]
    session = model.top_scored(
        model.co_purchase_scores(viewed, VIEW_WEIGHT), limit, exclude=exclude
    )
    merged = dict(zip(ids, scores, strict=True))
    for product_id, score in session:
        known = merged.get(product_id)
        merged[product_id] = score if known is None else known + score
    # Best score first, ties by product id: the ids sorted, then stably by score.
    ranked = sorted(merged)
    ranked.sort(key=merged.__getitem__, reverse=True)
    return [Candidate(p, merged[p], PERSONAL) for p in ranked[:limit]]


def explain_personal(
    model: RankingModel,
    product_ids: list[str],
    purchased: tuple[str, ...],
    viewed: tuple[str, ...],
) -> dict[str, Reason]:
    """Why each chosen item: the purchase most similar to it, else the view, else neighbours.

    Done once for the k items returned, in one vectorised call per kind of seed: explaining
    every candidate in the pool cost a dense similarity computation per candidate.
    """
    reasons = {
        pid: Reason("bought", seed)
        for pid, seed in model.strongest_seeds(product_ids, purchased).items()
    }
    unexplained = [pid for pid in product_ids if pid not in reasons]
    for pid, seed in model.strongest_seeds(unexplained, viewed).items():
        reasons[pid] = Reason("viewed", seed)
    return {pid: reasons.get(pid, Reason("similar_buyers")) for pid in product_ids}


def popular_candidates(
    model: RankingModel, *, limit: int, exclude: Iterable[str]
) -> list[Candidate]:
    """The best sellers, scored so that they always rank below personal candidates."""
    popular = model.popular(limit, exclude)
    top = popular[0][1] if popular else 1.0
    return [
        Candidate(product_id, 0.001 * count / max(top, 1.0), Reason("popular", count=int(count)))
        for product_id, count in popular
    ]
