"""The settings base every service extends.

Each service reads ``NEXTBUY_<SERVICE>__<FIELD>`` variables into its own subclass; nothing
is read at import time: the composition root builds settings and hands them to the app
factory, so tests and the CLI can build as many differently-configured apps as they like.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_HOME = ".nextbuy"
MIB = 1024 * 1024


def nextbuy_home() -> Path:
    """Return the data directory: ``$NEXTBUY_HOME`` or ``./.nextbuy``."""
    return Path(os.environ.get("NEXTBUY_HOME", DEFAULT_HOME)).resolve()


def default_sqlite_url(service: str) -> str:
    """Return the embedded default database of ``service``: a SQLite file under the home."""
    return f"sqlite:///{nextbuy_home() / service / f'{service}.sqlite3'}"


class ServiceSettings(BaseSettings):
    """Fields every service has. Subclasses set ``service_name`` and ``default_port``."""

    service_name: ClassVar[str] = "service"
    default_port: ClassVar[int] = 0

    model_config = SettingsConfigDict(extra="ignore", validate_default=True)

    host: str = "127.0.0.1"
    port: int = Field(default=0, ge=0, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "text"] = "json"
    max_body_bytes: int = Field(default=MIB, gt=0)
    workers: int = Field(default=1, ge=1, le=64)

    def model_post_init(self, __context: Any) -> None:
        if self.port == 0:
            self.port = self.default_port

    @classmethod
    def from_env(cls, **overrides: Any) -> ServiceSettings:
        """Build settings from the environment, with explicit keyword overrides on top."""
        return cls(**overrides)

    def public_dict(self) -> dict[str, Any]:
        """Return the effective settings with secrets masked, for ``nextbuy config``."""
        return {key: mask_secret(key, value) for key, value in self.model_dump().items()}


class DatabaseServiceSettings(ServiceSettings):
    """A service that owns a SQL database (SQLite by default, PostgreSQL when the URL says so)."""

    database_url: SecretStr = SecretStr("")
    database_pool_size: int = Field(default=10, ge=1, le=200)

    def model_post_init(self, __context: Any) -> None:
        super().model_post_init(__context)
        if not self.database_url.get_secret_value():
            self.database_url = SecretStr(default_sqlite_url(self.service_name))


def service_settings_config(service: str) -> SettingsConfigDict:
    """Return the pydantic-settings config reading ``NEXTBUY_<SERVICE>__<FIELD>``."""
    return SettingsConfigDict(
        env_prefix=f"NEXTBUY_{service.upper()}__",
        env_nested_delimiter="__",
        extra="ignore",
        validate_default=True,
    )


def mask_secret(key: str, value: Any) -> Any:
    """Hide secrets: SecretStr values, and passwords embedded in URLs."""
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
        if "url" not in key:
            return "********" if value else ""
    if isinstance(value, str) and "://" in value and "@" in value:
        scheme, rest = value.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}:********@{host}" if ":" in credentials else value
    return value
