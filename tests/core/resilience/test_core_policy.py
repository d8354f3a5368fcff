"""UpstreamPolicy: deadlines respected (S9), at most one retry, errors wrapped, hedges taken."""

from __future__ import annotations

import asyncio
import gc
import random
import time
from collections.abc import Iterator
from typing import Any

import pytest

from nextbuy.core.deadline import Deadline
from nextbuy.core.resilience.breaker import CircuitBreaker
from nextbuy.core.resilience.bulkhead import Bulkhead
from nextbuy.core.resilience.hedging import HedgeBudget, LatencyTracker
from nextbuy.core.resilience.policy import (
    BulkheadFullError,
    CircuitOpenError,
    DeadlineExceededError,
    UpstreamBadResponseError,
    UpstreamFailureError,
    UpstreamPolicy,
    UpstreamTimeoutError,
    UpstreamUnavailableError,
)
from nextbuy.core.resilience.retry import RetryBudget

MARGIN_S = 0.05  # timing assertions leave room for a busy two-core machine


@pytest.fixture(autouse=True)
def no_collector_pauses() -> Iterator[None]:
    """These tests time the policy, not the interpreter: in the whole suite's process a full
    collection can stop everything for longer than the margin. (CI once saw a deadline test
    end 0.45 s late on a slow machine; whether a collection caused it is not established.)"""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class Recorder:
    """An observer that keeps every (outcome, seconds) it is told."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, float]] = []

    def on_call(self, name: str, outcome: str, seconds: float) -> None:
        self.events.append((name, outcome, seconds))

    def outcomes(self) -> list[str]:
        return [outcome for _, outcome, _ in self.events]


class Upstream:
    """A fake upstream: each call sleeps, then fails or answers; start times are kept."""

    def __init__(self, *, sleep_s: float = 0.0, error: Exception | None = None) -> None:
        self.sleep_s = sleep_s
        self.error = error
        self.starts: list[float] = []
        self.timeouts: list[float] = []

    async def __call__(self, timeout_s: float) -> str:
        self.starts.append(time.monotonic())
        self.timeouts.append(timeout_s)
        await asyncio.sleep(self.sleep_s)
        if self.error is not None:
            raise self.error
        return "ok"


def make_policy(**overrides: Any) -> UpstreamPolicy:
    parts: dict[str, Any] = {
        "breaker": CircuitBreaker("catalog"),
        "bulkhead": Bulkhead("catalog"),
        "retry_budget": RetryBudget(ratio=1.0),
        "hedge_budget": HedgeBudget(ratio=1.0),
        "latency": LatencyTracker(),
        "rng": random.Random(1),
    }
    parts.update(overrides)
    return UpstreamPolicy("catalog", **parts)


def run_call(policy: UpstreamPolicy, fn: Upstream, budget_s: float = 0.18, **kw: Any) -> Any:
    return asyncio.run(policy.call(fn, deadline=Deadline(budget_s), **kw))


def test_a_hung_upstream_costs_no_more_than_the_deadline() -> None:
    upstream = Upstream(sleep_s=10.0)
    deadline = Deadline(0.18)
    with pytest.raises(UpstreamTimeoutError):
        asyncio.run(make_policy().call(upstream, deadline=deadline))
    took = time.monotonic() - deadline.started
    assert took <= 0.18 + MARGIN_S
    assert len(upstream.starts) == 2  # the first attempt and its one retry


def test_no_call_starts_after_the_deadline() -> None:
    for budget_s in (0.03, 0.06, 0.1, 0.14, 0.18, 0.25):
        upstream = Upstream(sleep_s=10.0)
        deadline = Deadline(budget_s)
        with pytest.raises(UpstreamFailureError):
            asyncio.run(make_policy().call(upstream, deadline=deadline))
        assert all(start < deadline.started + budget_s for start in upstream.starts)
        assert time.monotonic() - deadline.started <= budget_s + MARGIN_S


def test_fails_fast_without_calling_when_too_little_time_is_left() -> None:
    upstream = Upstream()
    with pytest.raises(DeadlineExceededError):
        run_call(make_policy(), upstream, budget_s=0.005)
    assert upstream.starts == []


def test_each_attempt_gets_the_smaller_of_the_per_call_timeout_and_the_deadline_less_reserve() -> (
    None
):
    upstream = Upstream()
    assert run_call(make_policy(), upstream, budget_s=1.0) == "ok"
    assert run_call(make_policy(), upstream, budget_s=0.06) == "ok"
    assert upstream.timeouts[0] == pytest.approx(0.1, abs=0.005)
    assert 0.02 < upstream.timeouts[1] <= 0.04  # 60 ms less the 20 ms reserve, less time spent


def test_retries_a_failed_idempotent_call_exactly_once() -> None:
    upstream = Upstream(error=ConnectionResetError("reset by peer"))
    with pytest.raises(UpstreamUnavailableError) as caught:
        run_call(make_policy(), upstream)
    assert len(upstream.starts) == 2
    assert isinstance(caught.value.__cause__, ConnectionResetError)


def test_does_not_retry_or_hedge_a_call_that_is_not_idempotent() -> None:
    upstream = Upstream(error=ConnectionResetError("reset"))
    with pytest.raises(UpstreamUnavailableError):
        run_call(make_policy(), upstream, idempotent=False)
    assert len(upstream.starts) == 1


def test_does_not_retry_beyond_the_budget() -> None:
    upstream = Upstream(error=ConnectionResetError("reset"))
    policy = make_policy(retry_budget=RetryBudget(ratio=0.0, min_retries_per_s=0.0))
    with pytest.raises(UpstreamUnavailableError):
        run_call(policy, upstream)
    assert len(upstream.starts) == 1


def test_a_malformed_body_is_a_bad_response_and_is_not_retried() -> None:
    upstream = Upstream(error=ValueError("unexpected end of JSON"))
    with pytest.raises(UpstreamBadResponseError) as caught:
        run_call(make_policy(), upstream)
    assert len(upstream.starts) == 1
    assert isinstance(caught.value.__cause__, ValueError)


def test_an_open_breaker_refuses_without_calling() -> None:
    breaker = CircuitBreaker("catalog")
    for _ in range(5):
        breaker.record_failure()
    upstream = Upstream()
    with pytest.raises(CircuitOpenError):
        run_call(make_policy(breaker=breaker), upstream)
    assert upstream.starts == []


def test_failures_open_the_breaker_and_stop_the_calls() -> None:
    breaker = CircuitBreaker("catalog")
    policy = make_policy(breaker=breaker)
    upstream = Upstream(error=ConnectionRefusedError("refused"))
    outcomes = []
    for _ in range(10):
        with pytest.raises(UpstreamFailureError) as caught:
            run_call(policy, upstream)
        outcomes.append(type(caught.value))
    assert breaker.state == "open"
    assert len(upstream.starts) <= 5  # S2: open within ≤ 5 failed calls
    assert outcomes[-1] is CircuitOpenError


def test_a_full_bulkhead_refuses_within_the_deadline() -> None:
    async def run() -> float:
        policy = make_policy(bulkhead=Bulkhead("catalog", limit=1))
        hog = asyncio.create_task(policy.call(Upstream(sleep_s=0.5), deadline=Deadline(1.0)))
        await asyncio.sleep(0.01)
        deadline = Deadline(0.1)
        with pytest.raises(BulkheadFullError):
            await policy.call(Upstream(), deadline=deadline)
        hog.cancel()
        await asyncio.gather(hog, return_exceptions=True)
        return time.monotonic() - deadline.started

    assert asyncio.run(run()) <= 0.1 + MARGIN_S


def test_hedges_a_call_slower_than_the_p95() -> None:
    class SlowFirst(Upstream):
        async def __call__(self, timeout_s: float) -> str:
            self.sleep_s = 1.0 if not self.starts else 0.005
            return await super().__call__(timeout_s)

    latency = LatencyTracker()
    for _ in range(100):
        latency.observe(0.01)
    recorder = Recorder()
    policy = make_policy(latency=latency, observer=recorder)
    deadline = Deadline(0.18)
    assert asyncio.run(policy.call(SlowFirst(), deadline=deadline)) == "ok"
    assert time.monotonic() - deadline.started < 0.1
    assert recorder.outcomes() == ["hedge", "success"]


def test_reports_each_outcome_to_the_observer() -> None:
    recorder = Recorder()
    policy = make_policy(observer=recorder)
    run_call(policy, Upstream())
    with pytest.raises(UpstreamTimeoutError):
        run_call(policy, Upstream(sleep_s=1.0))
    assert recorder.outcomes() == ["success", "retry", "timeout"]
    assert all(name == "catalog" for name, _, _ in recorder.events)


def test_hedges_of_a_hung_upstream_never_take_calls_past_the_bulkhead_limit() -> None:
    """S3: with hedging on and every call hanging, calls in flight stay ≤ the bulkhead limit."""

    async def run() -> tuple[int, int]:
        latency = LatencyTracker()
        for _ in range(100):
            latency.observe(0.01)  # a 10 ms p95: every hung call is worth a hedge
        policy = make_policy(
            bulkhead=Bulkhead("catalog", limit=4),
            latency=latency,
            breaker=CircuitBreaker("catalog", consecutive_failures=1000),
            per_call_timeout_s=0.3,
        )
        hung = Upstream(sleep_s=10.0)
        calls = [policy.call(hung, deadline=Deadline(0.5)) for _ in range(12)]
        await asyncio.gather(*calls, return_exceptions=True)
        return policy.peak_calls_in_flight, policy.calls_in_flight

    peak, left = asyncio.run(run())
    assert peak == 4
    assert left == 0  # every timed-out call was counted out again
