"""Project-wide fixtures: a throwaway NEXTBUY_HOME, and database URLs for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.servers import fresh_postgres_database


@pytest.fixture(autouse=True)
def nextbuy_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data directory, so no test sees another's files."""
    home = tmp_path / "nextbuy-home"
    monkeypatch.setenv("NEXTBUY_HOME", str(home))
    return home


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The same storage tests run on the embedded default and on real PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    with fresh_postgres_database() as url:
        yield url
