"""Creating and upgrading the profiles schema with Alembic."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from nextbuy.core.sql import run_migrations

MIGRATIONS = Path(__file__).with_name("migrations")

VERSION_TABLE = "profiles_alembic_version"
"""Our own version table, so services sharing one PostgreSQL database do not collide."""


def migrate_schema(engine: Engine) -> None:
    """Apply every migration up to head; running it again does nothing."""
    run_migrations(engine, MIGRATIONS)
