"""Inventory settings: ``NEXTBUY_INVENTORY__<FIELD>`` variables on top of the database base."""

from __future__ import annotations

from typing import ClassVar

from nextbuy.bus.settings import BusSettings
from nextbuy.core.settings import DatabaseServiceSettings, service_settings_config


class InventorySettings(DatabaseServiceSettings, BusSettings):
    """Everything the inventory service reads from its environment."""

    service_name: ClassVar[str] = "inventory"
    default_port: ClassVar[int] = 8004

    model_config = service_settings_config("inventory")
