"""What a data plane gives the recommender: its two ports, an invalidator, background work."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from nextbuy.engine.domain.answers import CatalogueVersion
from nextbuy.engine.domain.ports import (
    ProductResolver,
    UserDataInvalidator,
    UserDataSource,
    UserSignals,
)


class Closable(Protocol):
    async def close(self) -> None: ...


@dataclass
class DataPlane:
    user_data: UserDataSource
    products: ProductResolver
    invalidator: UserDataInvalidator | None = None
    background: list[asyncio.Task[None]] = field(default_factory=list)
    closers: list[Closable] = field(default_factory=list)
    fresh_signals: Callable[[str], UserSignals | None] | None = None
    """A user's signals if fresh in process, read without awaiting (answer caching needs it)."""
    catalogue: CatalogueVersion | None = None
    """Versions what answers show of the catalogue and stock (answer caching needs it)."""
