"""The load generator is open-loop: it keeps its schedule when the server is slow, and measures
every request from the time it was scheduled to leave."""

from __future__ import annotations

import asyncio
import time

import numpy as np

from nextbuy.bench.loadgen import (
    SOURCE_BITS,
    LoadPlan,
    LoadResult,
    arrival_offsets,
    run_closed_loop,
    run_open_loop,
)
from nextbuy.bench.stats import degraded_after_recovery_s, summarise
from tests.bench.bench_servers import Recorded, tiny_server


def plan(url: str, **overrides: object) -> LoadPlan:
    fields: dict[str, object] = {
        "url_template": f"{url}/v1/recommendations?user_id={{user}}&k=10",
        "users": ["u1", "u2", "u3"],
        "rate_per_s": 40.0,
        "duration_s": 1.5,
        "arrivals": "uniform",
        "timeout_s": 5.0,
    }
    fields.update(overrides)
    return LoadPlan(**fields)  # type: ignore[arg-type]


def test_arrival_rate_holds_when_the_server_is_slow() -> None:
    async def scenario() -> tuple[LoadResult, Recorded]:
        async with tiny_server(delay_s=0.5) as (url, recorded):
            return await run_open_loop(plan(url)), recorded

    result, recorded = asyncio.run(scenario())
    assert len(result) == 60
    arrivals = np.array(recorded.arrivals)
    # A closed loop would have sent one request per 0.5 s answer; open loop sends on schedule.
    assert 1.2 <= arrivals.max() - arrivals.min() <= 2.5
    assert recorded.max_in_flight >= 15
    assert np.all(result.status == 200)
    assert np.all(result.latency_s >= 0.45)


def test_latency_counts_from_the_scheduled_start_not_the_actual_send() -> None:
    async def scenario() -> LoadResult:
        async with tiny_server() as (url, _):
            loop = asyncio.get_running_loop()
            # Freeze the client's event loop for 0.5 s: requests due meanwhile leave late, and
            # that lateness must show in their latency (no coordinated omission).
            loop.call_later(0.3, time.sleep, 0.5)
            return await run_open_loop(plan(url, rate_per_s=50.0))

    result = asyncio.run(scenario())
    due_while_frozen = (result.scheduled_s > 0.35) & (result.scheduled_s < 0.6)
    assert due_while_frozen.sum() >= 8
    assert np.all(result.latency_s[due_while_frozen] >= 0.15)
    assert result.latency_s.max() >= 0.3
    assert np.median(result.latency_s) < 0.1


def test_degraded_answers_are_counted_with_their_sources() -> None:
    async def scenario() -> LoadResult:
        async with tiny_server(degraded_users=frozenset({"u2"})) as (url, _):
            return await run_open_loop(plan(url, duration_s=0.75))

    result = asyncio.run(scenario())
    summary = summarise(result)
    assert summary.errors == 0
    assert 25 <= summary.degraded_pct <= 40
    assert result.degraded_sources == {"orders": int(result.degraded.sum())}
    assert set(result.sources[result.degraded].tolist()) == {SOURCE_BITS["orders"]}


def test_errors_are_recorded_not_raised() -> None:
    async def scenario() -> LoadResult:
        return await run_open_loop(plan("http://127.0.0.1:1", duration_s=0.25))

    result = asyncio.run(scenario())
    summary = summarise(result)
    assert summary.requests == 10
    assert summary.errors == 10
    assert summary.within_200ms_pct == 0


def test_closed_loop_measures_capacity() -> None:
    async def scenario() -> LoadResult:
        async with tiny_server() as (url, _):
            return await run_closed_loop(plan(url, duration_s=0.5), concurrency=4)

    result = asyncio.run(scenario())
    assert len(result) > 20
    assert np.all(result.status == 200)
    assert summarise(result).rps > 20


def test_poisson_arrivals_average_the_rate() -> None:
    offsets = arrival_offsets(200.0, 10.0, "poisson", seed=3)
    assert 1800 <= offsets.size <= 2200
    assert np.all(np.diff(offsets) >= 0)
    assert offsets.max() < 10.0


def test_recovery_is_the_last_degraded_send_after_the_fault_ends() -> None:
    result = LoadResult.empty(5)
    result.scheduled_s[:] = [0.0, 1.0, 2.0, 3.0, 4.0]
    result.status[:] = 200
    result.latency_s[:] = 0.01
    result.degraded[:] = [False, True, True, True, False]
    assert degraded_after_recovery_s(result, 1.5) == 1.5
    result.degraded[:] = False
    assert degraded_after_recovery_s(result, 1.5) == 0.0


def test_recovery_can_follow_one_source_only() -> None:
    result = LoadResult.empty(4)
    result.scheduled_s[:] = [0.0, 1.0, 2.0, 3.0]
    result.status[:] = 200
    result.latency_s[:] = 0.01
    result.degraded[:] = True
    result.sources[:] = [4, 4 | 1, 1, 1]  # orders, orders+profiles, then profiles only
    assert degraded_after_recovery_s(result, 0.5, "orders") == 0.5
    assert degraded_after_recovery_s(result, 0.5) == 2.5


def test_no_request_leaves_before_its_scheduled_time() -> None:
    async def scenario() -> tuple[LoadResult, Recorded, float]:
        async with tiny_server() as (url, recorded):
            loop = asyncio.get_running_loop()
            start = loop.time()
            result = await run_open_loop(plan(url, rate_per_s=200.0, duration_s=0.5))
            return result, recorded, start

    result, recorded, start = asyncio.run(scenario())
    arrivals = np.sort(np.array(recorded.arrivals) - start)
    assert np.all(arrivals >= np.sort(result.scheduled_s))
