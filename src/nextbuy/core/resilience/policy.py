"""One upstream's whole call policy: deadline, breaker, bulkhead, timeout, hedge, one retry.

The order matters: check the deadline and the breaker before waiting for anything (fail fast
costs nothing), then take a bulkhead slot, then make at most two attempts, each with a timeout
cut to what the deadline leaves. Every way a call can fail ends as an ``UpstreamFailureError``
so the engine has one thing to catch and turn into ``degraded_sources``.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from nextbuy.core.deadline import Deadline
from nextbuy.core.resilience.breaker import CircuitBreaker
from nextbuy.core.resilience.bulkhead import Bulkhead
from nextbuy.core.resilience.errors import (
    BulkheadFullError,
    CircuitOpenError,
    DeadlineExceededError,
    UpstreamBadResponseError,
    UpstreamFailureError,
    UpstreamTimeoutError,
    UpstreamUnavailableError,
)
from nextbuy.core.resilience.hedging import HedgeBudget, LatencyTracker, hedged
from nextbuy.core.resilience.retry import RetryBudget, full_jitter_delay

__all__ = [
    "BulkheadFullError",
    "CircuitOpenError",
    "DeadlineExceededError",
    "PolicyObserver",
    "UpstreamBadResponseError",
    "UpstreamFailureError",
    "UpstreamPolicy",
    "UpstreamTimeoutError",
    "UpstreamUnavailableError",
]

T = TypeVar("T")

# Outcome names reported to observers, one per ``call``, keyed by the error that ended it.
_OUTCOMES: dict[type[UpstreamFailureError], str] = {
    CircuitOpenError: "circuit_open",
    BulkheadFullError: "bulkhead_full",
    DeadlineExceededError: "deadline_exceeded",
    UpstreamTimeoutError: "timeout",
    UpstreamBadResponseError: "bad_response",
    UpstreamUnavailableError: "error",
}


class PolicyObserver(Protocol):
    """Receives what happened, e.g. to export Prometheus counters and histograms.

    ``on_call`` runs once per ``UpstreamPolicy.call`` with its final outcome (``success``,
    ``timeout``, ``error``, ``bad_response``, ``circuit_open``, ``bulkhead_full``,
    ``deadline_exceeded``) and its total time; and once per extra upstream call with outcome
    ``retry`` or ``hedge`` and 0.0 seconds — count those, keep them out of latency histograms.
    """

    def on_call(self, name: str, outcome: str, seconds: float) -> None: ...


class UpstreamPolicy:
    """Calls one upstream within a request's deadline, protected by every resilience mechanism."""

    def __init__(
        self,
        name: str,
        *,
        breaker: CircuitBreaker,
        bulkhead: Bulkhead,
        retry_budget: RetryBudget,
        hedge_budget: HedgeBudget,
        latency: LatencyTracker,
        hedging: bool = True,
        per_call_timeout_s: float = 0.1,
        reserve_s: float = 0.02,
        min_call_s: float = 0.01,
        hedge_quantile: float = 0.95,
        retry_base_s: float = 0.025,
        retry_cap_s: float = 0.05,
        observer: PolicyObserver | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.name = name
        self.breaker = breaker
        self.bulkhead = bulkhead
        self.retry_budget = retry_budget
        self.hedge_budget = hedge_budget
        self.latency = latency
        self.hedging = hedging
        self.per_call_timeout_s = per_call_timeout_s
        self.reserve_s = reserve_s
        self.min_call_s = min_call_s
        self.hedge_quantile = hedge_quantile
        # base 25 ms: the one retry (attempt 1) then spreads over the whole 0–50 ms cap.
        self.retry_base_s = retry_base_s
        self.retry_cap_s = retry_cap_s
        self.observer = observer
        self._rng = rng or random.Random()
        self.calls_in_flight = 0
        """Upstream calls running now, hedges included (S3: never above the bulkhead limit)."""
        self.peak_calls_in_flight = 0

    async def call(
        self, fn: Callable[[float], Awaitable[T]], *, deadline: Deadline, idempotent: bool = True
    ) -> T:
        """Call ``fn(timeout_s)`` under the policy; ``fn`` must give up after ``timeout_s``."""
        started = time.monotonic()
        try:
            result = await self._call(fn, deadline, idempotent)
        except UpstreamFailureError as error:
            self._report(_outcome(error), time.monotonic() - started)
            raise
        self._report("success", time.monotonic() - started)
        return result

    async def _call(
        self, fn: Callable[[float], Awaitable[T]], deadline: Deadline, idempotent: bool
    ) -> T:
        if deadline.remaining_s < self.min_call_s:
            raise DeadlineExceededError(self.name, "no budget left to start a call")
        if not self.breaker.allow():
            raise CircuitOpenError(self.name, f"breaker is {self.breaker.state}")
        self.retry_budget.record_attempt()
        wait_s = deadline.remaining_s - self.reserve_s - self.min_call_s
        async with self.bulkhead.slot(wait_s):
            try:
                # Only an idempotent call may run twice, whether as a hedge or as a retry.
                return await self._attempt(fn, deadline, hedge=idempotent)
            except UpstreamFailureError as error:
                if not (idempotent and self._may_retry(error)):
                    raise
                await self._sleep_before_retry(deadline, error)
                self._report("retry", 0.0)
                return await self._attempt(fn, deadline, hedge=False)

    def _may_retry(self, error: UpstreamFailureError) -> bool:
        # A malformed body will be just as malformed the second time; and a failure that has
        # just opened the breaker means the upstream should be left alone.
        if isinstance(error, UpstreamBadResponseError | DeadlineExceededError):
            return False
        return self.breaker.state == "closed"

    async def _sleep_before_retry(self, deadline: Deadline, error: UpstreamFailureError) -> None:
        room = deadline.remaining_s - self.reserve_s - self.min_call_s
        if room <= 0 or not self.retry_budget.try_acquire():
            raise error
        delay = full_jitter_delay(
            1, base_s=self.retry_base_s, cap_s=self.retry_cap_s, rng=self._rng, max_s=room
        )
        await asyncio.sleep(delay)

    async def _attempt(
        self, fn: Callable[[float], Awaitable[T]], deadline: Deadline, *, hedge: bool
    ) -> T:
        timeout_s = min(self.per_call_timeout_s, deadline.remaining_s - self.reserve_s)
        if timeout_s < self.min_call_s:
            raise DeadlineExceededError(self.name, f"{timeout_s * 1000:.1f} ms left for a call")
        attempt_ends = time.monotonic() + timeout_s
        delay_s = self.latency.quantile(self.hedge_quantile) if hedge and self.hedging else None
        if delay_s is not None and delay_s + self.min_call_s > timeout_s:
            delay_s = None  # a hedge started that late could not finish in time
        launches = 0

        async def launch() -> T:
            nonlocal launches
            launches += 1
            if launches == 1:
                return await self._one_call(fn, attempt_ends)
            # A hedge is a second concurrent call: it needs a slot of its own, or a hung
            # upstream would hold twice the bulkhead limit. No free slot: no hedge.
            async with self.bulkhead.slot(0.0):
                self._report("hedge", 0.0)
                return await self._one_call(fn, attempt_ends)

        started = time.monotonic()
        try:
            result = await hedged(launch, delay_s=delay_s, budget=self.hedge_budget)
        except UpstreamFailureError:
            self.breaker.record_failure()
            raise
        self.breaker.record_success(time.monotonic() - started)
        return result

    async def _one_call(self, fn: Callable[[float], Awaitable[T]], ends: float) -> T:
        started = time.monotonic()
        timeout_s = ends - started
        if started > ends - self.min_call_s:
            raise DeadlineExceededError(self.name, "attempt budget spent before the call")
        self.calls_in_flight += 1
        self.peak_calls_in_flight = max(self.peak_calls_in_flight, self.calls_in_flight)
        try:
            async with asyncio.timeout(timeout_s):
                result = await fn(timeout_s)
        except TimeoutError as error:
            # Timed-out calls are latencies too: leaving them out would hide a slow upstream's
            # tail from the p95 that sets the hedge delay.
            self.latency.observe(time.monotonic() - started)
            raise UpstreamTimeoutError(
                self.name, f"no answer within {timeout_s * 1000:.0f} ms"
            ) from error
        except UpstreamFailureError:
            raise
        except ValueError as error:
            raise UpstreamBadResponseError(self.name, f"bad response: {error}") from error
        except Exception as error:
            raise UpstreamUnavailableError(self.name, f"{type(error).__name__}: {error}") from error
        finally:
            self.calls_in_flight -= 1
        self.latency.observe(time.monotonic() - started)
        return result

    def _report(self, outcome: str, seconds: float) -> None:
        if self.observer is not None:
            self.observer.on_call(self.name, outcome, seconds)


def _outcome(error: UpstreamFailureError) -> str:
    for kind, name in _OUTCOMES.items():
        if isinstance(error, kind):
            return name
    return "error"
