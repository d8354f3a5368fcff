"""How late the event loop wakes a sleeper: the queue every awaiting call waits in as well.

A call timed on a saturated loop includes every turn it waited behind other tasks. Judging an
upstream "slow" from that time blames it for our own queue; callers ask ``worst_since`` whether
the loop lagged while their call ran, and leave such a time out of their judgement.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque

__all__ = ["LoopLag"]


class LoopLag:
    """Samples the loop's lateness every ``every_s`` while ``run`` runs (a background task)."""

    def __init__(self, every_s: float = 0.02, history_s: float = 12.0) -> None:
        self._every = every_s
        self._samples: deque[tuple[float, float]] = deque(maxlen=int(history_s / every_s) + 1)

    async def run(self) -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(self._every)
            now = time.monotonic()
            self._samples.append((now, now - before - self._every))

    def worst_since(self, since: float) -> float:
        """The most the loop was late, in seconds, since ``since`` — including now: a sampler
        that should have woken and has not yet is late too (the caller may run first)."""
        worst = max((late for at, late in self._samples if at >= since), default=0.0)
        if self._samples:
            overdue = time.monotonic() - self._samples[-1][0] - self._every
            worst = max(worst, overdue)
        return worst
