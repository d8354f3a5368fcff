"""A test client on a freshly migrated SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from nextbuy.inventory.app import create_app, migrate
from tests.inventory.builders import make_settings, sqlite_url


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = make_settings(sqlite_url(tmp_path))
    migrate(settings)
    with TestClient(create_app(settings)) as test_client:
        yield test_client
