"""Hedged requests ("The Tail at Scale"): a second identical call once the first is slower
than the upstream's p95, capped at 5% extra calls, and whichever succeeds first wins (S5).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TypeVar

from nextbuy.core.resilience._budget import RatioBudget

__all__ = ["HedgeBudget", "LatencyTracker", "hedged"]

T = TypeVar("T")


class LatencyTracker:
    """Recent call latencies of one upstream and their quantiles."""

    def __init__(self, window: int = 512, *, min_samples: int = 50, resort_every: int = 16) -> None:
        self._samples: deque[float] = deque(maxlen=window)
        self._min_samples = min_samples
        # Sorting 512 floats on every request would cost more than the hedging saves; a
        # quantile that lags by a few observations is just as good a hedge delay.
        self._resort_every = resort_every
        self._sorted: list[float] = []
        self._unsorted = 0

    def observe(self, seconds: float) -> None:
        """Record one call's latency."""
        self._samples.append(seconds)
        self._unsorted += 1

    def quantile(self, q: float) -> float | None:
        """The ``q`` quantile (nearest rank) of recent latencies; None until enough samples."""
        if len(self._samples) < self._min_samples:
            return None
        if not self._sorted or self._unsorted >= self._resort_every:
            self._sorted = sorted(self._samples)
            self._unsorted = 0
        rank = min(len(self._sorted) - 1, max(0, math.ceil(q * len(self._sorted)) - 1))
        return self._sorted[rank]


class HedgeBudget(RatioBudget):
    """Hedges allowed while they stay within ``ratio`` of calls over ``window_s``.

    No floor by default: a hedge is an optimisation, and a quiet upstream does not need one.
    """

    def __init__(
        self,
        ratio: float = 0.05,
        *,
        min_hedges_per_s: float = 0.0,
        window_s: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(ratio, floor_per_s=min_hedges_per_s, window_s=window_s, clock=clock)


async def hedged(
    call: Callable[[], Awaitable[T]], *, delay_s: float | None, budget: HedgeBudget
) -> T:
    """Run ``call``; if it is still running after ``delay_s`` and the budget allows, run it
    again and return the first success. The loser is cancelled. If both fail, the first
    call's error is raised. ``delay_s=None`` means no hedge. ``call`` must be idempotent.
    """
    budget.record_attempt()
    if delay_s is None:
        return await call()
    first: asyncio.Future[T] = asyncio.ensure_future(call())
    tasks = [first]
    try:
        done, _ = await asyncio.wait(tasks, timeout=max(delay_s, 0.0))
        if done or not budget.try_acquire():
            return await first
        tasks.append(asyncio.ensure_future(call()))
        return await _first_success(first, tasks[1])
    finally:
        for task in tasks:
            task.cancel()
        # Wait for the loser to unwind so its connection is released before we return, and
        # retrieve its outcome so asyncio does not log "exception was never retrieved".
        await asyncio.gather(*tasks, return_exceptions=True)


async def _first_success(first: asyncio.Future[T], second: asyncio.Future[T]) -> T:
    pending = {first, second}
    while pending:
        done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if not task.cancelled() and task.exception() is None:
                return task.result()
    return first.result()  # both failed: raise the first call's error
