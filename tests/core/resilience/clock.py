"""A clock the test moves by hand, so time-based rules are checked without sleeping."""

from __future__ import annotations


class FakeClock:
    """Callable like ``time.monotonic``; ``advance`` moves it forward."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
