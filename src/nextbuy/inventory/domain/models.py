"""Plain models of the inventory domain: no web framework, no ORM."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Levels:
    """A product's two counters: units on hand, and units of those promised to open orders."""

    available: int
    reserved: int

    @property
    def sellable(self) -> int:
        return self.available - self.reserved


EMPTY_LEVELS = Levels(available=0, reserved=0)
"""Where a never-stocked product starts when it is first adjusted."""


@dataclass(frozen=True, slots=True)
class StockLevel:
    """The stored stock of one product and when its levels last changed."""

    product_id: str
    available: int
    reserved: int
    updated_at: datetime

    @property
    def levels(self) -> Levels:
        return Levels(self.available, self.reserved)


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One requested change: absolute ``set_*`` or relative ``delta_*`` per counter."""

    product_id: str
    set_available: int | None = None
    delta_available: int | None = None
    set_reserved: int | None = None
    delta_reserved: int | None = None


@dataclass(frozen=True, slots=True)
class LevelSet:
    """Absolute levels for one product, as a bulk seed gives them."""

    product_id: str
    available: int
    reserved: int = 0

    @property
    def levels(self) -> Levels:
        return Levels(self.available, self.reserved)


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    """How a bulk upsert went, so a seeder can check that a re-run changed nothing."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
