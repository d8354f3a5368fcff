"""Waiting between attempts: exponential, jittered, and cut short by a stop signal."""

from __future__ import annotations

import asyncio
import contextlib
import random

_RNG = random.Random()


def backoff_delay(failures: int, *, base_s: float = 0.2, cap_s: float = 30.0) -> float:
    """The pause after ``failures`` consecutive failures (1 for the first).

    "Equal jitter": half the exponential ceiling plus a random half, so a fleet of relays
    that lost the broker together spreads out, yet none retries in a tight loop.
    """
    ceiling = min(cap_s, base_s * 2.0 ** min(max(failures, 1) - 1, 32))
    return ceiling / 2 + _RNG.uniform(0.0, ceiling / 2)


async def sleep_unless_stopped(stop: asyncio.Event, seconds: float) -> None:
    """Sleep ``seconds``, or less when ``stop`` is set meanwhile."""
    if seconds <= 0 or stop.is_set():
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
