"""A ratio budget: extra calls (retries, hedges) allowed as a share of recent first attempts."""

from __future__ import annotations

import time
from collections.abc import Callable

from nextbuy.core.resilience._window import SlidingCount


class RatioBudget:
    """Allows extra calls while they stay within ``ratio`` of the attempts in the window.

    ``floor_per_s`` lets a quiet upstream still get a few extras (10% of 3 attempts rounds to
    nothing). The floor is the larger of the two limits, not added to the ratio, so at load the
    bound is exactly the ratio: S6 requires ≤ 1.1× upstream calls, which a sum would break.
    """

    def __init__(
        self,
        ratio: float,
        *,
        floor_per_s: float,
        window_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0.0 <= ratio <= 1.0:
            raise ValueError("ratio must be within [0, 1]")
        self.ratio = ratio
        self._floor = floor_per_s * window_s
        self._attempts = SlidingCount(window_s, clock=clock)
        self._spent = SlidingCount(window_s, clock=clock)

    def record_attempt(self) -> None:
        """Count one first attempt (not a retry or hedge): it earns ``ratio`` of an extra call."""
        self._attempts.add()

    def try_acquire(self) -> bool:
        """Take one extra call from the budget; False (and nothing taken) when it is spent."""
        allowed = max(self.ratio * self._attempts.total(), self._floor)
        if self._spent.total() + 1 > allowed:
            return False
        self._spent.add()
        return True
