"""Time single upstream calls, one at a time, through a proxy with the bench's injected latency.

The cold-start target compares the engine's p50 with "the slowest single upstream call" a cold
request makes (``COLD_PATH_CALLS``). The other per-user calls (the products bought in up to 500
orders, the full order history the naive plane reads) and the naive plane's per-product calls
are timed too, each alone so nothing queues.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass

import aiohttp
import numpy as np

from nextbuy.bench.fault_proxy import FaultProxy, Faults
from nextbuy.bench.stack import BenchStack

Call = tuple[str, str, dict[str, list[str]] | None]


PROFILE_CALL = "profiles GET /v1/users/{id}"
PURCHASES_CALL = "orders GET /v1/users/{id}/purchased-products"
COLD_PATH_CALLS = (PROFILE_CALL,)
"""The calls the optimised engine makes for a cold user: the cold target's reference is the
slowest of these. Purchases come from the orders feed the engine follows (ADR 0024), so only
the profile is left; the purchases call (what it made before, and still makes until it has
read the feed once) and the full history (the naive baseline's) are timed for comparison."""


@dataclass(frozen=True, slots=True)
class UpstreamProbe:
    call: str
    p50_ms: float
    p95_ms: float
    samples: int


async def probe_upstreams(
    stack: BenchStack, users: Sequence[str], products: int, latency: Faults
) -> list[UpstreamProbe]:
    """p50/p95 of each kind of call, sequentially, through fresh proxies (not counted)."""
    proxies = {
        name: FaultProxy(f"probe->{name}", stack.ports[name], faults=latency, seed=99)
        for name in ("profiles", "orders", "catalog", "inventory")
    }
    for proxy in proxies.values():
        await proxy.start()
    step = max(1, products // 100)
    product_ids = [f"p{i + 1:06d}" for i in range(0, products, step)][:100]
    calls: dict[str, list[Call]] = {
        PROFILE_CALL: [("GET", f"{proxies['profiles'].url}/v1/users/{u}", None) for u in users],
        "orders GET /v1/users/{id}/orders?limit=1000": [
            ("GET", f"{proxies['orders'].url}/v1/users/{u}/orders?limit=1000", None) for u in users
        ],
        # What the optimised engine calls since ADR 0021's addendum; the row above is still
        # the naive baseline's call.
        PURCHASES_CALL: [
            ("GET", f"{proxies['orders'].url}/v1/users/{u}/purchased-products?limit=1000", None)
            for u in users
        ],
        "catalog GET /v1/products/{id}": [
            ("GET", f"{proxies['catalog'].url}/v1/products/{p}", None)
            for p in product_ids[: len(users)]
        ],
        "inventory POST /v1/stock:lookup (100 ids)": [
            ("POST", f"{proxies['inventory'].url}/v1/stock:lookup", {"ids": product_ids[:100]})
        ]
        * len(users),
    }
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            # Each kind of call one at a time, the four upstreams side by side: they are four
            # processes, and this takes a quarter of the time of one long sequence. Kinds of
            # call to the same upstream take turns, so no call queues behind another.
            by_upstream: dict[str, list[tuple[str, list[Call]]]] = {}
            for name, batch in calls.items():
                by_upstream.setdefault(name.split()[0], []).append((name, batch))
            timings = (_time_in_turn(session, kinds) for kinds in by_upstream.values())
            per_upstream = await asyncio.gather(*timings)
            by_name = {probe.call: probe for probes in per_upstream for probe in probes}
            return [by_name[name] for name in calls]
    finally:
        for proxy in proxies.values():
            await proxy.stop()


async def _time_in_turn(
    session: aiohttp.ClientSession, kinds: list[tuple[str, list[Call]]]
) -> list[UpstreamProbe]:
    return [await _time_calls(session, name, batch) for name, batch in kinds]


async def _time_calls(
    session: aiohttp.ClientSession,
    name: str,
    calls: list[Call],
) -> UpstreamProbe:
    timings = []
    for method, url, body in calls:
        start = time.perf_counter()
        async with session.request(method, url, json=body) as response:
            await response.read()
        timings.append(time.perf_counter() - start)
    p50, p95 = np.percentile(np.array(timings), [50, 95], method="higher") * 1000
    return UpstreamProbe(name, round(float(p50), 2), round(float(p95), 2), len(timings))
