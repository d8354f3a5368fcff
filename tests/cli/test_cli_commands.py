"""The CLI commands that need no running platform."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from nextbuy.cli.main import app

runner = CliRunner()


def test_config_masks_database_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEXTBUY_CATALOG__DATABASE_URL", "postgresql://shop:hunter2@db:5432/catalog")
    monkeypatch.setenv("NEXTBUY_ENGINE__PORT", "9100")
    result = runner.invoke(app, ["config"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "hunter2" not in result.output
    assert "postgresql://shop:********@db:5432/catalog" in result.output
    assert "9100" in result.output


def test_unknown_service_is_a_clear_error() -> None:
    result = runner.invoke(app, ["serve", "payments"])
    assert result.exit_code != 0
    assert "unknown service" in result.output


def test_migrate_creates_every_sqlite_database(nextbuy_home: object) -> None:
    result = runner.invoke(app, ["migrate", "profiles", "catalog", "inventory"])
    assert result.exit_code == 0, result.output
    for service in ("profiles", "catalog", "inventory"):
        assert (nextbuy_home / service / f"{service}.sqlite3").exists()  # type: ignore[operator]
    again = runner.invoke(app, ["migrate", "profiles", "catalog", "inventory"])
    assert again.exit_code == 0, again.output
