"""The serving path: the user's signals, ranking, then live filtering — whatever the data plane.

Data comes through two ports, so the same ranking runs on the optimised data plane (read
model, caches, resilient clients) and on the naive one (sequential REST). Upstream failures
never raise here: adapters return what they could get and name what they could not.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from nextbuy.core.deadline import Deadline
from nextbuy.engine.domain.errors import ModelNotReadyError, ProductNotFoundError
from nextbuy.engine.domain.model import RankingModel
from nextbuy.engine.domain.ports import ProductInfo, ProductResolver, UserDataSource
from nextbuy.engine.domain.precompute import ActiveUsers, CandidateCache, CandidateKey
from nextbuy.engine.domain.ranking import (
    CANDIDATE_FACTOR,
    Candidate,
    Reason,
    explain_personal,
    merge_session,
    personal_candidates,
    popular_candidates,
    select,
)
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
PRECOMPUTE_POOL = 100
"""Candidates kept per precomputed user: enough for k ≤ 20 after filtering."""


@dataclass
class Recommender:
    user_data: UserDataSource
    products: ProductResolver
    current_model: Callable[[], RankingModel | None]
    budget_s: float
    candidates: CandidateCache = field(default_factory=CandidateCache)
    active: ActiveUsers = field(default_factory=ActiveUsers)
    sessions: SessionStore = field(default_factory=SessionStore)
    _popular: dict[str, list[Candidate]] = field(default_factory=dict)

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
        exclude = set(signals.purchased) | in_cart
        pool = k * CANDIDATE_FACTOR + len(exclude)
        purchase_based = self._purchase_candidates(model, user_id, signals.purchased, pool)
        personal = merge_session(
            model, purchase_based, purchased=signals.purchased, viewed=viewed, limit=pool
        )
        return await self._rank(
            model,
            personal,
            k,
            exclude,
            deadline,
            "copurchase",
            signals.degraded_sources,
            seeds=(signals.purchased, viewed),
        )

    async def for_session(
        self, session_id: str, k: int, deadline: Deadline | None = None
    ) -> Ranked:
        """Top-k for an anonymous visitor: neighbours of what this session touched (session-kNN)."""
        deadline = deadline or self.deadline()
        model = self._model()
        activity = self.sessions.activity(None, session_id)
        seen = tuple(activity.seen) if activity else ()
        exclude = activity.in_cart if activity else set()
        pool = k * CANDIDATE_FACTOR + len(exclude)
        personal = merge_session(model, [], purchased=(), viewed=seen, limit=pool)
        return await self._rank(
            model, personal, k, set(exclude), deadline, "session-knn", (), seeds=((), seen)
        )

    async def _rank(
        self,
        model: RankingModel,
        personal: list[Candidate],
        k: int,
        exclude: set[str],
        deadline: Deadline,
        algorithm: str,
        degraded_sources: tuple[str, ...],
        *,
        seeds: tuple[tuple[str, ...], tuple[str, ...]],
    ) -> Ranked:
        pool = k * CANDIDATE_FACTOR + len(exclude)
        candidates = personal + self._best_sellers(model, pool, exclude)

        def explain(product_ids: list[str]) -> dict[str, Reason]:
            return explain_personal(model, product_ids, *seeds)

        items, degraded = await self._finish(candidates, k, exclude, deadline, explain=explain)
        personal_ids = {c.product_id for c in personal}
        personalized = any(item.product.product_id in personal_ids for item in items)
        return Ranked(
            items,
            algorithm if personalized else "popularity",
            personalized,
            model.version,
            sorted({*degraded_sources, *degraded}),
        )

    def _best_sellers(self, model: RankingModel, pool: int, exclude: set[str]) -> list[Candidate]:
        """Best sellers are the same for everyone: built once per model, filtered per request."""
        cached = self._popular.get(model.version)
        if cached is None or len(cached) < pool:
            cached = popular_candidates(model, limit=max(pool, BEST_SELLERS), exclude=())
            self._popular = {model.version: cached}
        kept = (c for c in cached if c.product_id not in exclude)
        return list(itertools.islice(kept, pool))

    async def warm(self, user_id: str) -> bool:
        """Precompute a user's purchase-based candidates (and warm their cached data)."""
        model = self.current_model()
        if model is None:
            return False
        signals = await self.user_data.signals(user_id, Deadline(max(self.budget_s, 1.0)))
        if "orders" in signals.degraded_sources:
            return False  # without purchases the candidates would be wrong: retry next round
        key = CandidateKey(user_id, model.version, hash(signals.purchased))
        if key in self.candidates:
            return False
        self._purchase_candidates(model, user_id, signals.purchased, PRECOMPUTE_POOL)
        return True

    def _purchase_candidates(
        self, model: RankingModel, user_id: str, purchased: tuple[str, ...], pool: int
    ) -> list[Candidate]:
        key = CandidateKey(user_id, model.version, hash(purchased))
        cached = self.candidates.get(key)
        # A cached list serves if it is long enough, or complete (shorter than it was asked to be).
        if cached is not None and (len(cached) >= pool or len(cached) < PRECOMPUTE_POOL):
            return cached
        limit = max(pool, PRECOMPUTE_POOL)
        computed = personal_candidates(model, purchased=purchased, viewed=(), limit=limit)
        self.candidates.put(key, computed)
        return computed

    async def similar_to(self, product_id: str, k: int, deadline: Deadline | None = None) -> Ranked:
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
        popular = popular_candidates(model, limit=k * CANDIDATE_FACTOR * 4, exclude=[product_id])
        items, degraded = await self._finish(
            together + popular, k, {product_id}, deadline, prefer_category=product.category
        )
        return Ranked(
            items, "copurchase", False, model.version, sorted({*seed.degraded_sources, *degraded})
        )

    async def _finish(
        self,
        candidates: list[Candidate],
        k: int,
        exclude: set[str],
        deadline: Deadline,
        prefer_category: str | None = None,
        explain: Callable[[list[str]], dict[str, Reason]] | None = None,
    ) -> tuple[list[RankedItem], tuple[str, ...]]:
        """Resolve candidates, filter, take k, then explain just those k."""
        ids = list(dict.fromkeys(c.product_id for c in candidates if c.product_id not in exclude))
        resolved = await self.products.resolve(ids, deadline)
        if prefer_category is not None:
            candidates = _category_first(candidates, resolved.products, prefer_category)
        chosen = select(
            candidates,
            k=k,
            catalogue=resolved.products,
            sellable=resolved.sellable,
            exclude=exclude,
        )
        personal = [c.product_id for c, _ in chosen if c.reason.kind == "personal"]
        reasons = explain(personal) if explain and personal else {}
        explained = [(c, p, reasons.get(c.product_id, c.reason)) for c, p in chosen]
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
        items = [RankedItem(p, c.score, reason.describe(title_of)) for c, p, reason in explained]
        return items, tuple(sorted(degraded))


def _category_first(
    candidates: list[Candidate], products: Mapping[str, ProductInfo], category: str
) -> list[Candidate]:
    """Co-purchases keep their place; best sellers of the same category come before others."""
    together, same, other = [], [], []
    for candidate in candidates:
        product = products.get(candidate.product_id)
        if candidate.reason.kind == "together":
            together.append(candidate)
        elif product is not None and product.category == category:
            same.append(
                Candidate(candidate.product_id, candidate.score, Reason("category", category))
            )
        else:
            other.append(candidate)
    return together + same + other


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
