"""Circuit breakers on the change feeds, and answers that say so while one is open (S4).

The catalogue and stock reach answers through the local read model, so a slow or dead catalog
never slows a request. It still must not go unnoticed: the read model falls behind while the
feed is slow. Each feed gets a breaker with a slow-call rule; while the catalog's or the
inventory's breaker is not closed, answers name that source in ``degraded_sources``.

Feeds are polled every few seconds, and on a loaded machine a refresh round takes longer than
its interval, so a window of several calls would take tens of seconds to fill. One slow short
page, confirmed slow by asking for it again at once (or two failed polls in a row), opens the
breaker: it trips at the first poll after the upstream turns slow (S4 allows 10 s), one slow
call among fast ones (S5) does not trip it, and the probe closes it again within a second of
the open interval once it is fast. Only short pages are timed: a full page of a first sync is a bulk
transfer whose time says more about its size than about the upstream's health.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from nextbuy.core.deadline import Deadline
from nextbuy.core.resilience.breaker import CircuitBreaker, StateChangeCallback
from nextbuy.core.resilience.loop_lag import LoopLag
from nextbuy.engine.domain.ports import ProductResolver, ResolvedProducts
from nextbuy.engine.upstream.http import UpstreamHttp
from nextbuy.engine.upstream.probe import ProbeTarget

FEED_SOURCES = ("catalog", "inventory", "orders")
ANSWER_SOURCES = ("catalog", "inventory")
"""Feeds whose data answers are made of (the orders feed only trains the model)."""
FEED_SLOW_CALL_S = 0.15
"""A steady-state poll (one short page) takes 20–60 ms through the bench proxy on a loaded
2-core VM; 150 ms is well above that and below the +150 ms of S4's slow catalog."""


SLOW_FEEDS_ARE_HEALTHY = frozenset({"orders"})
"""Feeds without the slow-call rule. Answers name ``orders`` when its feed *fails* or hangs
(``domain/feed_pulse.py``, ADR 0024); a slow orders page delays nothing an answer needs. With
the rule, one engine stall of ~0.4 s (the loop, not the service, was slow) made two pages in a
row look slow and named ``orders`` in every answer for the breaker's 5 s."""


def feed_breaker(source: str, on_state_change: StateChangeCallback | None) -> CircuitBreaker:
    return CircuitBreaker(
        f"{source}_feed",
        # Two failed polls in a row, never a rate: a refused connection is often a restart in
        # progress, and the next poll is seconds away.
        consecutive_failures=2,
        failure_rate=2.0,
        # One slow page in the last second (the last poll): S4 gives the slow-call rule 10 s,
        # and a loaded machine may poll only every 7–10 s.
        window_calls=1,
        window_s=1.0,
        open_s=5.0,
        slow_call_s=None if source in SLOW_FEEDS_ARE_HEALTHY else FEED_SLOW_CALL_S,
        slow_call_rate=0.5,
        on_state_change=on_state_change,
    )


@dataclass
class FeedHealth:
    """One breaker per feed, shared by the feed follower, the probe task and the resolver."""

    https: dict[str, UpstreamHttp]
    breakers: dict[str, CircuitBreaker] = field(default_factory=dict)
    lag: LoopLag = field(default_factory=LoopLag)
    """Run ``lag.run()`` as a background task: polls made while the loop lagged are not timed."""

    @classmethod
    def create(
        cls,
        https: dict[str, UpstreamHttp],
        on_state_change: StateChangeCallback | None = None,
    ) -> FeedHealth:
        breakers = {s: feed_breaker(s, on_state_change) for s in https}
        return cls(https, breakers)

    def probe_targets(self) -> list[ProbeTarget]:
        """Probed like the per-user breakers, so a recovered feed closes within a second of its
        open interval instead of waiting for the next poll."""
        return [ProbeTarget(self.https[s], self.breakers[s]) for s in self.https]

    def unhealthy(self, sources: Sequence[str] = ANSWER_SOURCES) -> tuple[str, ...]:
        return tuple(
            s for s in sources if s in self.breakers and self.breakers[s].state != "closed"
        )


@dataclass
class FeedAwareResolver:
    """Adds the sources whose feed breaker is not closed to every answer's degraded sources."""

    inner: ProductResolver
    health: FeedHealth

    async def resolve(self, product_ids: Sequence[str], deadline: Deadline) -> ResolvedProducts:
        resolved = await self.inner.resolve(product_ids, deadline)
        down = self.health.unhealthy()
        if not down:
            return resolved
        degraded = tuple(sorted({*resolved.degraded_sources, *down}))
        return replace(resolved, degraded_sources=degraded)
