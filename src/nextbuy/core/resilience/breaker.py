"""A circuit breaker with the rules of resilience4j: failure rate, slow-call rate, one probe.

closed → open after ``consecutive_failures`` failures in a row, or when at least
``window_calls`` calls in the last ``window_s`` seconds show a failure rate ≥ ``failure_rate``
or a slow-call rate ≥ ``slow_call_rate``. open → half_open after ``open_s``. half_open lets
exactly one probe through; its success closes the breaker, its failure (or slowness) reopens it.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Literal

from nextbuy.core.resilience.errors import CircuitOpenError

__all__ = ["BreakerState", "CircuitBreaker", "CircuitOpenError", "StateChangeCallback"]

BreakerState = Literal["closed", "open", "half_open"]
StateChangeCallback = Callable[[str, BreakerState, BreakerState], None]


class CircuitBreaker:
    """Stops calling an upstream that is failing or slow, and lets one probe test its recovery."""

    def __init__(
        self,
        name: str,
        *,
        consecutive_failures: int = 5,
        failure_rate: float = 0.5,
        window_calls: int = 20,
        window_s: float = 10.0,
        open_s: float = 5.0,
        slow_call_s: float | None = 0.1,
        slow_call_rate: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        on_state_change: StateChangeCallback | None = None,
    ) -> None:
        self.name = name
        self.on_state_change = on_state_change
        self._consecutive_limit = consecutive_failures
        self._failure_rate = failure_rate
        self._window_calls = window_calls
        self._window_s = window_s
        self._open_s = open_s
        self._slow_call_s = slow_call_s
        self._slow_call_rate = slow_call_rate
        self._clock = clock
        self._state: BreakerState = "closed"
        self._opened_at = 0.0
        self._probe_started: float | None = None
        self._consecutive = 0
        # (time, failed, slow) per call, with running totals so a rate check is O(1).
        self._window: deque[tuple[float, bool, bool]] = deque()
        self._failures = 0
        self._slow = 0

    @property
    def slow_call_s(self) -> float | None:
        """A successful call slower than this counts toward the slow-call rate (None: never)."""
        return self._slow_call_s

    @property
    def state(self) -> BreakerState:
        """The current state; an open breaker whose interval has passed reads as half_open."""
        if self._state == "open" and self._clock() - self._opened_at >= self._open_s:
            self._transition("half_open")
        return self._state

    def allow(self) -> bool:
        """Whether a call may start now. In half_open this hands out the single probe."""
        state = self.state
        if state == "closed":
            return True
        if state == "open":
            return False
        now = self._clock()
        # A probe whose caller vanished (cancelled, never recorded) must not wedge the breaker:
        # after another open interval a new probe is allowed.
        if self._probe_started is not None and now - self._probe_started < self._open_s:
            return False
        self._probe_started = now
        return True

    def record_success(self, duration_s: float) -> None:
        """Record a call that succeeded in ``duration_s``; slow successes count toward the rate."""
        slow = self._slow_call_s is not None and duration_s > self._slow_call_s
        state = self.state
        if state == "half_open":
            # A slow probe means the upstream has not recovered (S4): stay away another interval.
            if slow:
                self._trip()
            else:
                self._close()
        elif state == "closed":
            self._consecutive = 0
            self._add(failed=False, slow=slow)

    def record_failure(self) -> None:
        """Record a call that failed (error, timeout, bad response)."""
        state = self.state
        if state == "half_open":
            self._trip()
        elif state == "closed":
            self._consecutive += 1
            self._add(failed=True, slow=False)
            if self._consecutive >= self._consecutive_limit:
                self._trip()

    def _add(self, *, failed: bool, slow: bool) -> None:
        now = self._clock()
        self._window.append((now, failed, slow))
        self._failures += failed
        self._slow += slow
        while self._window and self._window[0][0] <= now - self._window_s:
            _, old_failed, old_slow = self._window.popleft()
            self._failures -= old_failed
            self._slow -= old_slow
        calls = len(self._window)
        if calls < self._window_calls:
            return
        if self._failures / calls >= self._failure_rate or (
            self._slow_call_s is not None and self._slow / calls >= self._slow_call_rate
        ):
            self._trip()

    def _trip(self) -> None:
        self._opened_at = self._clock()
        self._probe_started = None
        self._transition("open")

    def _close(self) -> None:
        self._consecutive = 0
        self._window.clear()
        self._failures = self._slow = 0
        self._probe_started = None
        self._transition("closed")

    def _transition(self, new: BreakerState) -> None:
        old, self._state = self._state, new
        if old != new and self.on_state_change is not None:
            self.on_state_change(self.name, old, new)
