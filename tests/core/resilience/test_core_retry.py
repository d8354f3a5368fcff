"""The retry budget holds retries to 10% (S6) and full jitter spreads a herd apart (S8)."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nextbuy.core.resilience.retry import RetryBudget, full_jitter_delay
from tests.core.resilience.clock import FakeClock


def upstream_calls_when_everything_fails(requests: int, rate_per_s: float) -> int:
    """Every request's call fails; each retries once if the budget allows (S6's shape)."""
    clock = FakeClock()
    budget = RetryBudget(clock=clock)
    calls = 0
    for _ in range(requests):
        budget.record_attempt()
        calls += 1
        if budget.try_acquire():
            calls += 1
        clock.advance(1.0 / rate_per_s)
    return calls


def test_a_storm_of_failures_costs_at_most_one_point_one_calls_per_request() -> None:
    requests = 6000  # 30 s at 200 rps, as in S6
    assert upstream_calls_when_everything_fails(requests, 200.0) <= 1.1 * requests


def test_without_a_budget_the_same_storm_would_double_the_load() -> None:
    # The comparison S6 is about: one unconditional retry sends 2× (three would send 4×).
    budget = RetryBudget(ratio=1.0, min_retries_per_s=0.0, clock=FakeClock())
    granted = 0
    for _ in range(100):
        budget.record_attempt()
        granted += budget.try_acquire()
    assert granted == 100


def test_a_quiet_upstream_still_gets_the_floor_of_retries() -> None:
    clock = FakeClock()
    budget = RetryBudget(clock=clock)  # floor: 1 retry/s over 10 s
    for _ in range(5):
        budget.record_attempt()
    assert sum(budget.try_acquire() for _ in range(20)) == 10


def test_spent_retries_age_out_with_the_window() -> None:
    clock = FakeClock()
    budget = RetryBudget(min_retries_per_s=0.0, clock=clock)
    for _ in range(100):
        budget.record_attempt()
    assert sum(budget.try_acquire() for _ in range(50)) == 10
    clock.advance(11.0)
    assert not budget.try_acquire()  # the attempts aged out too
    for _ in range(100):
        budget.record_attempt()
    assert sum(budget.try_acquire() for _ in range(50)) == 10


def test_every_delay_is_within_the_cap() -> None:
    rng = random.Random(7)
    delays = [full_jitter_delay(attempt, rng=rng) for attempt in range(1, 20) for _ in range(200)]
    assert max(delays) <= 0.05
    assert min(delays) >= 0.0


def test_the_first_retry_waits_at_most_twice_the_base() -> None:
    rng = random.Random(7)
    assert max(full_jitter_delay(1, base_s=0.01, rng=rng) for _ in range(1000)) <= 0.02


def test_attempts_count_from_one() -> None:
    with pytest.raises(ValueError, match="from 1"):
        full_jitter_delay(0)


@settings(max_examples=60, deadline=None, database=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    base_s=st.floats(0.001, 0.1),
    cap_s=st.floats(0.01, 1.0),
    attempt=st.integers(1, 6),
    remaining_s=st.floats(0.0, 0.2),
)
def test_a_herd_of_a_thousand_clients_retries_spread_out(
    seed: int, base_s: float, cap_s: float, attempt: int, remaining_s: float
) -> None:
    """S8: 1,000 clients fail at the same instant and each draws its retry delay.

    With the range the delays can span cut into 50 equal buckets (1 ms buckets at the 50 ms
    default cap), no bucket holds more than 5% of the retries; no delay exceeds the cap; and no
    delay outlasts what the deadline leaves (``max_s``).
    """
    rng = random.Random(seed)
    delays = [
        full_jitter_delay(attempt, base_s=base_s, cap_s=cap_s, rng=rng, max_s=remaining_s)
        for _ in range(1000)
    ]
    ceiling = min(cap_s, base_s * 2**attempt, remaining_s)
    assert all(0.0 <= delay <= max(ceiling, 0.0) for delay in delays)
    if ceiling < 1e-6:
        assert set(delays) == {0.0}  # below timer resolution there is nothing to spread
        return
    buckets = Counter(min(int(delay / ceiling * 50), 49) for delay in delays)
    assert max(buckets.values()) <= 50


@settings(max_examples=20, deadline=None, database=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_a_herd_spread_over_the_default_cap_has_no_10ms_spike(seed: int) -> None:
    """S8 at the house defaults (one retry over 0–50 ms): 10 ms buckets hold ~20% each.

    50 ms spans only five 10 ms buckets, so "≤ 5% per 10 ms bucket" cannot hold at this cap;
    what jitter buys is that no bucket holds much more than its fair fifth (vs 100% unjittered).
    """
    rng = random.Random(seed)
    delays = [full_jitter_delay(1, base_s=0.025, cap_s=0.05, rng=rng) for _ in range(1000)]
    buckets = Counter(int(delay / 0.01) for delay in delays)
    assert max(buckets.values()) <= 260
