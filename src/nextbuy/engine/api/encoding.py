"""Ranked answers straight to JSON bytes: the response models document them, orjson writes them.

Building ``RecommendationsResponse`` and letting FastAPI validate and serialise it again cost
about a fifth of a warm request's CPU (py-spy, docs/benchmarks.md "Warm path CPU"). The data is
ours and already typed, so the routes return these bytes; a test checks they validate against
the response models.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

from nextbuy.engine.domain.recommender import Ranked


class JsonBytes(Response):
    """A body already encoded as JSON."""

    media_type = "application/json"


def items_of(ranked: Ranked) -> list[dict[str, Any]]:
    return [
        {
            "product_id": item.product.product_id,
            "title": item.product.title,
            "price": item.product.price,
            "currency": item.product.currency,
            "score": round(item.score, 6),
            "reason": item.reason,
        }
        for item in ranked.items
    ]


def recommendations_body(
    ranked: Ranked, *, user_id: str | None, session_id: str | None, offset: int
) -> bytes:
    """The ``RecommendationsResponse`` JSON of ``ranked``."""
    return orjson.dumps(
        {
            "user_id": user_id,
            "session_id": session_id,
            "offset": offset,
            "items": items_of(ranked),
            "algorithm": ranked.algorithm,
            "personalized": ranked.personalized,
            "model_version": ranked.model_version,
            "degraded": bool(ranked.degraded_sources),
            "degraded_sources": ranked.degraded_sources,
        }
    )


def similar_body(ranked: Ranked, *, product_id: str, offset: int) -> bytes:
    """The ``SimilarItemsResponse`` JSON of ``ranked``."""
    return orjson.dumps(
        {
            "product_id": product_id,
            "offset": offset,
            "items": items_of(ranked),
            "algorithm": ranked.algorithm,
            "model_version": ranked.model_version,
            "degraded": bool(ranked.degraded_sources),
            "degraded_sources": ranked.degraded_sources,
        }
    )
