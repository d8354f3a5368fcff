"""Hedged requests ("The Tail at Scale"): a second identical call once the first is slower
than the upstream's p95, capped at 5% extra calls, and whichever succeeds first wins (S5).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

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
    race = _Race(call, budget)
    return await race.run(delay_s)


class _Race(Generic[T]):
    """One call and maybe its hedge, settled by done-callbacks and a timer.

    Not asyncio.wait/gather: those cost several extra event-loop turns per call, which
    measured ~50 µs on every call, hedged or not.
    """

    def __init__(self, call: Callable[[], Awaitable[T]], budget: HedgeBudget) -> None:
        self._call = call
        self._budget = budget
        self._tasks: list[asyncio.Future[T]] = []
        self._outcome: asyncio.Future[asyncio.Future[T]] = (
            asyncio.get_running_loop().create_future()
        )

    async def run(self, delay_s: float) -> T:
        self._launch()
        timer = asyncio.get_running_loop().call_later(max(delay_s, 0.0), self._hedge)
        try:
            return (await self._outcome).result()
        finally:
            timer.cancel()
            losers = [task for task in self._tasks if not task.done()]
            for task in losers:
                task.cancel()
            # Let the loser unwind (its connection goes back to the pool) before returning.
            if losers:
                await asyncio.gather(*losers, return_exceptions=True)

    def _launch(self) -> None:
        task = asyncio.ensure_future(self._call())
        self._tasks.append(task)
        task.add_done_callback(self._settle)

    def _hedge(self) -> None:
        if not self._outcome.done() and self._budget.try_acquire():
            self._launch()

    def _settle(self, task: asyncio.Future[T]) -> None:
        # Read every outcome, even after the race is decided: a hedge that failed at once (no
        # bulkhead slot) would otherwise be logged as "exception was never retrieved".
        failed = task.cancelled() or task.exception() is not None
        if self._outcome.done():
            return
        if not failed:
            self._outcome.set_result(task)
        elif all(t.done() for t in self._tasks):
            # Everything launched has failed (a first call that fails before the hedge delay
            # gets no hedge: retrying is the policy's decision). Report the first call's error.
            self._outcome.set_result(self._tasks[0])
