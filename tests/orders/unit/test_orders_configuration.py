"""Database URLs, the generated secret key and the settings of the orders service."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from nextbuy.orders.django_config import resolve_secret_key
from nextbuy.orders.settings import OrdersSettings
from nextbuy.orders.storage.database import DatabaseUrlError, database_settings


def test_a_sqlite_url_names_the_file_and_tunes_sqlite(tmp_path: Path) -> None:
    entry = database_settings(f"sqlite:///{tmp_path / 'o.sqlite3'}")
    assert entry["ENGINE"] == "django.db.backends.sqlite3"
    assert entry["NAME"] == str(tmp_path / "o.sqlite3")
    assert entry["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_a_relative_sqlite_url_stays_relative() -> None:
    assert database_settings("sqlite:///data/o.sqlite3")["NAME"] == "data/o.sqlite3"


@pytest.mark.parametrize("scheme", ["postgresql", "postgres", "postgresql+psycopg"])
def test_a_postgresql_url_becomes_the_psycopg_backend(scheme: str) -> None:
    entry = database_settings(f"{scheme}://shop:s%40cret@db.internal:6543/orders?sslmode=require")
    assert entry["ENGINE"] == "django.db.backends.postgresql"
    assert (entry["USER"], entry["PASSWORD"]) == ("shop", "s@cret")
    assert (entry["HOST"], entry["PORT"], entry["NAME"]) == ("db.internal", "6543", "orders")
    assert entry["OPTIONS"] == {"connect_timeout": 5, "sslmode": "require"}


def test_a_postgresql_url_without_password_or_port_is_fine() -> None:
    entry = database_settings("postgresql://postgres@127.0.0.1/orders")
    assert (entry["PASSWORD"], entry["PORT"]) == ("", "")


@pytest.mark.parametrize(
    "url", ["mysql://root@localhost/orders", "postgresql://localhost", "sqlite:///", "orders"]
)
def test_unusable_urls_fail_loudly(url: str) -> None:
    with pytest.raises(DatabaseUrlError):
        database_settings(url)


def test_settings_default_to_port_8003_and_a_sqlite_file_under_the_home(
    nextbuy_home: Path,
) -> None:
    settings = OrdersSettings()
    assert settings.port == 8003
    expected = nextbuy_home / "orders" / "orders.sqlite3"
    assert settings.database_url.get_secret_value() == f"sqlite:///{expected}"


def test_settings_come_from_nextbuy_orders_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEXTBUY_ORDERS__PORT", "9103")
    monkeypatch.setenv("NEXTBUY_ORDERS__SECRET_KEY", "from-the-environment")
    settings = OrdersSettings()
    assert settings.port == 9103
    assert settings.public_dict()["secret_key"] == "********"


def test_without_a_configured_key_one_is_generated_once_per_home(nextbuy_home: Path) -> None:
    first = resolve_secret_key(OrdersSettings())
    assert resolve_secret_key(OrdersSettings()) == first
    key_file = nextbuy_home / "orders" / "secret_key"
    assert key_file.read_text() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first) >= 50


def test_a_configured_key_wins(nextbuy_home: Path) -> None:
    settings = OrdersSettings(secret_key=SecretStr("configured"))
    assert resolve_secret_key(settings) == "configured"
    assert not (nextbuy_home / "orders" / "secret_key").exists()
