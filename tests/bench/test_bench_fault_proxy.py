"""The fault proxy adds latency per request, resets, black-holes, and counts what passes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp

from nextbuy.bench.fault_proxy import NO_FAULTS, FaultProxy, Faults
from tests.bench.bench_servers import Recorded, tiny_server


@asynccontextmanager
async def proxied(faults: Faults) -> AsyncIterator[tuple[FaultProxy, Recorded]]:
    async with tiny_server() as (url, recorded):
        proxy = FaultProxy("test", int(url.rsplit(":", 1)[1]), faults=faults, seed=1)
        await proxy.start()
        try:
            yield proxy, recorded
        finally:
            await proxy.stop()


async def timed_get(session: aiohttp.ClientSession, url: str) -> float:
    start = time.perf_counter()
    async with session.get(url) as response:
        await response.read()
        assert response.status == 200
    return time.perf_counter() - start


def test_latency_is_added_to_every_request_on_a_keep_alive_connection() -> None:
    async def scenario() -> tuple[list[float], FaultProxy]:
        async with (
            proxied(Faults(latency_ms=120, jitter_ms=0)) as (proxy, _),
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1)) as session,
        ):
            timings = [await timed_get(session, f"{proxy.url}/echo") for _ in range(4)]
            return timings, proxy

    timings, proxy = asyncio.run(scenario())
    assert all(t >= 0.1 for t in timings), timings
    assert proxy.requests == 4
    assert proxy.connections == 1  # one keep-alive connection, delayed per request


def test_faults_switch_at_run_time() -> None:
    async def scenario() -> tuple[float, float, float]:
        async with proxied(NO_FAULTS) as (proxy, _), aiohttp.ClientSession() as session:
            before = await timed_get(session, f"{proxy.url}/echo")
            proxy.configure(added_ms=250)
            slowed = await timed_get(session, f"{proxy.url}/echo")
            proxy.reset_faults()
            after = await timed_get(session, f"{proxy.url}/echo")
            return before, slowed, after

    before, slowed, after = asyncio.run(scenario())
    assert slowed >= 0.24
    assert before < 0.2
    assert after < 0.2


def test_a_fraction_of_requests_is_slowed() -> None:
    async def scenario() -> list[float]:
        faults = Faults(latency_ms=0, jitter_ms=0, slow_fraction=0.5, slow_extra_ms=150)
        async with proxied(faults) as (proxy, _), aiohttp.ClientSession() as session:
            return [await timed_get(session, f"{proxy.url}/echo") for _ in range(30)]

    timings = asyncio.run(scenario())
    slow = sum(t >= 0.14 for t in timings)
    assert 5 <= slow <= 25, timings


def test_resets_reach_the_client_and_are_counted() -> None:
    async def scenario() -> tuple[type[BaseException] | None, FaultProxy, Recorded]:
        async with (
            proxied(Faults(latency_ms=0, jitter_ms=0, reset_fraction=1.0)) as (
                proxy,
                recorded,
            ),
            aiohttp.ClientSession() as session,
        ):
            try:
                await timed_get(session, f"{proxy.url}/echo")
            except aiohttp.ClientError as error:
                return type(error), proxy, recorded
            return None, proxy, recorded

    error, proxy, recorded = asyncio.run(scenario())
    assert error is not None
    assert issubclass(error, aiohttp.ClientConnectionError)
    assert proxy.requests in {1, 2}  # aiohttp retries an idempotent GET once after a reset
    assert recorded.arrivals == []  # never forwarded


def test_black_hole_accepts_but_never_answers() -> None:
    async def scenario() -> tuple[bool, FaultProxy, Recorded]:
        async with (
            proxied(Faults(black_hole=True)) as (proxy, recorded),
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.4)) as session,
        ):
            try:
                await timed_get(session, f"{proxy.url}/echo")
            except TimeoutError:
                return True, proxy, recorded
            return False, proxy, recorded

    timed_out, proxy, recorded = asyncio.run(scenario())
    assert timed_out
    assert proxy.requests == 1
    assert recorded.arrivals == []


def test_posts_with_bodies_count_once_each() -> None:
    async def scenario() -> tuple[FaultProxy, Recorded]:
        async with proxied(NO_FAULTS) as (proxy, recorded), aiohttp.ClientSession() as session:
            for i in range(5):
                async with session.post(f"{proxy.url}/echo", json={"ids": [str(i)] * 500}) as r:
                    assert r.status == 200
            return proxy, recorded

    proxy, recorded = asyncio.run(scenario())
    assert proxy.requests == 5
    assert len(recorded.arrivals) == 5


def test_a_dead_upstream_looks_like_a_reset() -> None:
    async def scenario() -> bool:
        proxy = FaultProxy("dead", upstream_port=1, faults=NO_FAULTS)
        await proxy.start()
        try:
            async with aiohttp.ClientSession() as session:
                await timed_get(session, f"{proxy.url}/echo")
        except aiohttp.ClientConnectionError:
            return True
        finally:
            await proxy.stop()
        return False

    assert asyncio.run(scenario())
