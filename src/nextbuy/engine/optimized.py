"""The optimised data plane: read model for products, cached and resilient per-user calls."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass

from nextbuy.core.cache.l1 import MemoryCache
from nextbuy.core.cache.redis_l2 import RedisCache
from nextbuy.core.cache.tiered import TieredCache
from nextbuy.core.resilience.breaker import CircuitBreaker
from nextbuy.core.resilience.bulkhead import Bulkhead
from nextbuy.core.resilience.hedging import HedgeBudget, LatencyTracker
from nextbuy.core.resilience.policy import UpstreamPolicy
from nextbuy.core.resilience.retry import RetryBudget
from nextbuy.engine.data_plane import Closable, DataPlane
from nextbuy.engine.domain.ports import ProductResolver
from nextbuy.engine.observability import EngineMetrics
from nextbuy.engine.settings import EngineSettings
from nextbuy.engine.storage.read_model import ProductReadModel
from nextbuy.engine.storage.read_model_resolver import ReadModelResolver
from nextbuy.engine.upstream.clients import OrdersClient, ProfilesClient
from nextbuy.engine.upstream.feed_health import FeedAwareResolver, FeedHealth
from nextbuy.engine.upstream.probe import ProbeTarget, probe_open_breakers
from nextbuy.engine.upstream.user_data import CachedUserData, Freshness, LocalPurchases

MIB = 1024 * 1024


def upstream_policy(name: str, settings: EngineSettings, metrics: EngineMetrics) -> UpstreamPolicy:
    """The S-scenario defaults: breaker 5 / 50% of 20 / 5 s, bulkhead 10, 10% retries, 5% hedges."""
    policy = UpstreamPolicy(
        name,
        breaker=CircuitBreaker(
            name,
            slow_call_s=settings.slow_call_ms / 1000,
            on_state_change=metrics.on_breaker_change,
        ),
        bulkhead=Bulkhead(name, settings.bulkhead_limit),
        retry_budget=RetryBudget(0.1),
        hedge_budget=HedgeBudget(0.05),
        latency=LatencyTracker(),
        hedging=settings.hedging,
        per_call_timeout_s=settings.upstream_timeout_ms / 1000,
        observer=metrics,
    )
    # Read when scraped: no bookkeeping on the call path beyond two integer updates.
    metrics.in_flight.labels(name).set_function(lambda: policy.calls_in_flight)
    metrics.in_flight_peak.labels(name).set_function(lambda: policy.peak_calls_in_flight)
    return policy


async def build_optimized_plane(
    settings: EngineSettings,
    profiles: ProfilesClient,
    orders: OrdersClient,
    read_model: ProductReadModel,
    metrics: EngineMetrics,
    feeds: FeedHealth | None = None,
    local_purchases: LocalPurchases | None = None,
) -> DataPlane:
    redis_url = settings.redis_url.get_secret_value()
    l2 = RedisCache(redis_url, timeout_s=settings.redis_timeout_ms / 1000) if redis_url else None
    cache = TieredCache(MemoryCache(settings.l1_cache_mib * MIB), l2, rng=random.Random())
    user_data = CachedUserData(
        cache=cache,
        profiles=profiles,
        orders=orders,
        profiles_policy=upstream_policy("profiles", settings, metrics),
        orders_policy=upstream_policy("orders", settings, metrics),
        profile_freshness=Freshness(settings.profile_ttl_s, settings.profile_max_stale_s),
        orders_freshness=Freshness(settings.orders_ttl_s, settings.orders_max_stale_s),
        load_budget_s=settings.fill_budget_ms / 1000,
        local_purchases=local_purchases,
    )
    probes = [
        ProbeTarget(profiles.http, user_data.profiles_policy.breaker),
        ProbeTarget(orders.http, user_data.orders_policy.breaker),
    ]
    read_resolver = ReadModelResolver(
        read_model, settings.catalogue_staleness_s, settings.stock_staleness_s
    )
    resolver: ProductResolver = read_resolver
    if feeds is not None:
        resolver = FeedAwareResolver(resolver, feeds)
        probes += feeds.probe_targets()
    closers: list[Closable] = [cache] + ([l2] if l2 else [])
    return DataPlane(
        user_data,
        resolver,
        invalidator=user_data,
        background=[asyncio.create_task(probe_open_breakers(probes))],
        closers=closers,
        fresh_signals=user_data.fresh_signals,
        catalogue=_CatalogueState(read_resolver, feeds),
    )


@dataclass
class _CatalogueState:
    """What answers see of the catalogue and stock: the read model's content version, and the
    sources an answer would name as degraded now (a stale feed, or an open feed breaker)."""

    resolver: ReadModelResolver
    feeds: FeedHealth | None

    def content_version(self) -> int:
        return self.resolver.content_version()

    def degraded_sources(self) -> tuple[str, ...]:
        unhealthy = self.feeds.unhealthy() if self.feeds is not None else ()
        return (*self.resolver.stale_sources(), *unhealthy)
