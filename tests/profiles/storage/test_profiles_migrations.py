"""The Alembic migrations: they create the schema, and running them again is a no-op."""

from __future__ import annotations

from sqlalchemy import inspect

from nextbuy.profiles.app import migrate
from nextbuy.profiles.settings import ProfilesSettings
from nextbuy.profiles.storage.engine import create_profiles_engine
from nextbuy.profiles.storage.repository import SqlUserRepository
from tests.profiles.profiles_builders import at, make_profile_input


def test_migrate_creates_the_schema_and_is_idempotent(database_url: str) -> None:
    settings = ProfilesSettings(database_url=database_url)
    migrate(settings)
    engine = create_profiles_engine(database_url, pool_size=2)
    try:
        SqlUserRepository(engine).upsert([make_profile_input()], now=at(0))
        migrate(settings)
        tables = set(inspect(engine).get_table_names())
        assert {"users", "recent_views", "profiles_alembic_version"} <= tables
        assert SqlUserRepository(engine).get("user-1") is not None
    finally:
        engine.dispose()
