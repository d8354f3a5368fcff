"""Settings of the profiles service, read from ``NEXTBUY_PROFILES__<FIELD>`` variables."""

from __future__ import annotations

from typing import ClassVar

from nextbuy.bus.settings import BusSettings
from nextbuy.core.settings import DatabaseServiceSettings, service_settings_config


class ProfilesSettings(DatabaseServiceSettings, BusSettings):
    """Where the profiles service listens, which database it owns, where its events go."""

    service_name: ClassVar[str] = "profiles"
    default_port: ClassVar[int] = 8001

    model_config = service_settings_config("profiles")
