"""Retries that cannot become a storm: a budget of ≤ 10% extra calls, and full-jitter delays.

The budget is the SRE book's client-side answer to retry amplification (S6: an upstream that
fails every call sees ≤ 1.1× the request rate, not the 4× of three naive retries). The delay is
AWS's "full jitter": uniform over [0, ceiling], so clients that failed together retry apart (S8).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from nextbuy.core.resilience._budget import RatioBudget

__all__ = ["RetryBudget", "full_jitter_delay"]

_SHARED_RNG = random.Random()
_RESOLUTION_S = 1e-6


class RetryBudget(RatioBudget):
    """Retries allowed while they stay within ``ratio`` of first attempts over ``window_s``."""

    def __init__(
        self,
        ratio: float = 0.1,
        *,
        min_retries_per_s: float = 1.0,
        window_s: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(ratio, floor_per_s=min_retries_per_s, window_s=window_s, clock=clock)


def full_jitter_delay(
    attempt: int,
    *,
    base_s: float = 0.01,
    cap_s: float = 0.05,
    rng: random.Random | None = None,
    max_s: float | None = None,
) -> float:
    """The sleep before retry number ``attempt`` (1 for the first retry).

    Uniform over [0, min(cap_s, base_s · 2**attempt, max_s)]. ``max_s`` is what the deadline
    leaves for waiting; it shrinks the range rather than clamping the draw, because clamping
    would pile every late retry onto the same instant — the herd jitter exists to break up.
    """
    if attempt < 1:
        raise ValueError("attempt counts retries from 1")
    ceiling = min(cap_s, base_s * 2.0 ** min(attempt, 32))
    if max_s is not None:
        ceiling = min(ceiling, max_s)
    if ceiling < _RESOLUTION_S:
        return 0.0  # shorter than any timer can sleep: no room to spread retries in
    return (rng or _SHARED_RNG).uniform(0.0, ceiling)
