"""The serving path: gather the user's signals concurrently, rank, filter by live stock.

Every upstream failure degrades the answer (named in ``degraded_sources``) instead of failing
it: no profile → no view signals; no orders → no purchase signals; no stock → unfiltered.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from nextbuy.core.deadline import Deadline
from nextbuy.engine.domain.errors import ModelNotReadyError, ProductNotFoundError, UpstreamError
from nextbuy.engine.domain.model import RecommendationModel
from nextbuy.engine.domain.ports import OrderSource, ProductInfo, ProfileSource, StockSource
from nextbuy.engine.domain.ranking import (
    CANDIDATE_FACTOR,
    Candidate,
    personal_candidates,
    popular_candidates,
    select,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class Ranked:
    """A ranked answer and how it came about."""

    items: list[tuple[Candidate, ProductInfo]]
    algorithm: str
    personalized: bool
    model_version: str
    degraded_sources: list[str] = field(default_factory=list)


@dataclass
class Recommender:
    profiles: ProfileSource
    orders: OrderSource
    stock: StockSource
    catalogue: Mapping[str, ProductInfo]
    current_model: Callable[[], RecommendationModel | None]
    budget_s: float

    def _model(self) -> RecommendationModel:
        model = self.current_model()
        if model is None:
            raise ModelNotReadyError
        return model

    async def for_user(self, user_id: str, k: int) -> Ranked:
        """Top-k for ``user_id``: co-purchase neighbours of their history, then popularity."""
        deadline, model = Deadline(self.budget_s), self._model()
        degraded: list[str] = []
        viewed, purchased = await asyncio.gather(
            self._guarded(
                self.profiles.recent_views(user_id, timeout_s=deadline.timeout_for_call()), degraded
            ),
            self._guarded(
                self.orders.purchased_products(user_id, timeout_s=deadline.timeout_for_call()),
                degraded,
            ),
        )
        # Seeds keep purchase order (a set's order varies between runs), so reasons are stable.
        seeds = tuple(dict.fromkeys(purchased or ()))
        bought = set(seeds)
        pool = k * CANDIDATE_FACTOR + len(bought)
        personal = personal_candidates(
            model, purchased=seeds, viewed=viewed or (), limit=pool, title_of=self._title_of
        )
        candidates = personal + popular_candidates(model, limit=pool, exclude=bought)
        chosen = await self._select_sellable(candidates, k, bought, deadline, degraded)
        personalized = any(c.product_id in {p.product_id for p in personal} for c, _ in chosen)
        return Ranked(
            chosen,
            "copurchase" if personalized else "popularity",
            personalized,
            model.version,
            degraded,
        )

    async def similar_to(self, product_id: str, k: int) -> Ranked:
        """Products bought together with ``product_id``, then best sellers of its category."""
        product = self.catalogue.get(product_id)
        if product is None:
            raise ProductNotFoundError(product_id)
        deadline, model = Deadline(self.budget_s), self._model()
        degraded: list[str] = []
        together = [
            Candidate(pid, sim, f"bought together with {product.title}")
            for pid, sim in model.similar(product_id)
        ]
        same_category = [
            Candidate(c.product_id, c.score, f"popular in {product.category or 'the shop'}")
            for c in popular_candidates(model, limit=len(model.item_ids), exclude=[product_id])
            if self._category_of(c.product_id) == product.category
        ]
        candidates = (
            together
            + same_category
            + popular_candidates(model, limit=k * CANDIDATE_FACTOR, exclude=[])
        )
        chosen = await self._select_sellable(candidates, k, {product_id}, deadline, degraded)
        return Ranked(chosen, "copurchase", False, model.version, degraded)

    async def _select_sellable(
        self,
        candidates: list[Candidate],
        k: int,
        exclude: set[str],
        deadline: Deadline,
        degraded: list[str],
    ) -> list[tuple[Candidate, ProductInfo]]:
        ids = list(dict.fromkeys(c.product_id for c in candidates if c.product_id not in exclude))
        units = await self._guarded(
            self.stock.sellable_units(ids, timeout_s=deadline.timeout_for_call()), degraded
        )

        def sellable(product_id: str) -> bool:
            # Without stock data the answer is less accurate, not absent: show unfiltered.
            return True if units is None else units.get(product_id, 0) > 0

        return select(candidates, k=k, catalogue=self.catalogue, sellable=sellable, exclude=exclude)

    @staticmethod
    async def _guarded(call: Awaitable[T], degraded: list[str]) -> T | None:
        try:
            return await call
        except UpstreamError as error:
            logger.warning(
                "upstream degraded", extra={"source": error.source, "reason": error.reason}
            )
            degraded.append(error.source)
            return None

    def _title_of(self, product_id: str) -> str:
        product = self.catalogue.get(product_id)
        return product.title if product else product_id

    def _category_of(self, product_id: str) -> str | None:
        product = self.catalogue.get(product_id)
        return product.category if product else None
