"""The upstream probe times each kind of per-user call alone, the orders ones included."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from aiohttp import web

from nextbuy.bench.fault_proxy import NO_FAULTS
from nextbuy.bench.probe import probe_upstreams
from nextbuy.bench.stack import BenchStack
from tests.bench.bench_servers import Recorded


@asynccontextmanager
async def upstream(paths: list[str]) -> AsyncIterator[tuple[int, Recorded]]:
    """Answer ``{}`` to anything after a short pause, recording paths and concurrency."""
    recorded = Recorded()

    async def handle(request: web.Request) -> web.Response:
        recorded.in_flight += 1
        recorded.max_in_flight = max(recorded.max_in_flight, recorded.in_flight)
        try:
            paths.append(request.path_qs)
            await asyncio.sleep(0.002)
            return web.json_response({})
        finally:
            recorded.in_flight -= 1

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield runner.addresses[0][1], recorded
    finally:
        await runner.cleanup()


def test_both_orders_calls_are_probed_one_at_a_time(tmp_path: Path) -> None:
    names = ("profiles", "orders", "catalog", "inventory")
    paths: dict[str, list[str]] = {name: [] for name in names}

    async def scenario() -> tuple[list[str], dict[str, Recorded]]:
        stack = BenchStack(home=tmp_path, latency=NO_FAULTS, redis_binary=None)
        async with AsyncExitStack() as servers:
            recorded = {}
            for name in names:
                port, recorded[name] = await servers.enter_async_context(upstream(paths[name]))
                stack.ports[name] = port
            probes = await probe_upstreams(stack, ["u1", "u2"], 200, NO_FAULTS)
        assert all(probe.samples == 2 for probe in probes)
        return [probe.call for probe in probes], recorded

    calls, recorded = asyncio.run(scenario())
    assert calls == [
        "profiles GET /v1/users/{id}",
        "orders GET /v1/users/{id}/orders?limit=1000",
        "orders GET /v1/users/{id}/purchased-products",
        "catalog GET /v1/products/{id}",
        "inventory POST /v1/stock:lookup (100 ids)",
    ]
    assert paths["orders"] == [
        "/v1/users/u1/orders?limit=1000",
        "/v1/users/u2/orders?limit=1000",
        "/v1/users/u1/purchased-products?limit=1000",
        "/v1/users/u2/purchased-products?limit=1000",
    ]
    # Two kinds of orders call take turns: neither is timed queueing behind the other.
    assert {name: r.max_in_flight for name, r in recorded.items()} == dict.fromkeys(names, 1)
