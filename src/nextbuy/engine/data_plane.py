"""What a data plane gives the recommender: its two ports, an invalidator, background work."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Protocol

from nextbuy.engine.domain.ports import ProductResolver, UserDataInvalidator, UserDataSource


class Closable(Protocol):
    async def close(self) -> None: ...


@dataclass
class DataPlane:
    user_data: UserDataSource
    products: ProductResolver
    invalidator: UserDataInvalidator | None = None
    background: list[asyncio.Task[None]] = field(default_factory=list)
    closers: list[Closable] = field(default_factory=list)
