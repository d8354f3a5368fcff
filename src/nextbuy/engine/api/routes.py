"""``GET /v1/recommendations`` and ``GET /v1/products/{id}/similar``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response

from nextbuy.bus.envelope import EventDecodeError, decode_batch
from nextbuy.contracts.common import ErrorBody
from nextbuy.contracts.engine import (
    EventBatchResult,
    RecommendationsResponse,
    SimilarItemsResponse,
)
from nextbuy.core.errors import FieldError, InvalidInputError
from nextbuy.engine.api.answer_replay import answer_key
from nextbuy.engine.api.encoding import JsonBytes, recommendations_body, similar_body
from nextbuy.engine.api.event_body import OPENAPI_BODY, read_event_batch
from nextbuy.engine.api.filter_params import ID_PATTERN, request_filters
from nextbuy.engine.domain.answers import CachedAnswer, HotAnswers
from nextbuy.engine.domain.filters import NO_FILTERS, RequestFilters
from nextbuy.engine.domain.ingestion import EventIngestor
from nextbuy.engine.domain.recommender import Recommender
from nextbuy.engine.domain.service_events import ServiceEventApplier
from nextbuy.engine.observability import EngineMetrics

UserId = Annotated[
    str | None,
    Query(min_length=1, max_length=64, pattern=ID_PATTERN, description="The shop's user id"),
]
SessionId = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=64,
        pattern=ID_PATTERN,
        description="An anonymous visitor's session id (with or without a user_id)",
    ),
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
Filters = Annotated[RequestFilters, Depends(request_filters)]
ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorBody} for code in (400, 404, 413, 422, 503)
}

router = APIRouter(prefix="/v1", tags=["recommendations"], responses=ERRORS)


def _recommender(request: Request) -> Recommender:
    recommender: Recommender = request.app.state.recommender
    return recommender


def _count_degraded(request: Request, degraded_sources: list[str]) -> None:
    metrics: EngineMetrics = request.app.state.metrics
    for source in degraded_sources:
        metrics.degraded.labels(source).inc()


@router.get("/recommendations", response_model=RecommendationsResponse)
async def recommendations(
    request: Request,
    user_id: UserId = None,
    session_id: SessionId = None,
    k: K = 10,
    filters: Filters = NO_FILTERS,
    timeout_ms: RequestTimeout = None,
) -> Response:
    """Top-k products for a user or an anonymous session; unknown visitors get best sellers.

    Out-of-stock products and the user's past purchases (except consumable categories) are
    never returned; the query's filters, diversity cap and offset apply on top. When the
    filters leave too few personal picks, best sellers within them fill the page, and their
    reason says they are a fallback.
    """
    recommender = _recommender(request)
    if user_id is None and session_id is None:
        raise InvalidInputError(
            "give a user_id or a session_id",
            errors=[FieldError("query.user_id", "user_id or session_id is required")],
        )
    answers: HotAnswers | None = getattr(request.app.state, "answers", None)
    basis = answers.basis(user_id, session_id) if answers is not None else None
    key = answer_key(request.scope)
    if answers is not None and basis is not None:
        cached = answers.find(key, basis, (user_id, session_id))
        if cached is not None:
            _count_degraded(request, cached.degraded_sources)
            return JsonBytes(cached.body)
    deadline = recommender.deadline(timeout_ms)
    if user_id is not None:
        ranked = await recommender.for_user(
            user_id, k, deadline, session_id=session_id, filters=filters
        )
    else:
        assert session_id is not None
        ranked = await recommender.for_session(session_id, k, deadline, filters=filters)
    _count_degraded(request, ranked.degraded_sources)
    answer = CachedAnswer(
        recommendations_body(ranked, user_id=user_id, session_id=session_id, offset=filters.offset),
        ranked.degraded_sources,
    )
    # Kept only if nothing but the basis explains a degradation, and not cut short by time.
    if answers is not None and basis is not None and answer.explained_by(basis, deadline):
        answers.cache.put(key, basis, answer, (user_id, session_id))
    return JsonBytes(answer.body)


@router.get("/products/{product_id}/similar", response_model=SimilarItemsResponse)
async def similar_products(
    request: Request,
    product_id: ProductId,
    k: K = 10,
    filters: Filters = NO_FILTERS,
    timeout_ms: RequestTimeout = None,
) -> Response:
    """Products bought together with this one, then best sellers of its category.

    Takes the same filters, diversity cap and offset as ``/v1/recommendations``.
    """
    recommender = _recommender(request)
    deadline = recommender.deadline(timeout_ms)
    ranked = await recommender.similar_to(product_id, k, deadline, filters=filters)
    _count_degraded(request, ranked.degraded_sources)
    return JsonBytes(similar_body(ranked, product_id=product_id, offset=filters.offset))


@router.get("/trending", response_model=RecommendationsResponse)
async def trending(
    request: Request, k: K = 10, filters: Filters = NO_FILTERS, timeout_ms: RequestTimeout = None
) -> Response:
    """What visitors view, cart and buy now, then best sellers; moved by every accepted event.

    Counts decay with a half-life (``NEXTBUY_ENGINE__TRENDING_HALF_LIFE_S``, default one hour).
    Takes the same filters, diversity cap and offset as ``/v1/recommendations``.
    """
    recommender = _recommender(request)
    ranked = await recommender.trending(k, recommender.deadline(timeout_ms), filters=filters)
    _count_degraded(request, ranked.degraded_sources)
    return JsonBytes(
        recommendations_body(ranked, user_id=None, session_id=None, offset=filters.offset)
    )


@router.post(
    "/events",
    response_model=EventBatchResult,
    status_code=202,
    tags=["events"],
    openapi_extra=OPENAPI_BODY,
)
async def ingest_events(request: Request) -> EventBatchResult:
    """Accept up to 1,000 events: stored durably before 202; bad ones reported by index."""
    ingestor: EventIngestor = request.app.state.ingestor
    result = await ingestor.ingest_checked(read_event_batch(await request.body()))
    metrics: EngineMetrics = request.app.state.metrics
    metrics.events.labels("accepted").inc(result.accepted)
    metrics.events.labels("duplicate").inc(result.duplicates)
    metrics.events.labels("rejected").inc(len(result.rejected))
    if result.rejected and not result.accepted and not result.duplicates:
        raise InvalidInputError(
            f"all {len(result.rejected)} events were rejected",
            errors=[
                FieldError(f"body.events.{r.index}.{e.field}", e.message)
                for r in result.rejected
                for e in r.errors
            ],
        )
    return result


internal = APIRouter(prefix="/v1/internal", tags=["internal"], responses=ERRORS)


@internal.post("/events")
async def service_events(request: Request) -> dict[str, int]:
    """Webhook for the services' outbox relays (the embedded bus). Not routed by the gateway."""
    try:
        events = decode_batch(await request.body())
    except EventDecodeError as error:
        raise InvalidInputError(str(error), errors=[FieldError("body", str(error))]) from error
    applier: ServiceEventApplier = request.app.state.service_events
    await applier.handle_batch(events)
    return {"received": len(events)}
