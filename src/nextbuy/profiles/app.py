"""Composition root of the profiles service: the three functions the CLI calls."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from nextbuy.bus.factory import start_outbox_relay
from nextbuy.core.logging import configure_logging
from nextbuy.core.metrics import HttpMetrics
from nextbuy.core.sql import ping_database
from nextbuy.core.web.flask import install_common
from nextbuy.profiles.api.errors import install_unexpected_error_handler
from nextbuy.profiles.api.routes import install_routes
from nextbuy.profiles.domain.service import ProfileService
from nextbuy.profiles.settings import ProfilesSettings
from nextbuy.profiles.storage.engine import create_profiles_engine
from nextbuy.profiles.storage.repository import SqlUserRepository
from nextbuy.profiles.storage.schema import migrate_schema

ENGINE_KEY = "nextbuy.profiles.engine"
"""Where the app keeps its engine (``app.extensions``), so a host can dispose of it."""

RELAY_KEY = "nextbuy.profiles.outbox_relay"
"""Where the app keeps its outbox relay thread (None without a bus), so a host can stop it."""


def create_app(settings: ProfilesSettings) -> Flask:
    """Build the Flask app and its own engine; does not touch the schema."""
    configure_logging(settings.service_name, level=settings.log_level, fmt=settings.log_format)
    engine = create_profiles_engine(
        settings.database_url.get_secret_value(), pool_size=settings.database_pool_size
    )
    app = Flask(__name__, static_folder=None)
    app.extensions[ENGINE_KEY] = engine
    install_common(
        app,
        metrics=HttpMetrics(settings.service_name),
        readiness={"database": partial(ping_database, engine)},
        max_body_bytes=settings.max_body_bytes,
    )
    install_unexpected_error_handler(app)
    repository = SqlUserRepository(engine)
    install_routes(app, ProfileService(repository))
    # Flask has no lifespan: the relay is a daemon thread that dies with its worker, and a
    # batch it had not marked yet is published again by the next one (consumers dedupe).
    app.extensions[RELAY_KEY] = start_outbox_relay(
        repository.outbox(), settings, service=settings.service_name
    )
    return app


def migrate(settings: ProfilesSettings) -> None:
    """Create or upgrade the schema to the latest migration; safe to run repeatedly."""
    engine = create_profiles_engine(
        settings.database_url.get_secret_value(), pool_size=settings.database_pool_size
    )
    try:
        migrate_schema(engine)
    finally:
        engine.dispose()


def serve(settings: ProfilesSettings) -> None:
    """Serve the API with gunicorn (gthread) until stopped."""
    options = {
        "bind": f"{settings.host}:{settings.port}",
        "workers": settings.workers,
        "worker_class": "gthread",
        "threads": 8,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": settings.log_level.lower(),
        # gunicorn >= 25.1 opens a control socket under $HOME by default: one path shared by
        # every service on the host, and unwritable in read-only containers.
        "control_socket_disable": True,
    }
    _GunicornApplication(settings, options).run()


class _GunicornApplication(BaseApplication):  # type: ignore[misc]  # gunicorn is untyped
    """Gunicorn without its CLI: options from our settings, one app built per worker."""

    def __init__(self, settings: ProfilesSettings, options: dict[str, Any]) -> None:
        self._settings = settings
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        # Skip options an older gunicorn (>= 22 is allowed) does not know.
        for key, value in self._options.items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self) -> Flask:
        # Called in each worker after the fork, so no engine or pool crosses a fork.
        return create_app(self._settings)
