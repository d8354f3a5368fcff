"""A count over a sliding time window, in fixed buckets so memory stays constant at any rate."""

from __future__ import annotations

import time
from collections.abc import Callable


class SlidingCount:
    """Events counted over the last ``window_s`` seconds, to a resolution of one bucket."""

    def __init__(
        self, window_s: float, *, buckets: int = 10, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if window_s <= 0 or buckets < 1:
            raise ValueError("window_s must be positive and buckets at least 1")
        self._width = window_s / buckets
        self._counts = [0] * buckets
        self._epochs = [-1] * buckets
        self._clock = clock

    def _slot(self) -> int:
        epoch = int(self._clock() // self._width)
        index = epoch % len(self._counts)
        if self._epochs[index] != epoch:
            # The bucket last held a count from a full window ago: that count has aged out.
            self._epochs[index] = epoch
            self._counts[index] = 0
        return index

    def add(self, n: int = 1) -> None:
        self._counts[self._slot()] += n

    def total(self) -> int:
        newest = int(self._clock() // self._width)
        oldest = newest - len(self._counts) + 1
        return sum(
            count
            for count, epoch in zip(self._counts, self._epochs, strict=True)
            if oldest <= epoch <= newest
        )
