"""Django is configured once per process, so the orders tests share one configuration.

The session's app runs on a SQLite file; the storage tests attach each test's own database
(SQLite or PostgreSQL, from the ``database_url`` fixture) as an extra Django connection alias.
"""

from __future__ import annotations

from pathlib import Path
from wsgiref.types import WSGIApplication

import pytest
from pydantic import SecretStr

from nextbuy.orders.app import create_app, migrate
from nextbuy.orders.settings import OrdersSettings


@pytest.fixture(scope="session")
def orders_settings(tmp_path_factory: pytest.TempPathFactory) -> OrdersSettings:
    home: Path = tmp_path_factory.mktemp("orders")
    return OrdersSettings(
        database_url=SecretStr(f"sqlite:///{home / 'orders.sqlite3'}"),
        secret_key=SecretStr("test-secret-key-for-the-orders-tests-only-0123456789"),
        log_level="WARNING",
    )


@pytest.fixture(scope="session")
def orders_app(orders_settings: OrdersSettings) -> WSGIApplication:
    """The migrated application every orders test in this process shares."""
    migrate(orders_settings)
    return create_app(orders_settings)
