"""A cached value and its two expiries: soft (refresh it) and hard (never serve it)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CacheEntry"]


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """A value stored at ``stored_at``; fresh until ``soft_expires_at``, servable (stale) until
    ``hard_expires_at``. All three are readings of the clock of the cache that returned it.
    """

    value: bytes
    stored_at: float
    soft_expires_at: float
    hard_expires_at: float

    def fresh(self, now: float) -> bool:
        """Whether the entry is within its soft TTL at ``now``."""
        return now < self.soft_expires_at

    def usable(self, now: float) -> bool:
        """Whether the entry is within its hard TTL at ``now`` (fresh or stale)."""
        return now < self.hard_expires_at
