"""Profiles settings: defaults and the NEXTBUY_PROFILES__ environment prefix."""

from __future__ import annotations

import pytest

from nextbuy.profiles.settings import ProfilesSettings


def test_defaults_to_port_8001_and_an_embedded_sqlite_file() -> None:
    settings = ProfilesSettings()
    assert settings.port == 8001
    assert settings.database_url.get_secret_value().startswith("sqlite:///")
    assert settings.database_url.get_secret_value().endswith("profiles/profiles.sqlite3")


def test_reads_its_own_environment_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEXTBUY_PROFILES__PORT", "9101")
    monkeypatch.setenv("NEXTBUY_PROFILES__DATABASE_URL", "postgresql://db/profiles")
    settings = ProfilesSettings()
    assert settings.port == 9101
    assert settings.database_url.get_secret_value() == "postgresql://db/profiles"
