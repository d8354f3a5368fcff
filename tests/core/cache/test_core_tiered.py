"""TieredCache without Redis, on a fake clock: hit, miss, stale, stale-if-error, hard expiry,
single-flight (S12), invalidation and background refresh (S13)."""

from __future__ import annotations

import asyncio
import random

import pytest

from nextbuy.core.cache.l1 import MemoryCache
from nextbuy.core.cache.tiered import CacheStatus, TieredCache
from tests.core.resilience.clock import FakeClock

SOFT, HARD = 60.0, 600.0


class Loader:
    """Counts calls; returns ``value``, or raises ``error``; can be held until released."""

    def __init__(self, value: bytes = b"v1") -> None:
        self.value = value
        self.error: Exception | None = None
        self.calls = 0
        self.gate: asyncio.Event | None = None

    async def __call__(self) -> bytes:
        self.calls += 1
        if self.gate is not None:
            await self.gate.wait()
        await asyncio.sleep(0)
        if self.error is not None:
            raise self.error
        return self.value


def make_cache(clock: FakeClock) -> TieredCache:
    return TieredCache(MemoryCache(1 << 20, clock=clock), None, clock=clock, rng=random.Random(3))


async def get(cache: TieredCache, loader: Loader, key: str = "k") -> tuple[bytes, CacheStatus]:
    return await cache.get_or_load(key, loader, soft_ttl_s=SOFT, hard_ttl_s=HARD, jitter=0.0)


async def settle(cache: TieredCache) -> None:
    """Let background refreshes run to completion."""
    for _ in range(10):
        await asyncio.sleep(0)


def test_a_miss_loads_and_the_next_read_hits() -> None:
    async def run() -> None:
        cache, loader = make_cache(FakeClock()), Loader()
        assert await get(cache, loader) == (b"v1", CacheStatus.MISS)
        assert await get(cache, loader) == (b"v1", CacheStatus.HIT)
        assert loader.calls == 1

    asyncio.run(run())


def test_past_the_soft_ttl_serves_stale_at_once_and_refreshes_in_the_background() -> None:
    async def run() -> None:
        clock = FakeClock()
        cache, loader = make_cache(clock), Loader()
        await get(cache, loader)
        clock.advance(SOFT + 1)
        loader.value, loader.gate = b"v2", asyncio.Event()
        # The refresh is held at the gate: the request must not wait for it.
        assert await asyncio.wait_for(get(cache, loader), 1.0) == (b"v1", CacheStatus.STALE)
        assert await get(cache, loader) == (b"v1", CacheStatus.STALE)
        loader.gate.set()
        await settle(cache)
        assert await get(cache, loader) == (b"v2", CacheStatus.HIT)
        assert loader.calls == 2  # one refresh, however many stale reads
        await cache.close()

    asyncio.run(run())


def test_a_failed_refresh_serves_stale_if_error_until_the_hard_ttl() -> None:
    async def run() -> None:
        clock = FakeClock()
        cache, loader = make_cache(clock), Loader()
        await get(cache, loader)
        clock.advance(SOFT + 1)
        loader.error = ConnectionError("profile service down")
        assert await get(cache, loader) == (b"v1", CacheStatus.STALE)
        await settle(cache)
        assert await get(cache, loader) == (b"v1", CacheStatus.STALE_IF_ERROR)
        assert cache.refresh_failures >= 1
        clock.advance(HARD)  # past the hard TTL: nothing to fall back on
        with pytest.raises(ConnectionError):
            await get(cache, loader)
        await cache.close()

    asyncio.run(run())


def test_past_the_hard_ttl_the_value_is_loaded_again() -> None:
    async def run() -> None:
        clock = FakeClock()
        cache, loader = make_cache(clock), Loader()
        await get(cache, loader)
        clock.advance(HARD + 1)
        loader.value = b"v2"
        assert await get(cache, loader) == (b"v2", CacheStatus.MISS)

    asyncio.run(run())


def test_a_failed_load_with_nothing_cached_raises_the_loader_error() -> None:
    async def run() -> None:
        cache, loader = make_cache(FakeClock()), Loader()
        loader.error = TimeoutError("orders timed out")
        with pytest.raises(TimeoutError, match="orders"):
            await get(cache, loader)

    asyncio.run(run())


def test_five_hundred_concurrent_misses_make_one_load() -> None:
    async def run() -> None:
        cache, loader = make_cache(FakeClock()), Loader()
        loader.gate = asyncio.Event()
        readers = [asyncio.create_task(get(cache, loader)) for _ in range(500)]
        await asyncio.sleep(0.01)
        loader.gate.set()
        results = await asyncio.gather(*readers)
        assert loader.calls == 1
        assert set(results) == {(b"v1", CacheStatus.MISS)}

    asyncio.run(run())


def test_invalidate_forces_the_next_read_to_load() -> None:
    async def run() -> None:
        cache, loader = make_cache(FakeClock()), Loader()
        await get(cache, loader)
        loader.value = b"v2"
        await cache.invalidate("k")
        assert await get(cache, loader) == (b"v2", CacheStatus.MISS)

    asyncio.run(run())


def test_a_load_in_flight_when_invalidated_does_not_store_its_old_value() -> None:
    async def run() -> None:
        cache, loader = make_cache(FakeClock()), Loader()
        loader.gate = asyncio.Event()
        reader = asyncio.create_task(get(cache, loader))
        await asyncio.sleep(0.01)
        await cache.invalidate("k")  # e.g. order.placed arrived while orders were loading
        loader.gate.set()
        await reader
        loader.gate, loader.value = None, b"v2"
        assert await get(cache, loader) == (b"v2", CacheStatus.MISS)

    asyncio.run(run())


def test_ttls_are_jittered_but_never_past_the_hard_ttl() -> None:
    async def run() -> None:
        clock = FakeClock()
        l1 = MemoryCache(1 << 20, clock=clock)
        cache = TieredCache(l1, None, clock=clock, rng=random.Random(5))
        for i in range(200):
            await cache.get_or_load(f"k{i}", Loader(), soft_ttl_s=SOFT, hard_ttl_s=HARD)
        entries = [l1.get(f"k{i}") for i in range(200)]
        softs = [e.soft_expires_at - e.stored_at for e in entries if e is not None]
        hards = [e.hard_expires_at - e.stored_at for e in entries if e is not None]
        assert min(softs) >= SOFT * 0.9 - 1e-9
        assert max(softs) <= SOFT * 1.1 + 1e-9
        assert max(softs) - min(softs) > SOFT * 0.1  # actually spread, not constant
        assert max(hards) <= HARD

    asyncio.run(run())


def test_close_cancels_refreshes_still_running() -> None:
    async def run() -> None:
        clock = FakeClock()
        cache, loader = make_cache(clock), Loader()
        await get(cache, loader)
        clock.advance(SOFT + 1)
        loader.gate = asyncio.Event()  # never set: the refresh hangs
        await get(cache, loader)
        await asyncio.sleep(0)
        await asyncio.wait_for(cache.close(), 1.0)
        pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        assert pending == []

    asyncio.run(run())
