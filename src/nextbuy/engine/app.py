"""The engine's composition root: chooses the data plane, wires adapters, starts background work."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiohttp
from fastapi import FastAPI

from nextbuy.bus.factory import create_consumer
from nextbuy.core.gc_pauses import GcPauseTimer
from nextbuy.core.gc_tuning import freeze_whenever_changed
from nextbuy.core.health import ReadinessCheck
from nextbuy.core.http_client import create_session
from nextbuy.core.logging import configure_logging
from nextbuy.core.metrics import HttpMetrics
from nextbuy.core.sql import create_database_engine, migrate_database, ping_database
from nextbuy.core.web.fastapi import install_common, serve_asgi
from nextbuy.engine.api.answer_replay import AnswerReplay
from nextbuy.engine.api.routes import internal, router
from nextbuy.engine.data_plane import DataPlane
from nextbuy.engine.domain.answers import AnswerCache, HotAnswers
from nextbuy.engine.domain.feed_pulse import FeedPulse
from nextbuy.engine.domain.ingestion import EventIngestor
from nextbuy.engine.domain.live_popularity import LivePopularity
from nextbuy.engine.domain.ports import UserDataInvalidator
from nextbuy.engine.domain.precompute import precompute_forever
from nextbuy.engine.domain.recommender import Recommender
from nextbuy.engine.domain.refresh import Refresher
from nextbuy.engine.domain.service_events import ServiceEventApplier
from nextbuy.engine.domain.sessions import SessionStore
from nextbuy.engine.observability import EngineMetrics
from nextbuy.engine.settings import EngineSettings, models_path
from nextbuy.engine.storage.event_log import EventLog
from nextbuy.engine.storage.group_commit import GroupCommitLog
from nextbuy.engine.storage.model_registry import ModelRegistry
from nextbuy.engine.storage.model_store import ModelStore
from nextbuy.engine.storage.purchase_index import FollowedPurchases, PurchaseIndex
from nextbuy.engine.storage.read_model import ProductReadModel
from nextbuy.engine.training.watcher import follow_published_models
from nextbuy.engine.upstream.clients import (
    HISTORY_ORDERS,
    OrdersClient,
    ProfilesClient,
    catalogue_feed,
    orders_feed,
    stock_feed,
)
from nextbuy.engine.upstream.feed_health import FEED_SOURCES, FeedHealth
from nextbuy.engine.upstream.http import UpstreamHttp
from nextbuy.engine.upstream.naive import NaiveProductResolver, NaiveUserData

MIGRATIONS = Path(__file__).parent / "storage" / "migrations"


def create_app(settings: EngineSettings) -> FastAPI:
    """Build the engine app; sessions, caches and background tasks live in its lifespan."""
    configure_logging("engine", level=settings.log_level, fmt=settings.log_format)
    read_model, models = ProductReadModel(), ModelStore()
    http_metrics = HttpMetrics("engine")
    metrics = EngineMetrics(http_metrics.registry)
    database = create_database_engine(
        settings.database_url.get_secret_value(), pool_size=settings.database_pool_size
    )
    event_log, sessions = EventLog(database), SessionStore()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        session = create_session(connections_per_host=max(32, settings.bulkhead_limit * 2))
        feeds = FeedHealth.create(
            {source: _upstream(settings, session, source) for source in FEED_SOURCES},
            metrics.on_breaker_change,
        )
        purchases = FollowedPurchases(PurchaseIndex(HISTORY_ORDERS), FeedPulse())
        plane = await _data_plane(settings, session, read_model, metrics, feeds, purchases)
        gc_timer = GcPauseTimer(metrics.on_gc_pause).install()
        metrics.loop_lag.set_function(lambda: feeds.lag.worst_since(time.monotonic() - 1.0))
        app.state.recommender = Recommender(
            plane.user_data,
            plane.products,
            models.current,
            settings.request_budget_ms / 1000,
            sessions=sessions,
            consumable_categories=tuple(settings.consumable_categories),
            live=LivePopularity(half_life_s=settings.trending_half_life_s),
        )
        app.state.answers = _hot_answers(
            settings, plane, models, sessions, app.state.recommender.active.touch
        )
        app.state.ingestor = EventIngestor(
            GroupCommitLog(event_log), sessions, on_new_events=app.state.recommender.live.record
        )
        refresher = _refresher(settings, read_model, models, plane.invalidator, feeds, purchases)
        app.state.service_events = ServiceEventApplier(
            read_model.apply_products,
            read_model.apply_stock,
            refresher.record_orders,
            plane.invalidator,
            on_outcome=lambda outcome, n: metrics.service_events.labels(outcome).inc(n),
        )
        tasks = [
            asyncio.create_task(
                refresher.run_forever(settings.refresh_interval_s, settings.orders_poll_interval_s)
            ),
            # Both planes' feed followers and the loop-lag gauge read this sampler.
            asyncio.create_task(feeds.lag.run()),
            *plane.background,
        ]
        registry = ModelRegistry(models_path(settings))
        tasks.append(asyncio.create_task(follow_published_models(registry, models)))
        tasks.append(asyncio.create_task(freeze_whenever_changed(models.current)))
        stop_consuming = asyncio.Event()
        consumer = create_consumer(
            settings.bus_url.get_secret_value(), group="engine", prefetch=settings.bus_prefetch
        )
        if consumer is not None:  # None: events arrive by webhook, or not at all
            consuming = consumer.run_batches(
                app.state.service_events.handle_batch, stop=stop_consuming
            )
            tasks.append(asyncio.create_task(consuming))
        if settings.data_plane == "optimized" and settings.precompute:
            recommender = app.state.recommender
            warm_loop = precompute_forever(recommender.active, recommender.warm)
            tasks.append(asyncio.create_task(warm_loop))
        try:
            yield
        finally:
            gc_timer.uninstall()
            stop_consuming.set()
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            for closer in plane.closers:
                await closer.close()
            await session.close()
            database.dispose()

    app = FastAPI(
        title="Nextbuy Recommendation Engine",
        version="1",
        lifespan=lifespan,
        description="Top-k recommendations and similar products, ranked from the shop's own data.",
    )
    app.state.read_model, app.state.models, app.state.metrics = read_model, models, metrics
    app.include_router(router)
    app.include_router(internal)
    # Innermost of the middlewares: replayed answers still pass the metrics and body limit.
    app.add_middleware(AnswerReplay)
    install_common(
        app,
        metrics=http_metrics,
        readiness={**_readiness(models), "database": lambda: ping_database(database)},
        max_body_bytes=settings.max_body_bytes,
    )
    return app


def _upstream(
    settings: EngineSettings, session: aiohttp.ClientSession, source: str
) -> UpstreamHttp:
    url = getattr(settings, f"{source}_url")
    return UpstreamHttp(session, url, source, max_body_bytes=settings.upstream_max_body_bytes)


async def _data_plane(
    settings: EngineSettings,
    session: aiohttp.ClientSession,
    read_model: ProductReadModel,
    metrics: EngineMetrics,
    feeds: FeedHealth,
    purchases: FollowedPurchases,
) -> DataPlane:
    profiles, orders = (
        ProfilesClient(_upstream(settings, session, "profiles")),
        OrdersClient(_upstream(settings, session, "orders")),
    )
    if settings.data_plane == "naive":
        return DataPlane(
            NaiveUserData(profiles, orders),
            NaiveProductResolver(
                _upstream(settings, session, "catalog"), _upstream(settings, session, "inventory")
            ),
        )
    from nextbuy.engine.optimized import build_optimized_plane

    local = purchases if settings.purchases_from_feed else None
    return await build_optimized_plane(
        settings, profiles, orders, read_model, metrics, feeds, local_purchases=local
    )


def _refresher(
    settings: EngineSettings,
    read_model: ProductReadModel,
    models: ModelStore,
    invalidator: UserDataInvalidator | None,
    feeds: FeedHealth,
    purchases: FollowedPurchases,
) -> Refresher:
    https, breakers = feeds.https, feeds.breakers
    return Refresher(
        catalogue_feed=catalogue_feed(https["catalog"], breakers["catalog"], feeds.lag),
        stock_feed=stock_feed(https["inventory"], breakers["inventory"], feeds.lag),
        orders_feed=orders_feed(https["orders"], breakers["orders"], feeds.lag),
        apply_products=read_model.apply_products,
        apply_stock=read_model.apply_stock,
        publish_model=models.swap,
        neighbours_per_item=settings.neighbours_per_item,
        invalidator=invalidator,
        apply_orders=purchases.index.apply,
        orders_pulse=purchases.pulse,
    )


def _hot_answers(
    settings: EngineSettings,
    plane: DataPlane,
    models: ModelStore,
    sessions: SessionStore,
    touch: Callable[[str], None],
) -> HotAnswers | None:
    """The answer cache, where the data plane can vouch for its inputs (not the naive one)."""
    if settings.answer_cache_entries == 0 or plane.fresh_signals is None or not plane.catalogue:
        return None
    return HotAnswers(
        AnswerCache(settings.answer_cache_entries, settings.answer_cache_ttl_s),
        models.current,
        plane.fresh_signals,
        sessions,
        plane.catalogue,
        touch,
    )


def _readiness(models: ModelStore) -> dict[str, ReadinessCheck]:
    def model_loaded() -> None:
        if models.current() is None:
            raise RuntimeError("no model built yet")

    return {"model": model_loaded}


def migrate(settings: EngineSettings) -> None:
    """Create or upgrade the engine's event log schema; safe to repeat."""
    migrate_database(settings.database_url.get_secret_value(), MIGRATIONS)


def serve(settings: EngineSettings) -> None:
    """Run the engine with uvicorn until interrupted."""
    from threadpoolctl import threadpool_limits

    # Serving multiplies small matrices per request: BLAS threads only add synchronisation
    # (measured: 64 ms → 0.6 ms to explain ten items with ALS on this 2-core machine).
    threadpool_limits(1)
    serve_asgi(create_app(settings), settings)
