"""A migrated database per test, on SQLite and on PostgreSQL (see ``database_url``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from nextbuy.profiles.storage.engine import create_profiles_engine
from nextbuy.profiles.storage.repository import SqlUserRepository
from nextbuy.profiles.storage.schema import migrate_schema


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_profiles_engine(database_url, pool_size=5)
    migrate_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def repository(engine: Engine) -> SqlUserRepository:
    return SqlUserRepository(engine)
