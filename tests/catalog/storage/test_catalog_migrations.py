"""Migrations: idempotent, and the schema they build is the one the ORM maps."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from nextbuy.catalog.app import migrate
from nextbuy.catalog.settings import CatalogSettings
from nextbuy.catalog.storage.tables import CatalogBase
from nextbuy.core.sql import create_database_engine


def test_migrate_twice_builds_the_mapped_schema(database_url: str) -> None:
    settings = CatalogSettings(database_url=database_url)
    migrate(settings)
    migrate(settings)
    engine = create_database_engine(database_url)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            context = MigrationContext.configure(
                connection, opts={"version_table": "alembic_version_catalog"}
            )
            differences = compare_metadata(context, CatalogBase.metadata)
    finally:
        engine.dispose()
    assert {"catalog_products", "alembic_version_catalog"} <= tables
    assert differences == []
