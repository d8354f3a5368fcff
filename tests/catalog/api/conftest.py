"""An app on a fresh SQLite file per test, driven through FastAPI's TestClient."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from nextbuy.catalog.app import create_app, migrate
from nextbuy.catalog.settings import CatalogSettings


@pytest.fixture
def settings(tmp_path: Path) -> CatalogSettings:
    return CatalogSettings(database_url=f"sqlite:///{tmp_path / 'catalog.sqlite3'}")


@pytest.fixture
def client(settings: CatalogSettings) -> Iterator[TestClient]:
    migrate(settings)
    with TestClient(create_app(settings)) as test_client:
        yield test_client
