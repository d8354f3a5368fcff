"""Recommendation Engine payloads."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from nextbuy.contracts.common import (
    AwareDatetime,
    FieldErrorBody,
    Identifier,
    InputModel,
    OutputModel,
)

UpstreamSource = Literal["profiles", "catalog", "orders", "inventory"]


class RecommendedItem(OutputModel):
    product_id: str
    title: str
    price: float
    currency: str
    score: float
    reason: str


class RecommendationsResponse(OutputModel):
    """``GET /v1/recommendations``: top-k products for a visitor, and how they were chosen."""

    user_id: str | None
    session_id: str | None = None
    offset: int = 0
    """Where this page starts in the filtered ranking (the request's ``offset``)."""
    items: list[RecommendedItem]
    algorithm: str
    personalized: bool
    model_version: str
    degraded: bool = False
    degraded_sources: list[UpstreamSource] = Field(default_factory=list)


class SimilarItemsResponse(OutputModel):
    """``GET /v1/products/{id}/similar``: products bought together with, or like, one product."""

    product_id: str
    offset: int = 0
    """Where this page starts in the filtered ranking (the request's ``offset``)."""
    items: list[RecommendedItem]
    algorithm: str
    model_version: str
    degraded: bool = False
    degraded_sources: list[UpstreamSource] = Field(default_factory=list)


InteractionType = Literal[
    "view",
    "add_to_cart",
    "remove_from_cart",
    "purchase",
    "recommendation_impression",
    "recommendation_click",
]
MAX_EVENTS = 1000


class InteractionEvent(InputModel):
    """One thing a visitor did. ``event_id`` is the client's own id: resending is harmless."""

    event_id: Identifier
    type: InteractionType
    user_id: Identifier | None = None
    session_id: Identifier | None = None
    product_id: Identifier
    timestamp: AwareDatetime
    quantity: int = Field(default=1, ge=1, le=10_000)
    price: float | None = Field(default=None, ge=0, le=10_000_000, allow_inf_nan=False)
    recommendation_id: str | None = Field(default=None, max_length=64)

    @model_validator(mode="after")
    def _someone_did_it(self) -> InteractionEvent:
        if self.user_id is None and self.session_id is None:
            raise ValueError("an event needs a user_id or a session_id")
        return self


class EventBatch(InputModel):
    """``POST /v1/events``: up to 1,000 events. Each is validated on its own (see the result)."""

    events: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_EVENTS)


class RejectedEvent(OutputModel):
    index: int
    errors: list[FieldErrorBody]


class EventBatchResult(OutputModel):
    """``POST /v1/events``: what was stored. Rejected events are listed by index with why."""

    accepted: int
    duplicates: int
    rejected: list[RejectedEvent] = Field(default_factory=list)
