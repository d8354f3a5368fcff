"""Engine settings: where the upstream services are and how long the engine waits for them."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from nextbuy.core.settings import ServiceSettings, service_settings_config


class EngineSettings(ServiceSettings):
    service_name: ClassVar[str] = "engine"
    default_port: ClassVar[int] = 8000
    model_config = service_settings_config("engine")

    profiles_url: str = "http://127.0.0.1:8001"
    catalog_url: str = "http://127.0.0.1:8002"
    orders_url: str = "http://127.0.0.1:8003"
    inventory_url: str = "http://127.0.0.1:8004"

    request_budget_ms: int = Field(default=200, ge=10, le=10_000)
    """The whole request's deadline; upstream calls get what is left of it."""
    upstream_max_body_bytes: int = Field(default=8 * 1024 * 1024, gt=0)
    refresh_interval_s: float = Field(default=5.0, gt=0)
    """How often the change feeds of catalogue and orders are polled into the local model."""
    neighbours_per_item: int = Field(default=50, ge=1, le=500)
