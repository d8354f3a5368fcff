"""RedisCache and TieredCache against real Redis: an L2 shared by two replicas, and S14 —
Redis unreachable, killed mid-test and restarted — never failing a read and costing ≤ ~20 ms.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator, Mapping
from functools import partial
from pathlib import Path

import pytest
import redis

from nextbuy.core.cache.l1 import MemoryCache
from nextbuy.core.cache.redis_l2 import RedisCache
from nextbuy.core.cache.tiered import CacheStatus, TieredCache
from nextbuy.core.resilience.breaker import CircuitBreaker
from tests.support.fresh_reads import l2_available
from tests.support.servers import free_port, port_open, require_server

HOST, PORT = "127.0.0.1", 6379
REDIS_CALL_BUDGET_S = 0.02
CALL_MARGIN_S = 0.03  # wide: a loaded two-core machine schedules late
OPEN_S = 0.5  # a short open interval keeps the restart test quick


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix no other test uses; every key under it is deleted afterwards."""
    require_server("Redis", port_open(HOST, PORT), f"{HOST}:{PORT}")
    prefix = f"nextbuy-test:{uuid.uuid4().hex[:12]}:"
    yield prefix
    with redis.Redis(host=HOST, port=PORT) as client:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)


def make_tiered(
    url: str, prefix: str, *, breaker: CircuitBreaker | None = None
) -> tuple[TieredCache, RedisCache]:
    l2 = RedisCache(url, prefix=prefix, breaker=breaker)
    return TieredCache(MemoryCache(1 << 20), l2), l2


def fast_breaker() -> CircuitBreaker:
    return CircuitBreaker("redis-test", open_s=OPEN_S, slow_call_s=None)


async def close(*pairs: tuple[TieredCache, RedisCache]) -> None:
    for cache, l2 in pairs:
        await cache.close()
        await l2.close()


class Loader:
    def __init__(self, value: bytes) -> None:
        self.value = value
        self.calls = 0

    async def __call__(self) -> bytes:
        self.calls += 1
        return self.value


async def read(cache: TieredCache, key: str, loader: Loader) -> tuple[bytes, CacheStatus]:
    return await cache.get_or_load(key, loader, soft_ttl_s=60, hard_ttl_s=600)


def test_an_entry_round_trips_with_its_expiries(redis_prefix: str) -> None:
    async def run() -> None:
        # A round trip, not the 20 ms timeout, is under test: a loaded machine misses 20 ms.
        cache = RedisCache(f"redis://{HOST}:{PORT}/0", prefix=redis_prefix, timeout_s=1.0)
        await cache.set("k", b"\x00bytes\xff", soft_ttl_s=60, hard_ttl_s=600)
        entry = await cache.get("k")
        assert entry is not None
        assert entry.value == b"\x00bytes\xff"
        assert entry.fresh(time.time())
        assert entry.hard_expires_at - entry.stored_at == pytest.approx(600, abs=1)
        with redis.Redis(host=HOST, port=PORT) as client:
            assert 590_000 < client.pttl(f"{redis_prefix}k") <= 600_000  # hard TTL in Redis
        await cache.delete("k")
        assert await cache.get("k") is None
        assert cache.errors == 0
        await cache.close()

    asyncio.run(run())


def test_two_replicas_share_the_l2(redis_prefix: str) -> None:
    async def run() -> None:
        url = f"redis://{HOST}:{PORT}/0"
        pair_a, pair_b = make_tiered(url, redis_prefix), make_tiered(url, redis_prefix)
        replica_a, replica_b = pair_a[0], pair_b[0]
        loader = Loader(b"profile-7")
        assert await read(replica_a, "profile:7", loader) == (b"profile-7", CacheStatus.MISS)
        await replica_a.writes_landed()
        assert await read(replica_b, "profile:7", loader) == (b"profile-7", CacheStatus.HIT)
        assert loader.calls == 1  # replica B found replica A's load in Redis
        await replica_a.invalidate("profile:7")
        await replica_b.invalidate("profile:7")  # the event reaches every replica
        assert (await read(replica_b, "profile:7", loader))[1] is CacheStatus.MISS
        assert loader.calls == 2
        await close(pair_a, pair_b)

    asyncio.run(run())


def test_an_unreachable_redis_costs_little_and_is_then_bypassed() -> None:
    async def run() -> None:
        url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
        cache, l2 = make_tiered(url, "t:", breaker=fast_breaker())
        started = time.monotonic()
        assert await l2.get("k") is None
        assert time.monotonic() - started <= REDIS_CALL_BUDGET_S + CALL_MARGIN_S
        for i in range(20):
            started = time.monotonic()
            value, _ = await read(cache, f"k{i}", Loader(b"v"))
            assert value == b"v"
            assert time.monotonic() - started <= 2 * REDIS_CALL_BUDGET_S + CALL_MARGIN_S
        assert not l2_available(l2)
        assert l2.errors == 5  # five failures opened the breaker; the rest bypassed Redis
        assert l2.bypassed > 0
        await close((cache, l2))

    asyncio.run(run())


def start_redis(port: int, data_dir: Path) -> subprocess.Popen[bytes]:
    """Start redis-server on ``port`` (no persistence) and wait until it accepts connections."""
    binary = shutil.which("redis-server") or "redis-server"
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    process = subprocess.Popen(
        [*args, "--appendonly", "no", "--dir", str(data_dir)], stdout=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 10
    while not port_open("127.0.0.1", port, 0.1):
        assert process.poll() is None, "redis-server exited at start"
        assert time.monotonic() < deadline, "redis-server did not start"
        time.sleep(0.05)
    return process


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[tuple[int, list[subprocess.Popen[bytes]]]]:
    """A redis-server this test starts and may kill: its port, and every process started."""
    require_server("redis-server binary", shutil.which("redis-server") is not None, "on PATH")
    port = free_port()
    processes = [start_redis(port, tmp_path)]
    yield port, processes
    for process in processes:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGCONT)
            os.kill(process.pid, signal.SIGKILL)
        process.wait()


def test_a_hung_redis_costs_one_timeout_per_call_until_the_breaker_opens(
    own_redis: tuple[int, list[subprocess.Popen[bytes]]],
) -> None:
    port, processes = own_redis

    async def run() -> None:
        cache, l2 = make_tiered(f"redis://127.0.0.1:{port}/0", "hung:", breaker=fast_breaker())
        await l2.set("k", b"v", soft_ttl_s=60, hard_ttl_s=600)  # connection pooled, warm
        os.kill(processes[0].pid, signal.SIGSTOP)  # accepts TCP, never answers
        try:
            for _ in range(10):
                started = time.monotonic()
                assert await l2.get("k") is None
                assert time.monotonic() - started <= REDIS_CALL_BUDGET_S + CALL_MARGIN_S
            assert not l2_available(l2)
            assert (await read(cache, "k", Loader(b"fresh")))[0] == b"fresh"
        finally:
            os.kill(processes[0].pid, signal.SIGCONT)
        await close((cache, l2))

    asyncio.run(run())


def test_redis_killed_mid_run_then_restarted(
    own_redis: tuple[int, list[subprocess.Popen[bytes]]], tmp_path: Path
) -> None:
    port, processes = own_redis

    async def run() -> None:
        url = f"redis://127.0.0.1:{port}/0"
        pair_a = make_tiered(url, "s14:", breaker=fast_breaker())
        pair_b = make_tiered(url, "s14:", breaker=fast_breaker())
        (replica_a, _), (replica_b, l2) = pair_a, pair_b
        loader = Loader(b"v")
        await read(replica_a, "before", loader)
        await replica_a.writes_landed()
        assert (await read(replica_b, "before", loader))[1] is CacheStatus.HIT

        os.kill(processes[0].pid, signal.SIGKILL)  # S14: Redis dies mid-run
        processes[0].wait()
        for i in range(30):
            started = time.monotonic()
            assert (await read(replica_b, f"down{i}", loader))[0] == b"v"
            assert time.monotonic() - started <= 2 * REDIS_CALL_BUDGET_S + CALL_MARGIN_S
        assert (await read(replica_b, "before", loader))[1] is CacheStatus.HIT  # L1 still serves
        assert not l2_available(l2)

        processes.append(start_redis(port, tmp_path))  # same port, empty data
        await asyncio.sleep(OPEN_S + 0.1)
        calls = loader.calls
        await read(replica_a, "after", loader)  # A's breaker probes, finds Redis, stores
        await replica_a.writes_landed()  # (behind the answer: the reader did not wait for it)
        assert (await read(replica_b, "after", loader))[1] is CacheStatus.HIT
        assert loader.calls == calls + 1  # B's read came from Redis, not the loader
        assert l2_available(l2)
        await close(pair_a, pair_b)

    asyncio.run(run())


class CountedRedis(RedisCache):
    """Real Redis; counts the write round trips, and can hold one until released."""

    def __init__(self, url: str, prefix: str) -> None:
        super().__init__(url, prefix=prefix, timeout_s=1.0)
        self.batches: list[int] = []
        self.hold: asyncio.Event | None = None
        self.holding = asyncio.Event()

    async def set_many(self, entries: Mapping[str, tuple[bytes, float, float]]) -> None:
        self.batches.append(len(entries))
        if self.hold is not None:
            self.holding.set()
            await self.hold.wait()
        await super().set_many(entries)


def writer_and_reader(
    prefix: str,
) -> tuple[tuple[TieredCache, CountedRedis], tuple[TieredCache, RedisCache]]:
    """A replica whose writes are counted, and another that reads what reached Redis."""
    url = f"redis://{HOST}:{PORT}/0"
    l2 = CountedRedis(url, prefix)
    return (TieredCache(MemoryCache(1 << 20), l2), l2), make_tiered(url, prefix)


def test_loads_that_end_together_reach_l2_in_one_round_trip(redis_prefix: str) -> None:
    """S3's resume: every load a hung upstream held ends at once; one write, one connection."""

    async def run() -> None:
        (writer, l2), (reader, reader_l2) = writer_and_reader(redis_prefix)
        resumed = asyncio.Event()

        async def held(key: str) -> bytes:
            await resumed.wait()
            return key.encode()

        loads = [
            asyncio.create_task(
                writer.get_or_load(f"k{i}", partial(held, f"k{i}"), soft_ttl_s=60, hard_ttl_s=600)
            )
            for i in range(50)
        ]
        await asyncio.sleep(0.05)  # every L2 read has missed: all 50 loads wait upstream
        resumed.set()
        await asyncio.gather(*loads)
        await writer.writes_landed()
        assert l2.batches == [50]
        for i in range(50):
            assert await read(reader, f"k{i}", Loader(b"not from L2")) == (
                f"k{i}".encode(),
                CacheStatus.HIT,
            )
        await close((writer, l2), (reader, reader_l2))

    asyncio.run(run())


def test_an_invalidated_value_never_stays_in_l2(redis_prefix: str) -> None:
    """Invalidated while its write waits, or while the write is on its way: gone from L2."""

    async def run() -> None:
        (writer, l2), (reader, reader_l2) = writer_and_reader(redis_prefix)

        await read(writer, "waiting", Loader(b"old"))
        await writer.invalidate("waiting")  # before the writer's delay is up
        await writer.writes_landed()
        assert l2.batches == []

        l2.hold = asyncio.Event()
        await read(writer, "on-its-way", Loader(b"old"))
        await l2.holding.wait()
        await writer.invalidate("on-its-way")  # its batch has left the queue
        l2.hold.set()
        await writer.writes_landed()
        assert l2.batches == [1]
        for key in ("waiting", "on-its-way"):
            assert await read(reader, key, Loader(b"new")) == (b"new", CacheStatus.MISS)
        await close((writer, l2), (reader, reader_l2))

    asyncio.run(run())
