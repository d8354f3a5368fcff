"""The platform's services as the CLI sees them: name, port, framework, and where their code is.

The CLI is the one place that knows every service; it imports each one lazily, by name, so a
container that installed only one service's extra can still run ``nextbuy serve <that one>``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from nextbuy.core.settings import ServiceSettings


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    name: str
    title: str
    framework: str
    port: int
    package: str
    settings_class: str
    owns: str

    def settings(self, **overrides: Any) -> ServiceSettings:
        """Build this service's settings from the environment (plus overrides)."""
        module = importlib.import_module(f"{self.package}.settings")
        settings_type = cast(type[ServiceSettings], getattr(module, self.settings_class))
        return settings_type(**overrides)

    def entrypoint(self, name: str) -> Callable[[ServiceSettings], Any]:
        """``create_app``, ``migrate`` or ``serve`` from the service's composition root."""
        module = importlib.import_module(f"{self.package}.app")
        return cast(Callable[[ServiceSettings], Any], getattr(module, name))


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec(
        "profiles",
        "User Profile",
        "Flask",
        8001,
        "nextbuy.profiles",
        "ProfilesSettings",
        "users, demographics, preferences, recent views",
    ),
    ServiceSpec(
        "catalog",
        "Product Catalog",
        "FastAPI",
        8002,
        "nextbuy.catalog",
        "CatalogSettings",
        "products, categories, prices",
    ),
    ServiceSpec(
        "orders",
        "Order History",
        "Django",
        8003,
        "nextbuy.orders",
        "OrdersSettings",
        "orders and order lines",
    ),
    ServiceSpec(
        "inventory",
        "Real-time Inventory",
        "FastAPI",
        8004,
        "nextbuy.inventory",
        "InventorySettings",
        "stock per product",
    ),
    ServiceSpec(
        "engine",
        "Recommendation Engine",
        "FastAPI (async)",
        8000,
        "nextbuy.engine",
        "EngineSettings",
        "models, catalogue read model",
    ),
)
SERVICE_NAMES = tuple(spec.name for spec in SERVICES)
GATEWAY_PORT = 8080


def spec_of(name: str) -> ServiceSpec:
    for spec in SERVICES:
        if spec.name == name:
            return spec
    raise KeyError(f"unknown service {name!r}; choose from {', '.join(SERVICE_NAMES)}")
