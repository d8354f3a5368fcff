"""The breaker's state machine, driven by a fake clock: every transition and every rule."""

from __future__ import annotations

from typing import Any

from nextbuy.core.resilience.breaker import BreakerState, CircuitBreaker
from tests.core.resilience.clock import FakeClock
from tests.support.fresh_reads import breaker_state

FAST = 0.001


def make_breaker(clock: FakeClock, **overrides: Any) -> CircuitBreaker:
    return CircuitBreaker("catalog", clock=clock, **overrides)


def open_breaker(breaker: CircuitBreaker) -> None:
    for _ in range(5):
        breaker.record_failure()


def test_a_new_breaker_is_closed_and_allows_calls() -> None:
    breaker = make_breaker(FakeClock())
    assert breaker_state(breaker) == "closed"
    assert breaker.allow()


def test_opens_after_five_consecutive_failures_not_four() -> None:
    breaker = make_breaker(FakeClock())
    for _ in range(4):
        breaker.record_failure()
    assert breaker_state(breaker) == "closed"
    breaker.record_failure()
    assert breaker_state(breaker) == "open"
    assert not breaker.allow()


def test_a_success_resets_the_consecutive_count() -> None:
    breaker = make_breaker(FakeClock())
    for _ in range(4):
        breaker.record_failure()
    breaker.record_success(FAST)
    for _ in range(4):
        breaker.record_failure()
    assert breaker_state(breaker) == "closed"


def test_opens_at_half_failures_over_twenty_calls_in_the_window() -> None:
    breaker = make_breaker(FakeClock())
    # Alternate so the consecutive rule never fires: only the rate rule can open it.
    for _ in range(9):
        breaker.record_success(FAST)
        breaker.record_failure()
    breaker.record_success(FAST)
    assert breaker_state(breaker) == "closed"  # 9 of 19: too few calls to judge
    breaker.record_failure()
    assert breaker_state(breaker) == "open"  # 10 of 20 = 50%


def test_the_rate_rule_forgets_calls_older_than_the_window() -> None:
    clock = FakeClock()
    breaker = make_breaker(clock)
    for _ in range(10):
        breaker.record_failure()
        breaker.record_success(FAST)
        breaker.record_success(FAST)  # 1 in 3 fail: below the rate
    clock.advance(11.0)
    for _ in range(9):
        breaker.record_success(FAST)
        breaker.record_failure()
    # Were the old 30 calls still counted, 19 of 48 would not trip; alone, 9 of 18 cannot yet.
    assert breaker_state(breaker) == "closed"
    breaker.record_success(FAST)
    breaker.record_failure()
    assert breaker_state(breaker) == "open"


def test_opens_when_half_the_calls_are_slow() -> None:
    breaker = make_breaker(FakeClock(), slow_call_s=0.1)
    for _ in range(10):
        breaker.record_success(0.05)
        breaker.record_success(0.15)
    assert breaker_state(breaker) == "open"


def test_slow_calls_do_not_count_when_the_slow_rule_is_off() -> None:
    breaker = make_breaker(FakeClock(), slow_call_s=None)
    for _ in range(40):
        breaker.record_success(10.0)
    assert breaker_state(breaker) == "closed"


def test_turns_half_open_after_the_open_interval() -> None:
    clock = FakeClock()
    breaker = make_breaker(clock)
    open_breaker(breaker)
    clock.advance(4.9)
    assert breaker_state(breaker) == "open"
    clock.advance(0.1)
    assert breaker_state(breaker) == "half_open"


def test_half_open_lets_exactly_one_probe_through() -> None:
    clock = FakeClock()
    breaker = make_breaker(clock)
    open_breaker(breaker)
    clock.advance(5.0)
    assert [breaker.allow() for _ in range(10)] == [True] + [False] * 9


def test_a_successful_probe_closes_the_breaker() -> None:
    clock = FakeClock()
    breaker = make_breaker(clock)
    open_breaker(breaker)
    clock.advance(5.0)
    assert breaker.allow()
    breaker.record_success(FAST)
    assert breaker_state(breaker) == "closed"
    assert all(breaker.allow() for _ in range(10))


def test_a_failed_probe_reopens_for_another_interval() -> None:
    clock = FakeClock()
    breaker = make_breaker(clock)
    open_breaker(breaker)
    clock.advance(5.0)
    assert breaker.allow()
    breaker.record_failure()
    assert breaker_state(breaker) == "open"
    clock.advance(4.9)
    assert not breaker.allow()
    clock.advance(0.1)
    assert breaker.allow()


def test_a_slow_probe_reopens_the_breaker() -> None:
    clock = FakeClock()
    breaker = make_breaker(clock)
    open_breaker(breaker)
    clock.advance(5.0)
    assert breaker.allow()
    breaker.record_success(0.5)
    assert breaker_state(breaker) == "open"


def test_a_lost_probe_does_not_wedge_the_breaker() -> None:
    clock = FakeClock()
    breaker = make_breaker(clock)
    open_breaker(breaker)
    clock.advance(5.0)
    assert breaker.allow()  # its caller was cancelled and never reports back
    clock.advance(5.0)
    assert breaker.allow()


def test_a_closed_breaker_starts_with_a_clean_window() -> None:
    clock = FakeClock()
    breaker = make_breaker(clock)
    for _ in range(9):
        breaker.record_success(FAST)
        breaker.record_failure()
    open_breaker(breaker)
    clock.advance(5.0)
    breaker.allow()
    breaker.record_success(FAST)
    breaker.record_failure()
    assert breaker_state(breaker) == "closed"


def test_reports_every_transition() -> None:
    clock = FakeClock()
    seen: list[tuple[str, BreakerState, BreakerState]] = []
    breaker = make_breaker(clock, on_state_change=lambda *change: seen.append(change))
    open_breaker(breaker)
    clock.advance(5.0)
    breaker.allow()
    breaker.record_failure()
    clock.advance(5.0)
    breaker.allow()
    breaker.record_success(FAST)
    assert seen == [
        ("catalog", "closed", "open"),
        ("catalog", "open", "half_open"),
        ("catalog", "half_open", "open"),
        ("catalog", "open", "half_open"),
        ("catalog", "half_open", "closed"),
    ]
