"""The catalog's composition root: the three functions the CLI calls.

Nothing is built at import time; each call builds what it needs from the settings given.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from nextbuy.bus.factory import start_outbox_relay
from nextbuy.catalog.api import collection_routes, product_routes
from nextbuy.catalog.domain.catalog import Catalog
from nextbuy.catalog.settings import CatalogSettings
from nextbuy.catalog.storage.sql import SqlProductRepository
from nextbuy.core.logging import configure_logging
from nextbuy.core.metrics import HttpMetrics
from nextbuy.core.sql import create_database_engine, migrate_database
from nextbuy.core.web.fastapi import install_common, serve_asgi

MIGRATIONS = Path(__file__).parent / "storage" / "migrations"


def create_app(settings: CatalogSettings) -> FastAPI:
    """Build the catalog's ASGI app (does not migrate: run ``migrate`` first)."""
    configure_logging(settings.service_name, level=settings.log_level, fmt=settings.log_format)
    engine = create_database_engine(
        settings.database_url.get_secret_value(), pool_size=settings.database_pool_size
    )
    repository = SqlProductRepository(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The relay lives as long as the served app; its thread has its own event loop.
        app.state.outbox_relay = start_outbox_relay(
            repository.outbox(), settings, service=settings.service_name
        )
        yield
        if app.state.outbox_relay is not None:
            app.state.outbox_relay.stop()
        engine.dispose()

    app = FastAPI(
        title="Nextbuy Product Catalog",
        summary="Products, categories and prices, with a change feed for the engine.",
        version="1",
        lifespan=lifespan,
    )
    app.state.catalog = Catalog(repository)
    install_common(
        app,
        metrics=HttpMetrics(settings.service_name),
        readiness={"database": repository.ping},
        max_body_bytes=settings.max_body_bytes,
    )
    # The ":verb" routes first, so no reordering could let "/{product_id}" shadow them.
    app.include_router(collection_routes.router)
    app.include_router(product_routes.router)
    return app


def migrate(settings: CatalogSettings) -> None:
    """Create or upgrade the catalog schema to the latest migration; safe to repeat."""
    migrate_database(settings.database_url.get_secret_value(), MIGRATIONS)


def serve(settings: CatalogSettings) -> None:
    """Serve the API until interrupted (one uvicorn worker; scale with more processes)."""
    serve_asgi(create_app(settings), settings)
