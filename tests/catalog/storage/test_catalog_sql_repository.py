"""The SQLAlchemy adapter passes the repository contract on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from nextbuy.catalog.app import migrate
from nextbuy.catalog.domain.catalog import Catalog
from nextbuy.catalog.settings import CatalogSettings
from nextbuy.catalog.storage.sql import SqlProductRepository
from nextbuy.core.sql import create_database_engine
from tests.catalog.catalog_builders import ManualClock, make_draft
from tests.catalog.storage.catalog_repository_contract import ProductRepositoryContract


@pytest.fixture
def sql_repository(database_url: str) -> Iterator[SqlProductRepository]:
    migrate(CatalogSettings(database_url=database_url))
    engine = create_database_engine(database_url)
    yield SqlProductRepository(engine)
    engine.dispose()


class TestSqlProductRepository(ProductRepositoryContract):
    @pytest.fixture
    def repository(self, sql_repository: SqlProductRepository) -> SqlProductRepository:
        return sql_repository


def test_ping(sql_repository: SqlProductRepository) -> None:
    sql_repository.ping()


def test_bulk_upsert_of_a_thousand_is_fast(sql_repository: SqlProductRepository) -> None:
    clock = ManualClock()
    catalog = Catalog(sql_repository, clock=clock)
    batch = [make_draft(f"p-{i:04d}") for i in range(1000)]
    started = time.perf_counter()
    created = catalog.upsert_many(batch)
    clock.advance()
    replayed = catalog.upsert_many(batch)
    updated = catalog.upsert_many([make_draft(d.id, title="v2") for d in batch])
    elapsed = time.perf_counter() - started
    assert (created.created, replayed.unchanged, updated.updated) == (1000, 1000, 1000)
    # Three batches of 1,000 (about 0.4 s on SQLite here); "well under a second" for each.
    # A wide margin: this guards against a per-row regression (minutes), not machine load.
    assert elapsed < 10.0, f"3 bulk upserts of 1,000 took {elapsed:.2f}s"
