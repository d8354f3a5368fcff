"""The composition root of the Order History service: ``create_app``, ``migrate``, ``serve``.

Nothing is built at import time: Django is configured from the settings handed to the first
call (see ``django_config``), and the API modules, which need a configured Django, are
imported only then.
"""

from __future__ import annotations

import logging
from typing import Any
from wsgiref.types import WSGIApplication

from nextbuy.core.logging import configure_logging
from nextbuy.orders.django_config import configure_django
from nextbuy.orders.settings import OrdersSettings

GUNICORN_THREADS = 8


def create_app(settings: OrdersSettings) -> WSGIApplication:
    """The WSGI application of the orders service (admin at ``/admin/``, API at the root).

    Django can be configured once per process: calling this again with the same settings
    returns the same application; with another database it raises
    ``OrdersConfigurationError``. It does not migrate (see :func:`migrate`).
    """
    configure_logging(settings.service_name, level=settings.log_level, fmt=settings.log_format)
    # Django logs every 4xx as a warning; they are answers, not incidents (metrics count them).
    logging.getLogger("django.request").setLevel(logging.ERROR)
    runtime = configure_django(settings)
    if runtime.application is None:
        from django.core.handlers.wsgi import WSGIHandler

        from nextbuy.orders.api.site import build_urlconf
        from nextbuy.orders.domain.history import OrderHistory
        from nextbuy.orders.storage.repository import DjangoOrderRepository

        history = OrderHistory(DjangoOrderRepository())
        # Django resolves URLs through the module it was configured with; fill it in place.
        vars(runtime.urlconf).update(build_urlconf(history, runtime.metrics))
        runtime.application = WSGIHandler()
        _start_relay(settings)
    return runtime.application


def _start_relay(settings: OrdersSettings) -> None:
    """Relay the outbox from this process (once: the application is built once per process).

    A daemon thread that dies with its gunicorn worker; a batch it had not marked yet is
    published again by the next one, and consumers deduplicate.
    """
    from nextbuy.bus.factory import start_outbox_relay
    from nextbuy.orders.storage.outbox import DjangoOutboxStore

    start_outbox_relay(DjangoOutboxStore(), settings, service=settings.service_name)


def migrate(settings: OrdersSettings) -> None:
    """Create or upgrade the schema (orders and Django's admin tables); idempotent."""
    configure_django(settings)
    from nextbuy.orders.storage.database import migrate_schema

    migrate_schema()


def serve(settings: OrdersSettings) -> None:
    """Serve with gunicorn (gthread workers) until stopped."""
    configure_logging(settings.service_name, level=settings.log_level, fmt=settings.log_format)
    _gunicorn_server(settings).run()


def _gunicorn_server(settings: OrdersSettings) -> Any:
    from gunicorn.app.base import BaseApplication

    class OrdersServer(BaseApplication):
        """Gunicorn with its configuration from our settings, not argv or a file."""

        def load_config(self) -> None:
            options = {
                "bind": f"{settings.host}:{settings.port}",
                "workers": settings.workers,
                "worker_class": "gthread",
                "threads": GUNICORN_THREADS,
                "accesslog": None,
                "errorlog": "-",
                "loglevel": settings.log_level.lower(),
                "timeout": 30,
                "graceful_timeout": 10,
                # gunicorn >= 25.1 opens a control socket under $HOME by default: one path
                # shared by every gunicorn service on the host, and no home in a container.
                "control_socket_disable": True,
            }
            for key, value in options.items():
                if key in self.cfg.settings:  # older gunicorn lacks the newer options
                    self.cfg.set(key, value)

        def load(self) -> WSGIApplication:
            # Runs in each worker after the fork: every worker configures its own Django.
            return create_app(settings)

    return OrdersServer()
