"""State read afresh through a call, for tests that assert a state, act, then assert it again.

After ``assert breaker.state == "open"`` mypy keeps ``breaker.state`` narrowed to ``"open"``,
so a later ``assert breaker.state == "closed"`` looks unreachable to it, though the action in
between changed the state. A function call gives mypy a new value every time.
"""

from __future__ import annotations

from nextbuy.core.cache.redis_l2 import RedisCache
from nextbuy.core.resilience.breaker import BreakerState, CircuitBreaker
from nextbuy.engine.domain.feed_pulse import FeedPulse


def breaker_state(breaker: CircuitBreaker) -> BreakerState:
    return breaker.state


def feed_synced(feed: FeedPulse) -> bool:
    return feed.synced


def l2_available(l2: RedisCache) -> bool:
    return l2.available
