"""S5 on the mechanism, through the bench's fault proxy: 1% of calls +200 ms, two calls per
request as the engine makes (profile and orders). Hedging after the p95 must cut the request
p99 and add at most the 5% budget of calls, counted at the proxy."""

from __future__ import annotations

import asyncio
import time

import numpy as np
from aiohttp import web

from nextbuy.bench.fault_proxy import FaultProxy, Faults
from nextbuy.core.deadline import Deadline
from nextbuy.core.http_client import create_session
from nextbuy.core.resilience.breaker import CircuitBreaker
from nextbuy.core.resilience.bulkhead import Bulkhead
from nextbuy.core.resilience.hedging import HedgeBudget, LatencyTracker
from nextbuy.core.resilience.policy import UpstreamPolicy
from nextbuy.core.resilience.retry import RetryBudget
from nextbuy.engine.upstream.http import UpstreamHttp

REQUESTS, RATE, WARMUP = 1200, 150.0, 100
TAIL = Faults(slow_fraction=0.01, slow_extra_ms=200.0)


async def p99_and_calls(port: int, *, hedging: bool) -> tuple[float, int]:
    proxy = FaultProxy("s5", port, faults=TAIL, seed=7)
    await proxy.start()
    policy = UpstreamPolicy(
        "s5",
        breaker=CircuitBreaker("s5", slow_call_s=0.5),
        bulkhead=Bulkhead("s5", 10),
        retry_budget=RetryBudget(0.1),
        hedge_budget=HedgeBudget(0.05),
        latency=LatencyTracker(),
        hedging=hedging,
        per_call_timeout_s=1.0,
    )
    latencies: list[float] = []
    try:
        async with create_session() as session:
            http = UpstreamHttp(session, proxy.url, "s5", max_body_bytes=1 << 20)

            async def call() -> object:
                return await policy.call(
                    lambda timeout_s: http.get("/x", timeout_s=timeout_s), deadline=Deadline(2.0)
                )

            async def request() -> None:
                started = time.monotonic()
                await asyncio.gather(call(), call())
                latencies.append(time.monotonic() - started)

            tasks = []
            for _ in range(REQUESTS):
                tasks.append(asyncio.create_task(request()))
                await asyncio.sleep(1 / RATE)
            await asyncio.gather(*tasks)
    finally:
        await proxy.stop()
    measured = np.array(latencies[WARMUP:])  # the p95 needs 50 samples before it hedges
    return float(np.percentile(measured, 99, method="higher")), proxy.requests


async def off_and_on() -> tuple[tuple[float, int], tuple[float, int]]:
    async def answer(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_get("/x", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        return await p99_and_calls(port, hedging=False), await p99_and_calls(port, hedging=True)
    finally:
        await runner.cleanup()


def test_hedging_cuts_the_p99_of_a_1pct_slow_upstream_for_at_most_5pct_more_calls() -> None:
    (off_p99, off_calls), (on_p99, on_calls) = asyncio.run(off_and_on())
    assert off_p99 >= 0.2  # the fault shows: the slow 1% reach the p99 of two-call requests
    # Measured 223 → 67 ms at load 9-12 on the 2-core VM; the margin allows a loaded machine.
    assert on_p99 <= 0.6 * off_p99
    assert on_calls <= 1.05 * off_calls + 2
