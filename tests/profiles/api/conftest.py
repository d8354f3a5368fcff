"""A profiles app on a migrated SQLite file under tmp_path, and its Flask test client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from nextbuy.profiles.app import ENGINE_KEY, create_app, migrate
from nextbuy.profiles.settings import ProfilesSettings


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    settings = ProfilesSettings(
        database_url=f"sqlite:///{tmp_path / 'profiles.sqlite3'}", log_format="text"
    )
    migrate(settings)
    app = create_app(settings)
    yield app
    engine: Engine = app.extensions[ENGINE_KEY]
    engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
