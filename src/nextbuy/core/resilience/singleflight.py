"""Single-flight: concurrent callers for one key share one call (S12, Go's x/sync/singleflight).

The shared call runs as its own task, so a caller that is cancelled (its request timed out)
does not cancel the work the other callers are waiting for.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["SingleFlight"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class SingleFlight(Generic[K, V]):
    """At most one call in flight per key; its result or exception goes to every caller."""

    def __init__(self) -> None:
        self._flights: dict[K, asyncio.Task[V]] = {}

    def __contains__(self, key: K) -> bool:
        """Whether a call for ``key`` is in flight right now."""
        return key in self._flights

    def __len__(self) -> int:
        return len(self._flights)

    async def do(self, key: K, fn: Callable[[], Awaitable[V]]) -> V:
        """Join the call in flight for ``key``, or start ``fn`` as that call."""
        task = self._flights.get(key)
        if task is None:
            task = asyncio.ensure_future(_run(fn))
            self._flights[key] = task
            task.add_done_callback(lambda done: self._release(key, done))
        # shield: cancelling one caller must not cancel the call the others share.
        return await asyncio.shield(task)

    async def cancel_all(self) -> None:
        """Cancel every call in flight (shutdown) and wait for them to end."""
        tasks = list(self._flights.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _release(self, key: K, task: asyncio.Task[V]) -> None:
        if self._flights.get(key) is task:
            del self._flights[key]
        if not task.cancelled():
            task.exception()  # mark it retrieved even if every caller was cancelled


async def _run(fn: Callable[[], Awaitable[V]]) -> V:
    return await fn()
