"""MemoryCache: bounded by bytes, least recently used out first, soft and hard expiry."""

from __future__ import annotations

from nextbuy.core.cache.l1 import ENTRY_OVERHEAD_BYTES, MemoryCache
from tests.core.resilience.clock import FakeClock

KB = b"x" * 1000
COST = len(KB) + 2 + ENTRY_OVERHEAD_BYTES  # value, a two-character key, overhead


def fill(cache: MemoryCache, *keys: str) -> None:
    for key in keys:
        cache.set(key, KB, soft_ttl_s=60, hard_ttl_s=600)


def test_holds_no_more_than_max_bytes_and_evicts_the_least_recently_used() -> None:
    cache = MemoryCache(max_bytes=3 * COST)
    fill(cache, "k1", "k2", "k3")
    assert cache.size_bytes == 3 * COST
    assert cache.get("k1") is not None  # k1 is now the most recently used
    fill(cache, "k4")
    assert cache.size_bytes <= 3 * COST
    assert cache.get("k2") is None
    assert [cache.get(k) is not None for k in ("k1", "k3", "k4")] == [True, True, True]
    assert cache.evictions == 1


def test_replacing_a_value_does_not_double_count_it() -> None:
    cache = MemoryCache(max_bytes=10 * COST)
    fill(cache, "k1", "k1", "k1")
    assert cache.size_bytes == COST
    assert len(cache) == 1


def test_a_value_larger_than_the_whole_cache_is_not_stored() -> None:
    cache = MemoryCache(max_bytes=2 * COST)
    fill(cache, "k1")
    cache.set("big", KB * 5, soft_ttl_s=60, hard_ttl_s=600)
    assert cache.get("big") is None
    assert cache.get("k1") is not None


def test_an_entry_is_fresh_then_stale_then_gone() -> None:
    clock = FakeClock()
    cache = MemoryCache(max_bytes=10 * COST, clock=clock)
    cache.set("k1", b"v", soft_ttl_s=60, hard_ttl_s=600)
    entry = cache.get("k1")
    assert entry is not None
    assert entry.fresh(clock())
    clock.advance(61)
    entry = cache.get("k1")
    assert entry is not None
    assert not entry.fresh(clock())
    clock.advance(540)
    assert cache.get("k1") is None
    assert cache.size_bytes == 0


def test_soft_expiry_never_outlives_hard_expiry() -> None:
    clock = FakeClock()
    cache = MemoryCache(max_bytes=10 * COST, clock=clock)
    cache.set("k1", b"v", soft_ttl_s=100, hard_ttl_s=10)
    entry = cache.get("k1")
    assert entry is not None
    assert entry.soft_expires_at == entry.hard_expires_at == clock() + 10


def test_delete_forgets_the_key_and_its_bytes() -> None:
    cache = MemoryCache(max_bytes=10 * COST)
    fill(cache, "k1", "k2")
    cache.delete("k1")
    cache.delete("absent")
    assert cache.get("k1") is None
    assert cache.size_bytes == COST
