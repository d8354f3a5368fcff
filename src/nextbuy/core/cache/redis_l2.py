"""L2: Redis shared by every engine replica, and never a reason for a request to fail (S14).

Each command is bounded by ``timeout_s`` (20 ms by default) and any Redis error or timeout is
swallowed into a miss or a no-op, counted, and fed to a circuit breaker; while the breaker is
open the cache is bypassed without touching the network, so a dead Redis costs nothing.
"""

from __future__ import annotations

import asyncio
import logging
import struct
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from nextbuy.core.cache.entry import CacheEntry
from nextbuy.core.resilience.breaker import CircuitBreaker

__all__ = ["RedisCache"]

log = logging.getLogger(__name__)
T = TypeVar("T")

# Envelope: version byte, then stored_at, soft and hard expiry as wall-clock seconds (replicas
# share no monotonic clock). The hard expiry is also the Redis TTL, so Redis frees dead entries
# itself; keeping it in the envelope too saves a PTTL round trip on every read.
_ENVELOPE = struct.Struct("!Bddd")
_VERSION = 1


class RedisCache:
    """Byte values in Redis under ``prefix``, with the soft/hard TTL semantics of MemoryCache."""

    def __init__(
        self,
        url: str,
        *,
        timeout_s: float = 0.02,
        breaker: CircuitBreaker | None = None,
        prefix: str = "nextbuy:",
        clock: Callable[[], float] = time.time,
        max_connections: int = 64,
    ) -> None:
        self.timeout_s = timeout_s
        self.prefix = prefix
        self.clock = clock
        # Timeouts already mark a slow Redis as failed; the slow-call rule would only repeat it.
        self.breaker = breaker or CircuitBreaker(f"redis:{prefix}", slow_call_s=None)
        self.errors = 0
        self.bypassed = 0
        # redis-py retries three times with backoff by default: every retry would spend the
        # request's budget on a Redis that is down. One try; the breaker decides what next.
        # No socket timeout: ``_guarded`` already bounds each command, and redis-py's own
        # (asyncio.wait_for around every read) cost a quarter of a GET's CPU, measured here.
        self._client = redis.Redis.from_url(
            url,
            socket_timeout=None,
            socket_connect_timeout=timeout_s,
            retry=Retry(NoBackoff(), 0),
            max_connections=max_connections,
        )

    @property
    def available(self) -> bool:
        """False while the breaker keeps calls away from Redis."""
        return self.breaker.state != "open"

    async def get(self, key: str) -> CacheEntry | None:
        """The entry for ``key``, or None on a miss, a corrupt value, or any Redis trouble."""
        raw = await self._guarded(lambda: self._client.get(self.prefix + key), None)
        # decode_responses is off, so a value is bytes; anything else is a miss.
        return self._decode(key, raw) if isinstance(raw, bytes) else None

    async def set(self, key: str, value: bytes, *, soft_ttl_s: float, hard_ttl_s: float) -> None:
        """Store ``value`` with Redis expiry ``hard_ttl_s`` (best effort)."""
        await self.set_many({key: (value, soft_ttl_s, hard_ttl_s)})

    async def set_many(self, entries: Mapping[str, tuple[bytes, float, float]]) -> None:
        """Store each ``key: (value, soft_ttl_s, hard_ttl_s)``, all in one round trip."""
        now = self.clock()
        pipe = self._client.pipeline(transaction=False)
        for key, (value, soft_ttl_s, hard_ttl_s) in entries.items():
            hard_ms = int(hard_ttl_s * 1000)
            if hard_ms > 0:
                soft = now + min(soft_ttl_s, hard_ttl_s)
                envelope = _ENVELOPE.pack(_VERSION, now, soft, now + hard_ttl_s) + value
                pipe.set(self.prefix + key, envelope, px=hard_ms)
        if len(pipe):
            await self._guarded(pipe.execute, None)

    async def delete(self, key: str) -> None:
        """Remove ``key`` (best effort)."""
        await self._guarded(lambda: self._client.delete(self.prefix + key), None)

    async def close(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    def _decode(self, key: str, raw: bytes) -> CacheEntry | None:
        if len(raw) < _ENVELOPE.size or raw[0] != _VERSION:
            self.errors += 1
            log.warning("cache entry %s%s has no readable envelope, ignored", self.prefix, key)
            return None
        _, stored_at, soft_expires_at, hard_expires_at = _ENVELOPE.unpack_from(raw)
        entry = CacheEntry(raw[_ENVELOPE.size :], stored_at, soft_expires_at, hard_expires_at)
        return entry if entry.usable(self.clock()) else None

    async def _guarded(self, command: Callable[[], Awaitable[T]], default: T) -> T:
        if not self.breaker.allow():
            self.bypassed += 1
            return default
        started = time.monotonic()
        try:
            # The socket timeouts do not cover waiting for a pooled connection; this does.
            async with asyncio.timeout(self.timeout_s):
                result = await command()
        except (redis.RedisError, OSError, TimeoutError) as error:
            self.errors += 1
            self.breaker.record_failure()
            log.warning("redis %s failed: %s: %s", self.prefix, type(error).__name__, error)
            return default
        self.breaker.record_success(time.monotonic() - started)
        return result
