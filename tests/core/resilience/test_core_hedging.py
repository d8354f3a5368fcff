"""Hedging cuts a planted slow call, cancels the loser, and stays within its 5% budget (S5)."""

from __future__ import annotations

import asyncio
import time

import pytest

from nextbuy.core.resilience.hedging import HedgeBudget, LatencyTracker, hedged


class PlantedCalls:
    """A call whose n-th invocation sleeps ``delays[n]`` (the last delay repeats)."""

    def __init__(self, *delays: float, fail: tuple[int, ...] = ()) -> None:
        self.delays = delays
        self.fail = fail
        self.started = 0
        self.cancelled = 0

    async def __call__(self) -> int:
        index = self.started
        self.started += 1
        try:
            await asyncio.sleep(self.delays[min(index, len(self.delays) - 1)])
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        if index in self.fail:
            raise ConnectionError(f"call {index} failed")
        return index


def timed(coro_fn: PlantedCalls, delay_s: float | None) -> tuple[int, float]:
    async def run() -> tuple[int, float]:
        started = time.monotonic()
        result = await hedged(coro_fn, delay_s=delay_s, budget=HedgeBudget(ratio=1.0))
        return result, time.monotonic() - started

    return asyncio.run(run())


def test_a_hedge_cuts_a_slow_first_call_short_and_cancels_it() -> None:
    calls = PlantedCalls(2.0, 0.01)
    result, took = timed(calls, delay_s=0.02)
    assert result == 1
    assert took < 0.5  # vs 2 s unhedged; wide margin for a loaded machine
    assert calls.cancelled == 1


def test_a_fast_first_call_is_never_hedged() -> None:
    calls = PlantedCalls(0.001)
    assert timed(calls, delay_s=0.5)[0] == 0
    assert calls.started == 1


def test_no_delay_means_no_hedge() -> None:
    calls = PlantedCalls(0.05, 0.0)
    assert timed(calls, delay_s=None)[0] == 0
    assert calls.started == 1


def test_a_failed_hedge_leaves_the_first_call_to_finish() -> None:
    calls = PlantedCalls(0.1, 0.0, fail=(1,))
    assert timed(calls, delay_s=0.01)[0] == 0


def test_when_both_calls_fail_the_first_error_is_raised() -> None:
    calls = PlantedCalls(0.05, 0.0, fail=(0, 1))
    with pytest.raises(ConnectionError, match="call 0"):
        timed(calls, delay_s=0.01)


def test_hedges_stay_within_five_percent_of_calls() -> None:
    async def run() -> int:
        budget = HedgeBudget()
        calls = PlantedCalls(0.002)
        # delay 0: every call asks for a hedge, so only the budget limits them.
        await asyncio.gather(*(hedged(calls, delay_s=0.0, budget=budget) for _ in range(1000)))
        return calls.started

    assert asyncio.run(run()) <= 1050


def test_the_tracker_has_no_quantile_until_it_has_enough_samples() -> None:
    tracker = LatencyTracker()
    for _ in range(49):
        tracker.observe(0.01)
    assert tracker.quantile(0.95) is None
    tracker.observe(0.01)
    assert tracker.quantile(0.95) == 0.01


def test_the_tracker_reports_the_p95_of_its_window() -> None:
    tracker = LatencyTracker(window=100, resort_every=1)
    for ms in range(1, 101):
        tracker.observe(ms / 1000)
    assert tracker.quantile(0.95) == pytest.approx(0.095)
    for _ in range(100):
        tracker.observe(0.5)  # the window slides: old samples are gone
    assert tracker.quantile(0.5) == 0.5
