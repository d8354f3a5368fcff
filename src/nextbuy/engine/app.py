"""The engine's composition root: upstream clients, read model, refresher, API."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI

from nextbuy.core.health import ReadinessCheck
from nextbuy.core.http_client import create_session
from nextbuy.core.logging import configure_logging
from nextbuy.core.metrics import HttpMetrics
from nextbuy.core.web.fastapi import install_common
from nextbuy.engine.api.routes import router
from nextbuy.engine.domain.recommender import Recommender
from nextbuy.engine.domain.refresh import Refresher
from nextbuy.engine.settings import EngineSettings
from nextbuy.engine.storage.catalogue_view import CatalogueView
from nextbuy.engine.storage.model_store import ModelStore
from nextbuy.engine.upstream.clients import (
    InventoryClient,
    OrdersClient,
    ProfilesClient,
    catalogue_feed,
    orders_feed,
)
from nextbuy.engine.upstream.http import UpstreamHttp


def create_app(settings: EngineSettings) -> FastAPI:
    """Build the engine app; upstream sessions and the refresher live in its lifespan."""
    configure_logging("engine", level=settings.log_level, fmt=settings.log_format)
    catalogue, models = CatalogueView(), ModelStore()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        session = create_session(connections_per_host=32)

        def upstream(url: str, source: str) -> UpstreamHttp:
            return UpstreamHttp(
                session, url, source, max_body_bytes=settings.upstream_max_body_bytes
            )

        app.state.recommender = Recommender(
            profiles=ProfilesClient(upstream(settings.profiles_url, "profiles")),
            orders=OrdersClient(upstream(settings.orders_url, "orders")),
            stock=InventoryClient(upstream(settings.inventory_url, "inventory")),
            catalogue=catalogue,
            current_model=models.current,
            budget_s=settings.request_budget_ms / 1000,
        )
        refresher = Refresher(
            catalogue_feed=catalogue_feed(upstream(settings.catalog_url, "catalog")),
            orders_feed=orders_feed(upstream(settings.orders_url, "orders")),
            apply_products=catalogue.apply,
            publish_model=models.swap,
            neighbours_per_item=settings.neighbours_per_item,
        )
        app.state.refresher = refresher
        task = asyncio.create_task(refresher.run_forever(settings.refresh_interval_s))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await session.close()

    app = FastAPI(
        title="Nextbuy Recommendation Engine",
        version="1",
        lifespan=lifespan,
        description="Top-k recommendations and similar products, ranked from the shop's own data.",
    )
    app.state.catalogue, app.state.models = catalogue, models
    app.include_router(router)
    install_common(
        app,
        metrics=HttpMetrics("engine"),
        readiness=_readiness(models),
        max_body_bytes=settings.max_body_bytes,
    )
    return app


def _readiness(models: ModelStore) -> dict[str, ReadinessCheck]:
    def model_loaded() -> None:
        if models.current() is None:
            raise RuntimeError("no model built yet")

    return {"model": model_loaded}


def migrate(settings: EngineSettings) -> None:
    """The engine keeps no database of its own yet: nothing to migrate."""


def serve(settings: EngineSettings) -> None:
    """Run the engine with uvicorn until interrupted."""
    import uvicorn

    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        workers=1,
    )
