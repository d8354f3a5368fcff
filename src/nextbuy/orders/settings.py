"""Settings of the Order History service (env ``NEXTBUY_ORDERS__<FIELD>``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import SecretStr

from nextbuy.bus.settings import BusSettings
from nextbuy.core.settings import DatabaseServiceSettings, service_settings_config


class OrdersSettings(DatabaseServiceSettings, BusSettings):
    """Where the orders live and how the service listens.

    ``secret_key`` signs the admin's sessions and CSRF tokens. Left empty, a random key is
    generated once and kept under ``$NEXTBUY_HOME/orders/secret_key``, so restarts keep
    admin users logged in while no two installations share a key.
    """

    service_name: ClassVar[str] = "orders"
    default_port: ClassVar[int] = 8003

    model_config = service_settings_config("orders")

    secret_key: SecretStr = SecretStr("")
