"""Each storage test gets its own database, attached to the shared Django as a new alias."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING
from wsgiref.types import WSGIApplication

import pytest

if TYPE_CHECKING:
    from nextbuy.orders.storage.repository import DjangoOrderRepository


@pytest.fixture
def database_alias(orders_app: WSGIApplication, database_url: str) -> Iterator[str]:
    """A Django connection alias for this test's database, migrated, removed afterwards."""
    from django.db import DEFAULT_DB_ALIAS, connections

    from nextbuy.orders.storage.database import (
        database_settings,
        migrate_schema,
        prepare_database_location,
    )

    alias = f"orders_test_{uuid.uuid4().hex[:8]}"
    entry = database_settings(database_url)
    prepare_database_location(entry)
    # Fill Django's defaults (AUTOCOMMIT, TEST, ...) the way it does for configured databases.
    defaults = {DEFAULT_DB_ALIAS: connections.settings[DEFAULT_DB_ALIAS], alias: entry}
    connections.settings[alias] = connections.configure_settings(defaults)[alias]
    try:
        migrate_schema(using=alias)
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]


@pytest.fixture
def repository(database_alias: str) -> DjangoOrderRepository:
    from nextbuy.orders.storage.repository import DjangoOrderRepository

    return DjangoOrderRepository(using=database_alias)
