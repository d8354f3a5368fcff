"""Recommendation Engine payloads."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from nextbuy.contracts.common import OutputModel

UpstreamSource = Literal["profiles", "catalog", "orders", "inventory"]


class RecommendedItem(OutputModel):
    product_id: str
    title: str
    price: float
    currency: str
    score: float
    reason: str


class RecommendationsResponse(OutputModel):
    """``GET /v1/recommendations``: top-k products for a user, and how they were chosen."""

    user_id: str
    items: list[RecommendedItem]
    algorithm: str
    personalized: bool
    model_version: str
    degraded: bool = False
    degraded_sources: list[UpstreamSource] = Field(default_factory=list)


class SimilarItemsResponse(OutputModel):
    """``GET /v1/products/{id}/similar``: products bought together with, or like, one product."""

    product_id: str
    items: list[RecommendedItem]
    algorithm: str
    model_version: str
    degraded: bool = False
    degraded_sources: list[UpstreamSource] = Field(default_factory=list)
