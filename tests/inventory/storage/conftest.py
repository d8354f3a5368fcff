"""A migrated stock repository on each database the ``database_url`` fixture gives."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from nextbuy.inventory.storage.engine import create_inventory_engine, migrate_schema
from nextbuy.inventory.storage.repository import SqlStockRepository
from tests.inventory.builders import make_settings


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_inventory_engine(make_settings(database_url))
    migrate_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def repository(engine: Engine) -> SqlStockRepository:
    return SqlStockRepository(engine)
