"""Catalog settings, read from ``NEXTBUY_CATALOG__<FIELD>`` variables."""

from __future__ import annotations

from typing import ClassVar

from nextbuy.bus.settings import BusSettings
from nextbuy.core.settings import DatabaseServiceSettings, service_settings_config


class CatalogSettings(DatabaseServiceSettings, BusSettings):
    """Everything the catalog needs: its database URL, bus URL, bind address and limits."""

    service_name: ClassVar[str] = "catalog"
    default_port: ClassVar[int] = 8002

    model_config = service_settings_config("catalog")
