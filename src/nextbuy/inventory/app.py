"""Composition root of the inventory: the three functions the CLI calls."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from nextbuy.bus.factory import start_outbox_relay
from nextbuy.core.logging import configure_logging
from nextbuy.core.metrics import HttpMetrics
from nextbuy.core.web.fastapi import install_common, serve_asgi
from nextbuy.inventory.api.routes import build_stock_router
from nextbuy.inventory.settings import InventorySettings
from nextbuy.inventory.storage.engine import create_inventory_engine, migrate_schema
from nextbuy.inventory.storage.repository import SqlStockRepository

DESCRIPTION = (
    "Stock per product: atomic batch adjustments that never go negative, bulk seeding, "
    "and a change feed the recommendation engine polls to keep its stock filter fresh."
)


def create_app(settings: InventorySettings) -> FastAPI:
    """Build the inventory API on the database ``settings`` name. Does not migrate."""
    configure_logging(settings.service_name, level=settings.log_level, fmt=settings.log_format)
    engine = create_inventory_engine(settings)
    repository = SqlStockRepository(engine)

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
        title="Nextbuy Real-time Inventory", version="1", description=DESCRIPTION, lifespan=lifespan
    )
    install_common(
        app,
        metrics=HttpMetrics(settings.service_name),
        readiness={"database": repository.ping},
        max_body_bytes=settings.max_body_bytes,
    )
    app.include_router(build_stock_router(repository))
    return app


def migrate(settings: InventorySettings) -> None:
    """Create or upgrade the inventory schema; safe to run any number of times."""
    engine = create_inventory_engine(settings)
    try:
        migrate_schema(engine)
    finally:
        engine.dispose()


def serve(settings: InventorySettings) -> None:
    """Serve the API until interrupted (one worker: scale with more processes or pods)."""
    serve_asgi(create_app(settings), settings)
