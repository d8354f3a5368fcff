"""``GET /v1/recommendations`` and ``GET /v1/products/{id}/similar``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request

from nextbuy.contracts.common import ErrorBody
from nextbuy.contracts.engine import RecommendationsResponse, RecommendedItem, SimilarItemsResponse
from nextbuy.engine.domain.recommender import Ranked, Recommender
from nextbuy.engine.observability import EngineMetrics

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$"
UserId = Annotated[
    str, Query(min_length=1, max_length=64, pattern=ID_PATTERN, description="The shop's user id")
]
ProductId = Annotated[str, Path(min_length=1, max_length=64, pattern=ID_PATTERN)]
K = Annotated[int, Query(ge=1, le=100, description="How many products to return")]
RequestTimeout = Annotated[
    int | None,
    Header(
        alias="X-Request-Timeout-Ms",
        ge=1,
        le=60_000,
        description="The caller's remaining budget; the engine answers within it.",
    ),
]
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
            product_id=item.product.product_id,
            title=item.product.title,
            price=item.product.price,
            currency=item.product.currency,
            score=round(item.score, 6),
            reason=item.reason,
        )
        for item in ranked.items
    ]


def _count_degraded(request: Request, ranked: Ranked) -> None:
    metrics: EngineMetrics = request.app.state.metrics
    for source in ranked.degraded_sources:
        metrics.degraded.labels(source).inc()


@router.get("/recommendations", response_model=RecommendationsResponse)
async def recommendations(
    request: Request, user_id: UserId, k: K = 10, timeout_ms: RequestTimeout = None
) -> RecommendationsResponse:
    """Top-k products for a user; unknown users get popular products (``personalized: false``)."""
    recommender = _recommender(request)
    ranked = await recommender.for_user(user_id, k, recommender.deadline(timeout_ms))
    _count_degraded(request, ranked)
    return RecommendationsResponse(
        user_id=user_id,
        items=_items(ranked),
        algorithm=ranked.algorithm,
        personalized=ranked.personalized,
        model_version=ranked.model_version,
        degraded=bool(ranked.degraded_sources),
        degraded_sources=ranked.degraded_sources,
    )


@router.get("/products/{product_id}/similar", response_model=SimilarItemsResponse)
async def similar_products(
    request: Request, product_id: ProductId, k: K = 10, timeout_ms: RequestTimeout = None
) -> SimilarItemsResponse:
    """Products bought together with this one, then best sellers of its category."""
    recommender = _recommender(request)
    ranked = await recommender.similar_to(product_id, k, recommender.deadline(timeout_ms))
    _count_degraded(request, ranked)
    return SimilarItemsResponse(
        product_id=product_id,
        items=_items(ranked),
        algorithm=ranked.algorithm,
        model_version=ranked.model_version,
        degraded=bool(ranked.degraded_sources),
        degraded_sources=ranked.degraded_sources,
    )
