"""L1 then L2 then the loader, with stale-while-revalidate, stale-if-error and single-flight.

A request never waits for a refresh: an entry past its soft TTL is served at once (STALE)
while one background task per key reloads it (S13). Loads are single-flight per key, so a
stampede of misses makes one upstream call per process (S12). An entry past its hard TTL is
never served; if the loader then fails, its error reaches the caller.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import random
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from nextbuy.core.cache.entry import CacheEntry
from nextbuy.core.cache.l1 import MemoryCache
from nextbuy.core.cache.redis_l2 import RedisCache
from nextbuy.core.resilience.singleflight import SingleFlight

__all__ = ["CacheStatus", "TieredCache"]

log = logging.getLogger(__name__)
Loader = Callable[[], Awaitable[bytes]]
_MAX_FAILED_KEYS = 10_000
WRITE_BEHIND_DELAY_S = 0.005
"""How long fresh loads wait before they go to L2 together: long enough for the request that
made the load to answer first, short next to any TTL and to another replica's next miss."""


class CacheStatus(enum.Enum):
    """How a value was obtained, for ``X-Cache`` headers and hit-ratio metrics."""

    HIT = "hit"
    MISS = "miss"
    STALE = "stale"  # past soft TTL; a background refresh is running
    STALE_IF_ERROR = "stale_if_error"  # past soft TTL, and the last refresh failed


@dataclass(frozen=True, slots=True)
class _Ttl:
    soft_s: float
    hard_s: float


class TieredCache:
    """Byte values cached in process (L1) and in Redis (L2, optional), loaded on demand."""

    def __init__(
        self,
        l1: MemoryCache,
        l2: RedisCache | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self._l1 = l1
        self._l2 = l2
        self._clock = clock
        self._rng = rng or random.Random()
        self._lookups: SingleFlight[str, tuple[bytes, CacheStatus]] = SingleFlight()
        self._loads: SingleFlight[str, bytes] = SingleFlight()
        self._refreshes: dict[str, asyncio.Task[None]] = {}
        # Keys whose last refresh failed (bounded: only the newest matter), for STALE_IF_ERROR.
        self._failed: OrderedDict[str, None] = OrderedDict()
        # Keys invalidated while a load was in flight: that load's result is out of date.
        self._discard: set[str] = set()
        # Fresh loads on their way to L2 (the caller does not wait for them): the newest value
        # per key, waiting for the writer; the keys of the batch it is writing; and those of
        # them invalidated meanwhile, deleted again once the batch has landed.
        self._pending_writes: dict[str, tuple[bytes, _Ttl]] = {}
        self._writing: frozenset[str] = frozenset()
        self._unwrite: set[str] = set()
        self._writer: asyncio.Task[None] | None = None
        self.refresh_failures = 0

    async def get_or_load(
        self,
        key: str,
        loader: Loader,
        *,
        soft_ttl_s: float,
        hard_ttl_s: float,
        jitter: float = 0.1,
    ) -> tuple[bytes, CacheStatus]:
        """The value for ``key`` and how it was obtained; loads it on a miss."""
        ttl = self._jittered(soft_ttl_s, hard_ttl_s, jitter)
        entry = self._l1.get(key)
        if entry is not None:
            return self._serve(key, entry, self._clock(), loader, ttl)
        # One flight per key covers the L2 read as well as the load, so a stampede of misses
        # costs one Redis read and at most one upstream call.
        return await self._lookups.do(key, lambda: self._fill(key, loader, ttl))

    def fresh_in_process(self, key: str) -> bytes | None:
        """The L1 value of ``key`` if it is fresh, else None: no task, no Redis, no load.

        A hot request's fast path; anything else (stale, L2, a miss) goes through
        :meth:`get_or_load`.
        """
        entry = self._l1.get(key)
        if entry is None or not entry.fresh(self._clock()):
            return None
        return entry.value

    async def invalidate(self, key: str) -> None:
        """Drop ``key`` from both tiers; a load already in flight will not store its result."""
        self._l1.delete(key)
        if key in self._loads:
            self._discard.add(key)
        # A value older than the invalidation must not reach L2, or stay there.
        self._pending_writes.pop(key, None)
        if key in self._writing:
            self._unwrite.add(key)
        if self._l2 is not None:
            await self._l2.delete(key)

    async def close(self) -> None:
        """Cancel background refreshes and the loads they wait on, and wait for them to end."""
        tasks = list(self._refreshes.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.writes_landed()
        # Loads run as shared tasks that outlive a cancelled waiter by design; end them too.
        await self._lookups.cancel_all()
        await self._loads.cancel_all()

    async def writes_landed(self) -> None:
        """Wait for the L2 writes pending or in flight (each bounded by the Redis timeout)."""
        while self._writer is not None and not self._writer.done():
            await asyncio.wait({self._writer})

    def _jittered(self, soft_s: float, hard_s: float, jitter: float) -> _Ttl:
        # Soft TTLs spread ± so entries written together are not refreshed together. Hard TTLs
        # only shrink: S13 promises no entry older than the hard TTL is ever served.
        soft = soft_s * (1.0 + self._rng.uniform(-jitter, jitter))
        hard = hard_s * (1.0 - self._rng.uniform(0.0, jitter))
        return _Ttl(min(soft, hard), hard)

    def _serve(
        self, key: str, entry: CacheEntry, now: float, loader: Loader, ttl: _Ttl
    ) -> tuple[bytes, CacheStatus]:
        if entry.fresh(now):
            return entry.value, CacheStatus.HIT
        self._start_refresh(key, loader, ttl)
        status = CacheStatus.STALE_IF_ERROR if key in self._failed else CacheStatus.STALE
        return entry.value, status

    async def _fill(self, key: str, loader: Loader, ttl: _Ttl) -> tuple[bytes, CacheStatus]:
        shared = await self._read_l2(key)
        if shared is not None:
            return self._serve(key, shared[0], shared[1], loader, ttl)
        return await self._loads.do(key, lambda: self._load(key, loader, ttl)), CacheStatus.MISS

    async def _read_l2(self, key: str) -> tuple[CacheEntry, float] | None:
        """The L2 entry (copied into L1 with its remaining TTLs) and L2's clock reading."""
        if self._l2 is None:
            return None
        entry = await self._l2.get(key)
        if entry is None:
            return None
        now = self._l2.clock()
        self._l1.set(
            key,
            entry.value,
            soft_ttl_s=entry.soft_expires_at - now,
            hard_ttl_s=entry.hard_expires_at - now,
        )
        return entry, now

    async def _load(self, key: str, loader: Loader, ttl: _Ttl) -> bytes:
        self._discard.discard(key)
        value = await loader()
        if key in self._discard:
            self._discard.discard(key)
            return value
        self._l1.set(key, value, soft_ttl_s=ttl.soft_s, hard_ttl_s=ttl.hard_s)
        if self._l2 is not None:
            self._write_behind(key, value, ttl)
        self._failed.pop(key, None)
        return value

    def _write_behind(self, key: str, value: bytes, ttl: _Ttl) -> None:
        """Share a fresh load through L2 without making its caller wait for Redis.

        One writer task sends what is pending as one pipeline, a few milliseconds later. A
        task per write, started as the load returned, ran before the request resumed: ~0.3 ms
        more on every cold answer. Writes delayed one task each were worse: loads that end
        together (a hung upstream resuming) wrote together, and each took a connection of its
        own from the pool, which kept them open (docs/benchmarks.md, session 4, run E).
        """
        self._pending_writes[key] = (value, ttl)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_pending(), name="cache-l2-writer")

    async def _write_pending(self) -> None:
        assert self._l2 is not None
        while self._pending_writes:
            await asyncio.sleep(WRITE_BEHIND_DELAY_S)
            batch, self._pending_writes = self._pending_writes, {}
            if not batch:
                continue  # all invalidated while waiting
            self._writing = frozenset(batch)
            try:
                await self._l2.set_many(
                    {key: (value, ttl.soft_s, ttl.hard_s) for key, (value, ttl) in batch.items()}
                )
            finally:
                self._writing = frozenset()
            invalidated, self._unwrite = self._unwrite, set()
            for key in invalidated:
                await self._l2.delete(key)

    def _start_refresh(self, key: str, loader: Loader, ttl: _Ttl) -> None:
        if key in self._refreshes or key in self._loads:
            return
        task = asyncio.create_task(self._refresh(key, loader, ttl), name=f"cache-refresh:{key}")
        self._refreshes[key] = task
        task.add_done_callback(lambda _: self._refreshes.pop(key, None))

    async def _refresh(self, key: str, loader: Loader, ttl: _Ttl) -> None:
        try:
            # Another replica may have refreshed the shared entry already: no upstream call.
            shared = await self._read_l2(key)
            if shared is not None and shared[0].fresh(shared[1]):
                self._failed.pop(key, None)
                return
            await self._loads.do(key, lambda: self._load(key, loader, ttl))
        except Exception as error:
            self.refresh_failures += 1
            self._failed[key] = None
            self._failed.move_to_end(key)
            if len(self._failed) > _MAX_FAILED_KEYS:
                self._failed.popitem(last=False)
            log.warning("cache refresh of %s failed: %s: %s", key, type(error).__name__, error)
