"""The optimised per-user data path: two-tier cache in front of resilient upstream calls.

Purchases come from the orders the engine follows (:class:`LocalPurchases`, ADR 0024) once it
has read that feed to its end; until then, like profiles, from the service. Profiles and
order histories are cached for the staleness each source may have (hours for
profiles, a day for orders, invalidated when an order is placed). A miss calls the upstream
through its policy (deadline, bulkhead, breaker, one budgeted retry, hedging); a failure
serves stale data if any, and otherwise names the source as degraded. The request never
waits longer than its deadline: a slow load continues in the background and warms the cache.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

import orjson

from nextbuy.core.cache.keys import orders_key, profile_key
from nextbuy.core.cache.tiered import CacheStatus, TieredCache
from nextbuy.core.deadline import Deadline
from nextbuy.core.resilience.policy import UpstreamFailureError, UpstreamPolicy
from nextbuy.engine.domain.errors import UpstreamError
from nextbuy.engine.domain.ports import UserSignals
from nextbuy.engine.upstream.clients import OrdersClient, ProfilesClient

UNKNOWN_USER = b"null"
DECODED_USERS = 20_000
"""Users whose decoded signals are kept next to their L1 bytes (a hot request decodes nothing)."""
_Loader = Callable[[], Awaitable[bytes]]


@dataclass(frozen=True, slots=True)
class Freshness:
    """Soft TTL (serve fresh), hard TTL (serve stale at most this long)."""

    soft_ttl_s: float
    hard_ttl_s: float


class LocalPurchases(Protocol):
    """Every user's purchases, kept by following the orders feed."""

    def ready(self) -> bool:
        """The whole feed has been read: a user missing here bought nothing."""
        ...

    def current(self) -> bool:
        """The feed is being followed now (False: answers name ``orders`` as degraded)."""
        ...

    def purchased(self, user_id: str) -> tuple[str, ...]: ...


@dataclass
class CachedUserData:
    cache: TieredCache
    profiles: ProfilesClient
    orders: OrdersClient
    profiles_policy: UpstreamPolicy
    orders_policy: UpstreamPolicy
    profile_freshness: Freshness
    orders_freshness: Freshness
    load_budget_s: float
    local_purchases: LocalPurchases | None = None
    _decoded: OrderedDict[str, tuple[bytes, object, UserSignals]] = field(
        default_factory=OrderedDict
    )

    def _followed(self) -> LocalPurchases | None:
        local = self.local_purchases
        return local if local is not None and local.ready() else None

    def fresh_signals(self, user_id: str) -> UserSignals | None:
        """The user's signals if both are fresh in this process, else None (no await, no I/O).

        While the L1 bytes stay the same object, the same decoded ``UserSignals`` object is
        returned: callers may compare it by identity to know nothing changed.
        """
        if self.profiles_policy.breaker.state == "open":
            return None  # the slow path names the source as degraded
        local = self._followed()
        bought: object
        if local is None:
            if self.orders_policy.breaker.state == "open":
                return None
            bought = self.cache.fresh_in_process(orders_key(user_id))
        elif local.current():
            bought = local.purchased(user_id)  # the same tuple until the user's orders change
        else:
            return None
        views = self.cache.fresh_in_process(profile_key(user_id))
        if views is None or bought is None:
            return None
        memo = self._decoded.get(user_id)
        if memo is not None and memo[0] is views and memo[1] is bought:
            self._decoded.move_to_end(user_id)
            return memo[2]
        signals = _decode(orjson.loads(views), _bought(bought), ())
        self._decoded[user_id] = (views, bought, signals)
        if len(self._decoded) > DECODED_USERS:
            self._decoded.popitem(last=False)
        return signals

    async def signals(self, user_id: str, deadline: Deadline) -> UserSignals:
        fresh = self.fresh_signals(user_id)
        if fresh is not None:
            return fresh
        local = self._followed()
        if local is not None:
            return await self._signals_with_local_purchases(user_id, local, deadline)
        (views, views_ok), (bought, orders_ok) = await asyncio.gather(
            self._cached(
                profile_key(user_id), self._load_views(user_id), self.profile_freshness, deadline
            ),
            self._cached(
                orders_key(user_id), self._load_orders(user_id), self.orders_freshness, deadline
            ),
        )
        degraded = self._profiles_degraded(views_ok)
        if not orders_ok or self.orders_policy.breaker.state == "open":
            degraded.append("orders")
        return _decode(views, bought, tuple(degraded))

    async def _signals_with_local_purchases(
        self, user_id: str, local: LocalPurchases, deadline: Deadline
    ) -> UserSignals:
        """One upstream call, the profile: the purchases are already here."""
        views, views_ok = await self._cached(
            profile_key(user_id), self._load_views(user_id), self.profile_freshness, deadline
        )
        degraded = self._profiles_degraded(views_ok)
        if not local.current():
            degraded.append("orders")  # what the index knew when the feed was last read
        return _decode(views, local.purchased(user_id), tuple(degraded))

    def _profiles_degraded(self, views_ok: bool) -> list[str]:
        if not views_ok or self.profiles_policy.breaker.state == "open":
            return ["profiles"]
        return []

    async def invalidate_orders(self, user_id: str) -> None:
        await self.cache.invalidate(orders_key(user_id))

    async def invalidate_profile(self, user_id: str) -> None:
        await self.cache.invalidate(profile_key(user_id))

    async def _cached(
        self, key: str, loader: _Loader, freshness: Freshness, deadline: Deadline
    ) -> tuple[object, bool]:
        """(decoded value or None, whether the answer is trustworthy)."""
        try:
            # If this request gives up, only its wait ends: the L2 read and the load run as the
            # cache's shared single-flight task, which finishes and warms the cache. Not
            # wait_for (on 3.11 a task of its own, two more loop turns on every cold request).
            async with asyncio.timeout(deadline.timeout_for_call()):
                value, status = await self.cache.get_or_load(
                    key, loader, soft_ttl_s=freshness.soft_ttl_s, hard_ttl_s=freshness.hard_ttl_s
                )
        except (TimeoutError, UpstreamFailureError, UpstreamError):
            return None, False
        return orjson.loads(value), status is not CacheStatus.STALE_IF_ERROR

    def _load_views(self, user_id: str) -> _Loader:
        async def load() -> bytes:
            views = await self.profiles_policy.call(
                lambda timeout_s: self.profiles.recent_views(user_id, timeout_s=timeout_s),
                deadline=Deadline(self.load_budget_s),
            )
            return UNKNOWN_USER if views is None else orjson.dumps(list(views))

        return load

    def _load_orders(self, user_id: str) -> _Loader:
        async def load() -> bytes:
            bought = await self.orders_policy.call(
                lambda timeout_s: self.orders.purchased_products(user_id, timeout_s=timeout_s),
                deadline=Deadline(self.load_budget_s),
            )
            return orjson.dumps(list(bought))

        return load


def _bought(value: object) -> object:
    """L1 holds the service's answer as JSON bytes; the index hands out a tuple."""
    return orjson.loads(value) if isinstance(value, bytes) else value


def _decode(views: object, bought: object, degraded: tuple[str, ...]) -> UserSignals:
    viewed = tuple(views) if isinstance(views, list) else ()
    purchased = tuple(bought) if isinstance(bought, list | tuple) else ()
    return UserSignals(views is not None or bool(purchased), purchased, viewed, degraded)
