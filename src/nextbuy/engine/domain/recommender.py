"""The serving path: the user's signals, ranking, then live filtering — whatever the data plane.

Data comes through two ports, so the same ranking runs on the optimised data plane (read
model, caches, resilient clients) and on the naive one (sequential REST). Upstream failures
never raise here: adapters return what they could get and name what they could not.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace

from nextbuy.core.deadline import Deadline
from nextbuy.engine.domain.errors import ModelNotReadyError, ProductNotFoundError
from nextbuy.engine.domain.filters import NO_FILTERS, RequestFilters
from nextbuy.engine.domain.live_popularity import LivePopularity
from nextbuy.engine.domain.model import RankingModel
from nextbuy.engine.domain.ports import ProductInfo, ProductResolver, UserDataSource
from nextbuy.engine.domain.precompute import ActiveUsers, CandidateCache, candidate_key
from nextbuy.engine.domain.ranking import (
    Candidate,
    PersonalScores,
    Reason,
    explain_personal,
    merge_session,
    personal_scores,
    popular_candidates,
)
from nextbuy.engine.domain.selection import PoolSource, choose_page
from nextbuy.engine.domain.sessions import SessionStore


@dataclass(frozen=True)
class RankedItem:
    product: ProductInfo
    score: float
    reason: str


@dataclass
class Ranked:
    """A ranked answer and how it came about."""

    items: list[RankedItem]
    algorithm: str
    personalized: bool
    model_version: str
    degraded_sources: list[str] = field(default_factory=list)


BEST_SELLERS = 1000
"""Best-seller candidates kept per model (more are built if a request needs more)."""
MAX_BEST_SELLERS = 50_000
"""How deep a narrow filter may look for best sellers it admits, before answering short."""
PRECOMPUTE_POOL = 100
"""Candidates kept per precomputed user: enough for k ≤ 20 after filtering."""
MAX_CACHED_POOL = 500
"""Deeper personal pools (asked for by narrow filters) are computed, not kept per user."""
MAX_PERSONAL_POOL = 2000
"""Past this depth personal candidates are too weak to beat the filtered best sellers."""


@dataclass
class Recommender:
    user_data: UserDataSource
    products: ProductResolver
    current_model: Callable[[], RankingModel | None]
    budget_s: float
    candidates: CandidateCache = field(default_factory=CandidateCache)
    active: ActiveUsers = field(default_factory=ActiveUsers)
    sessions: SessionStore = field(default_factory=SessionStore)
    consumable_categories: tuple[str, ...] = ()
    """Category prefixes bought again and again: having bought one does not hide it."""
    live: LivePopularity = field(default_factory=LivePopularity)
    """What visitors view, cart and buy now, moved by every accepted event."""
    clock: Callable[[], float] = time.time
    _popular: dict[str, tuple[list[Candidate], bool]] = field(default_factory=dict)

    def _model(self) -> RankingModel:
        model = self.current_model()
        if model is None:
            raise ModelNotReadyError
        return model

    def deadline(self, requested_ms: int | None = None) -> Deadline:
        """The request's deadline: the configured budget, or less if the caller asks for less."""
        budget = self.budget_s if requested_ms is None else min(self.budget_s, requested_ms / 1000)
        return Deadline(budget)

    async def for_user(
        self,
        user_id: str,
        k: int,
        deadline: Deadline | None = None,
        session_id: str | None = None,
        filters: RequestFilters = NO_FILTERS,
    ) -> Ranked:
        """Top-k for ``user_id``: their history and live session, then popularity."""
        deadline = deadline or self.deadline()
        model = self._model()
        self.active.touch(user_id)
        signals = await self.user_data.signals(user_id, deadline)
        activity = self.sessions.activity(user_id, session_id)
        live_seen = tuple(activity.seen) if activity else ()
        in_cart = activity.in_cart if activity else set()
        # The session is newest, so it leads; the profile's stored views follow.
        viewed = tuple(dict.fromkeys(live_seen + signals.viewed))
        hidden = await self._not_again(signals.purchased, deadline)

        def personal(depth: int) -> tuple[list[Candidate], bool]:
            based = self._purchase_scores(model, user_id, signals.purchased, hidden, depth)
            merged = merge_session(model, based, exclude=hidden, viewed=viewed, limit=depth)
            return merged, len(merged) < depth or depth >= MAX_PERSONAL_POOL

        return await self._rank(
            model,
            personal,
            k,
            set(hidden) | in_cart,
            deadline,
            "copurchase",
            signals.degraded_sources,
            seeds=(signals.purchased, viewed),
            filters=filters,
        )

    async def for_session(
        self,
        session_id: str,
        k: int,
        deadline: Deadline | None = None,
        filters: RequestFilters = NO_FILTERS,
    ) -> Ranked:
        """Top-k for an anonymous visitor: neighbours of what this session touched (session-kNN)."""
        deadline = deadline or self.deadline()
        model = self._model()
        activity = self.sessions.activity(None, session_id)
        seen = tuple(activity.seen) if activity else ()
        exclude = activity.in_cart if activity else set()

        def personal(depth: int) -> tuple[list[Candidate], bool]:
            merged = merge_session(model, ((), ()), exclude=(), viewed=seen, limit=depth)
            return merged, len(merged) < depth or depth >= MAX_PERSONAL_POOL

        return await self._rank(
            model,
            personal,
            k,
            set(exclude),
            deadline,
            "session-knn",
            (),
            seeds=((), seen),
            filters=filters,
        )

    async def _not_again(self, purchased: tuple[str, ...], deadline: Deadline) -> tuple[str, ...]:
        """The purchases not to recommend again: all but those of consumable categories."""
        if not self.consumable_categories or not purchased:
            return purchased
        resolved = await self.products.resolve(purchased, deadline)
        again = resolved.columns_of(purchased, self.consumable_categories).in_categories
        return tuple(p for p, repeat in zip(purchased, again.tolist(), strict=True) if not repeat)

    async def _rank(
        self,
        model: RankingModel,
        personal: PoolSource,
        k: int,
        exclude: set[str],
        deadline: Deadline,
        algorithm: str,
        degraded_sources: tuple[str, ...],
        *,
        seeds: tuple[tuple[str, ...], tuple[str, ...]],
        filters: RequestFilters,
    ) -> Ranked:
        def explain(product_ids: list[str]) -> dict[str, Reason]:
            return explain_personal(model, product_ids, *seeds)

        items, degraded = await self._finish(
            model, personal, k, exclude, deadline, filters, explain=explain
        )
        personalized = any(item.personal for item in items)
        return Ranked(
            [item.ranked for item in items],
            algorithm if personalized else "popularity",
            personalized,
            model.version,
            sorted({*degraded_sources, *degraded}),
        )

    def _best_sellers(self, model: RankingModel, depth: int) -> tuple[list[Candidate], bool]:
        """Best sellers are the same for everyone: built once per model, deepened on demand."""
        cached, complete = self._popular.get(model.version, ([], False))
        if len(cached) < depth and not complete:
            limit = min(max(depth, BEST_SELLERS), MAX_BEST_SELLERS)
            cached = popular_candidates(model, limit=limit, exclude=())
            complete = len(cached) < limit or limit == MAX_BEST_SELLERS
            self._popular = {model.version: (cached, complete)}
        return cached[:depth], complete and len(cached) <= depth

    async def warm(self, user_id: str) -> bool:
        """Precompute a user's purchase-based candidates (and warm their cached data)."""
        model = self.current_model()
        if model is None:
            return False
        deadline = Deadline(max(self.budget_s, 1.0))
        signals = await self.user_data.signals(user_id, deadline)
        if "orders" in signals.degraded_sources:
            return False  # without purchases the candidates would be wrong: retry next round
        hidden = await self._not_again(signals.purchased, deadline)
        key = candidate_key(user_id, model.version, hash((signals.purchased, hidden)))
        if key in self.candidates:
            return False
        self._purchase_scores(model, user_id, signals.purchased, hidden, PRECOMPUTE_POOL)
        return True

    def _purchase_scores(
        self,
        model: RankingModel,
        user_id: str,
        purchased: tuple[str, ...],
        hidden: tuple[str, ...],
        pool: int,
    ) -> PersonalScores:
        key = candidate_key(user_id, model.version, hash((purchased, hidden)))
        cached = self.candidates.get_scores(key)
        # A cached list serves if it is long enough, or complete (shorter than it was asked to be).
        if cached is not None and (len(cached[0]) >= pool or len(cached[0]) < PRECOMPUTE_POOL):
            return cached
        limit = max(pool, PRECOMPUTE_POOL)
        computed = personal_scores(model, purchased=purchased, exclude=hidden, limit=limit)
        if limit <= MAX_CACHED_POOL:
            self.candidates.put_scores(key, computed)
        return computed

    async def similar_to(
        self,
        product_id: str,
        k: int,
        deadline: Deadline | None = None,
        filters: RequestFilters = NO_FILTERS,
    ) -> Ranked:
        """Products bought together with ``product_id``, then best sellers of its category."""
        deadline = deadline or self.deadline()
        model = self._model()
        seed = await self.products.resolve([product_id], deadline)
        product = seed.products.get(product_id)
        if product is None:
            raise ProductNotFoundError(product_id)
        together = [
            Candidate(pid, sim, Reason("together", product_id))
            for pid, sim in model.similar(product_id)
        ]
        items, degraded = await self._finish(
            model,
            lambda _depth: (together, True),
            k,
            {product_id},
            deadline,
            filters,
            prefer_category=product.category,
        )
        return Ranked(
            [item.ranked for item in items],
            "copurchase",
            False,
            model.version,
            sorted({*seed.degraded_sources, *degraded}),
        )

    async def trending(
        self, k: int, deadline: Deadline | None = None, filters: RequestFilters = NO_FILTERS
    ) -> Ranked:
        """What visitors view, cart and buy now (live counters), then best sellers."""
        deadline = deadline or self.deadline()
        model = self._model()

        def now_trending(depth: int) -> tuple[list[Candidate], bool]:
            top = self.live.top(min(depth, MAX_PERSONAL_POOL), self.clock())
            # Scored above every best seller (those score ≤ 0.001), in trending order.
            best = top[0][1] if top else 1.0
            pool = [
                Candidate(pid, 0.01 + score / best, Reason("trending", count=round(score)))
                for pid, score in top
                if score > 0
            ]
            return pool, len(top) < depth or depth >= MAX_PERSONAL_POOL

        items, degraded = await self._finish(model, now_trending, k, set(), deadline, filters)
        return Ranked(
            [item.ranked for item in items],
            "trending",
            False,
            model.version,
            sorted(degraded),
        )

    async def _finish(
        self,
        model: RankingModel,
        personal: PoolSource,
        k: int,
        exclude: set[str],
        deadline: Deadline,
        filters: RequestFilters,
        prefer_category: str | None = None,
        explain: Callable[[list[str]], dict[str, Reason]] | None = None,
    ) -> tuple[list[_Chosen], tuple[str, ...]]:
        """Choose the page, then explain just those k (best sellers under a filter: fallbacks)."""
        choice = await choose_page(
            self.products,
            personal,
            lambda depth: self._best_sellers(model, depth),
            k=k,
            exclude=exclude,
            filters=filters,
            deadline=deadline,
            prefer_category=prefer_category,
        )
        resolved = choice.resolved
        personal_ids = [c.product_id for c, _ in choice.chosen if c.reason.kind == "personal"]
        reasons = explain(personal_ids) if explain and personal_ids else {}
        explained = [
            (c, p, _fallback(reasons.get(c.product_id, c.reason), filters, p))
            for c, p in choice.chosen
        ]
        # Products named in reasons may not be candidates: resolve just those, for their titles.
        named = {r.ref for _, _, r in explained if r.kind in {"bought", "viewed", "together"}}
        missing = [ref for ref in named if ref not in resolved.products]
        sources: list[Mapping[str, ProductInfo]] = [resolved.products]
        degraded = set(resolved.degraded_sources)
        if missing:
            extra = await self.products.resolve(missing, deadline)
            sources.append(extra.products)
            degraded.update(extra.degraded_sources)
        title_of = _titles(_first_of(sources))
        items = [
            _Chosen(RankedItem(p, c.score, reason.describe(title_of)), c.reason.kind == "personal")
            for c, p, reason in explained
        ]
        return items, tuple(sorted(degraded))


@dataclass(frozen=True, slots=True)
class _Chosen:
    ranked: RankedItem
    personal: bool


def _fallback(reason: Reason, filters: RequestFilters, product: ProductInfo) -> Reason:
    """A best seller shown because the filters left too few personal picks says so."""
    if reason.kind != "popular" or not filters.narrowed:
        return reason
    return replace(reason, kind="fallback", ref=filters.scope(product.currency))


def _titles(products: Mapping[str, ProductInfo]) -> Callable[[str], str]:
    def title_of(product_id: str) -> str:
        product = products.get(product_id)
        return product.title if product else product_id

    return title_of


def _first_of(sources: list[Mapping[str, ProductInfo]]) -> Mapping[str, ProductInfo]:
    """Look a product up in each source in turn (without copying any of them)."""
    if len(sources) == 1:
        return sources[0]
    merged: dict[str, ProductInfo] = {}
    for source in sources[1:]:
        merged.update(source)
    return _Overlay(sources[0], merged)


class _Overlay(Mapping[str, ProductInfo]):
    def __init__(self, base: Mapping[str, ProductInfo], extra: dict[str, ProductInfo]) -> None:
        self._base, self._extra = base, extra

    def __getitem__(self, product_id: str) -> ProductInfo:
        if product_id in self._extra:
            return self._extra[product_id]
        return self._base[product_id]

    def __iter__(self) -> Iterator[str]:
        yield from self._extra
        yield from (p for p in self._base if p not in self._extra)

    def __len__(self) -> int:
        return sum(1 for _ in self)
