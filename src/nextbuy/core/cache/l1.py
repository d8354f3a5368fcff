"""L1: an in-process LRU cache bounded by the bytes it holds, with soft and hard expiry.

Written here rather than taken from cachetools: see docs/decisions/0011. In short, an
OrderedDict gives LRU in a few lines, the byte bound needs the key's size too, and entries
need two expiries where cachetools' TLRUCache has one.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from nextbuy.core.cache.entry import CacheEntry

__all__ = ["ENTRY_OVERHEAD_BYTES", "CacheEntry", "MemoryCache"]

# What an entry costs beyond its key and value bytes, measured with tracemalloc on CPython
# 3.11: ~200 B for the CacheEntry, its three floats and the OrderedDict slot, plus the 33 B
# bytes header and 49 B str header. Without it, 100k small entries would overrun the bound ~3×.
ENTRY_OVERHEAD_BYTES = 288


class MemoryCache:
    """An LRU map of str → CacheEntry that never holds more than ``max_bytes``."""

    def __init__(self, max_bytes: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        if max_bytes <= 0:
            raise ValueError("max_bytes must be positive")
        self.max_bytes = max_bytes
        self._clock = clock
        self._entries: OrderedDict[str, CacheEntry] = OrderedDict()
        self._size = 0
        self.evictions = 0

    @property
    def size_bytes(self) -> int:
        """The estimated bytes held: values, keys and per-entry overhead."""
        return self._size

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> CacheEntry | None:
        """The entry for ``key`` if it is within its hard TTL; it becomes most recently used."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if not entry.usable(self._clock()):
            self.delete(key)
            return None
        self._entries.move_to_end(key)
        return entry

    def set(self, key: str, value: bytes, *, soft_ttl_s: float, hard_ttl_s: float) -> None:
        """Store ``value``, evicting least recently used entries to stay within ``max_bytes``."""
        self.delete(key)
        cost = _cost(key, value)
        if cost > self.max_bytes or hard_ttl_s <= 0:
            return  # would evict everything else and still not fit, or is already dead
        now = self._clock()
        hard = now + hard_ttl_s
        entry = CacheEntry(value, now, min(now + soft_ttl_s, hard), hard)
        while self._size + cost > self.max_bytes:
            old_key, old = self._entries.popitem(last=False)
            self._size -= _cost(old_key, old.value)
            self.evictions += 1
        self._entries[key] = entry
        self._size += cost

    def delete(self, key: str) -> None:
        """Forget ``key`` (no error if absent)."""
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._size -= _cost(key, entry.value)

    def clear(self) -> None:
        """Forget everything."""
        self._entries.clear()
        self._size = 0


def _cost(key: str, value: bytes) -> int:
    return len(value) + len(key) + ENTRY_OVERHEAD_BYTES
