"""Builders of inventory test data: sensible defaults, override what the test is about."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nextbuy.inventory.domain.models import Adjustment, LevelSet
from nextbuy.inventory.settings import InventorySettings


def make_adjustment(**overrides: Any) -> Adjustment:
    fields: dict[str, Any] = {"product_id": "p-1", "delta_available": 1}
    fields.update(overrides)
    return Adjustment(**fields)


def make_level_set(**overrides: Any) -> LevelSet:
    fields: dict[str, Any] = {"product_id": "p-1", "available": 10, "reserved": 0}
    fields.update(overrides)
    return LevelSet(**fields)


def make_level_sets(count: int, *, available: int = 5) -> list[LevelSet]:
    return [make_level_set(product_id=f"p-{n:05d}", available=available) for n in range(count)]


def make_settings(database_url: str, **overrides: Any) -> InventorySettings:
    return InventorySettings(database_url=database_url, log_level="WARNING", **overrides)


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'inventory.sqlite3'}"
