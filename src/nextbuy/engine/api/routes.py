"""``GET /v1/recommendations`` and ``GET /v1/products/{id}/similar``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from nextbuy.contracts.common import ErrorBody
from nextbuy.contracts.engine import RecommendationsResponse, RecommendedItem, SimilarItemsResponse
from nextbuy.engine.domain.recommender import Ranked, Recommender

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$"
UserId = Annotated[
    str, Query(min_length=1, max_length=64, pattern=ID_PATTERN, description="The shop's user id")
]
ProductId = Annotated[str, Path(min_length=1, max_length=64, pattern=ID_PATTERN)]
K = Annotated[int, Query(ge=1, le=100, description="How many products to return")]
ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorBody} for code in (400, 404, 413, 422, 503)
}

router = APIRouter(prefix="/v1", tags=["recommendations"], responses=ERRORS)


def _recommender(request: Request) -> Recommender:
    recommender: Recommender = request.app.state.recommender
    return recommender


def _items(ranked: Ranked) -> list[RecommendedItem]:
    return [
        RecommendedItem(
            product_id=product.product_id,
            title=product.title,
            price=product.price,
            currency=product.currency,
            score=round(candidate.score, 6),
            reason=candidate.reason,
        )
        for candidate, product in ranked.items
    ]


@router.get("/recommendations", response_model=RecommendationsResponse)
async def recommendations(request: Request, user_id: UserId, k: K = 10) -> RecommendationsResponse:
    """Top-k products for a user; unknown users get popular products (``personalized: false``)."""
    ranked = await _recommender(request).for_user(user_id, k)
    return RecommendationsResponse(
        user_id=user_id,
        items=_items(ranked),
        algorithm=ranked.algorithm,
        personalized=ranked.personalized,
        model_version=ranked.model_version,
        degraded=bool(ranked.degraded_sources),
        degraded_sources=sorted(set(ranked.degraded_sources)),
    )


@router.get("/products/{product_id}/similar", response_model=SimilarItemsResponse)
async def similar_products(
    request: Request, product_id: ProductId, k: K = 10
) -> SimilarItemsResponse:
    """Products bought together with this one, then best sellers of its category."""
    ranked = await _recommender(request).similar_to(product_id, k)
    return SimilarItemsResponse(
        product_id=product_id,
        items=_items(ranked),
        algorithm=ranked.algorithm,
        model_version=ranked.model_version,
        degraded=bool(ranked.degraded_sources),
        degraded_sources=sorted(set(ranked.degraded_sources)),
    )
