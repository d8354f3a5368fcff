"""A bulkhead: at most ``limit`` concurrent calls to one upstream from this worker (S3, S11).

A hung upstream can then hold only its own slots; callers wait for a slot only as long as
their deadline allows and fail with ``BulkheadFullError`` instead of queueing without bound.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from nextbuy.core.resilience.errors import BulkheadFullError

__all__ = ["Bulkhead", "BulkheadFullError"]


class Bulkhead:
    """Bounded concurrency for one upstream, shared by every request in an event loop."""

    def __init__(self, name: str, limit: int = 10) -> None:
        if limit < 1:
            raise ValueError("a bulkhead needs at least one slot")
        self.name = name
        self.limit = limit
        self._semaphore = asyncio.Semaphore(limit)
        self._in_flight = 0

    @property
    def in_flight(self) -> int:
        """Slots currently held (what S3 checks stays ≤ the limit)."""
        return self._in_flight

    @asynccontextmanager
    async def slot(self, timeout_s: float) -> AsyncIterator[None]:
        """Hold one slot for the block; raise BulkheadFullError if none frees in ``timeout_s``."""
        if not self._semaphore.locked():
            await self._semaphore.acquire()  # a free slot: returns without suspending
        elif timeout_s <= 0:
            raise BulkheadFullError(self.name, f"all {self.limit} slots busy")
        else:
            await self._wait_for_slot(timeout_s)
        self._in_flight += 1
        try:
            yield
        finally:
            self._in_flight -= 1
            self._semaphore.release()

    async def _wait_for_slot(self, timeout_s: float) -> None:
        try:
            # asyncio.timeout, not wait_for: 3.11's wait_for can lose an acquired permit when
            # the timeout and the acquisition race.
            async with asyncio.timeout(timeout_s):
                await self._semaphore.acquire()
        except TimeoutError:
            raise BulkheadFullError(
                self.name, f"no slot of {self.limit} freed within {timeout_s * 1000:.0f} ms"
            ) from None
