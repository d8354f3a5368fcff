"""Which database Django talks to: URLs to ``DATABASES`` entries, schema migration, ping.

Gorse-style, the URL scheme picks the driver: ``sqlite:///path`` (the embedded default) or
``postgresql://user:password@host:port/db?sslmode=...`` (psycopg 3). Nothing here needs Django
to be configured, so the composition root can build the settings from it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections

SQLITE_PREFIX = "sqlite:///"
POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")

# Persistent connections (one per gunicorn thread), checked before reuse after a gap.
POSTGRES_CONN_MAX_AGE = 60


class DatabaseUrlError(ValueError):
    """The database URL names a scheme or shape this service cannot use."""


def database_settings(url: str) -> dict[str, Any]:
    """Return the Django ``DATABASES`` entry for ``url``."""
    if url.startswith(SQLITE_PREFIX):
        return _sqlite_settings(url.removeprefix(SQLITE_PREFIX))
    parts = urlsplit(url)
    if parts.scheme in POSTGRES_SCHEMES:
        return _postgres_settings(url)
    raise DatabaseUrlError(
        f"unsupported database URL scheme {parts.scheme!r}: use sqlite:///<path> "
        "or postgresql://user@host:port/database"
    )


def _sqlite_settings(path: str) -> dict[str, Any]:
    if not path:
        raise DatabaseUrlError("a SQLite URL needs a path: sqlite:///<path>")
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at the
            # start of a transaction, so concurrent writers wait instead of failing mid-way.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        },
    }


def _postgres_settings(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise DatabaseUrlError("a PostgreSQL URL needs a database name: postgresql://host/db")
    options: dict[str, Any] = {"connect_timeout": 5}
    options.update(parse_qsl(parts.query))
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": POSTGRES_CONN_MAX_AGE,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": options,
    }


def prepare_database_location(entry: dict[str, Any]) -> None:
    """Create the directory of a SQLite file, so a fresh home works on first start."""
    name = str(entry.get("NAME", ""))
    if entry.get("ENGINE", "").endswith("sqlite3") and name and name != ":memory:":
        Path(name).parent.mkdir(parents=True, exist_ok=True)


def migrate_schema(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Apply every migration (ours and Django's admin/auth tables); a no-op when up to date."""
    call_command("migrate", database=using, interactive=False, verbosity=0)


def ping_database(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """One round trip to the database."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT 1")
