"""The optimised per-user data path against real HTTP servers (and real Redis for L2)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Protocol, TypedDict, Unpack

import pytest
from prometheus_client import CollectorRegistry

from nextbuy.core.deadline import Deadline
from nextbuy.core.http_client import create_session
from nextbuy.engine.data_plane import DataPlane
from nextbuy.engine.domain.feed_pulse import FeedPulse
from nextbuy.engine.domain.ports import PurchaseRecord
from nextbuy.engine.observability import EngineMetrics
from nextbuy.engine.optimized import build_optimized_plane
from nextbuy.engine.settings import EngineSettings
from nextbuy.engine.storage.purchase_index import FollowedPurchases, PurchaseIndex
from nextbuy.engine.storage.read_model import ProductReadModel
from nextbuy.engine.upstream.clients import OrdersClient, ProfilesClient
from nextbuy.engine.upstream.http import UpstreamHttp
from nextbuy.engine.upstream.naive import NaiveUserData
from nextbuy.engine.upstream.user_data import CachedUserData, LocalPurchases
from tests.engine.dataplane.fake_upstreams import FakeUpstream
from tests.support.servers import port_open, require_server

REDIS = ("127.0.0.1", 6379)


class PlaneOverrides(TypedDict, total=False):
    """Engine settings a scenario changes from their defaults."""

    redis_url: str
    redis_timeout_ms: int


class MakePlane(Protocol):
    """Builds an optimised data plane against the fake upstreams (keyword settings overrides)."""

    def __call__(
        self, local_purchases: LocalPurchases | None = None, **overrides: Unpack[PlaneOverrides]
    ) -> Awaitable[DataPlane]: ...


Scenario = Callable[[FakeUpstream, FakeUpstream, MakePlane], Awaitable[None]]


def run(scenario: Scenario) -> None:
    """Start both fake upstreams, give the scenario a plane factory, clean everything up."""

    async def main() -> None:
        profiles, orders = FakeUpstream("profiles"), FakeUpstream("orders")
        await profiles.start()
        await orders.start()
        session = create_session()
        planes: list[DataPlane] = []

        async def make_plane(
            local_purchases: LocalPurchases | None = None, **overrides: Unpack[PlaneOverrides]
        ) -> DataPlane:
            settings = EngineSettings(
                profiles_url=profiles.url, orders_url=orders.url, log_format="text", **overrides
            )
            metrics = EngineMetrics(CollectorRegistry())
            plane = await build_optimized_plane(
                settings,
                ProfilesClient(
                    UpstreamHttp(session, profiles.url, "profiles", max_body_bytes=1 << 20)
                ),
                OrdersClient(UpstreamHttp(session, orders.url, "orders", max_body_bytes=1 << 20)),
                ProductReadModel(),
                metrics,
                local_purchases=local_purchases,
            )
            planes.append(plane)
            return plane

        try:
            await scenario(profiles, orders, make_plane)
        finally:
            for plane in planes:
                for task in plane.background:
                    task.cancel()
                for closer in plane.closers:
                    await closer.close()
            await session.close()
            await profiles.stop()
            await orders.stop()

    asyncio.run(main())


def test_a_warm_user_costs_no_upstream_call() -> None:
    async def scenario(
        profiles: FakeUpstream,
        orders: FakeUpstream,
        make_plane: MakePlane,
    ) -> None:
        plane = await make_plane()
        first = await plane.user_data.signals("u1", Deadline(0.5))
        second = await plane.user_data.signals("u1", Deadline(0.5))
        assert first == second
        assert first.purchased == ("bought-1",)
        assert first.viewed == ("viewed-1",)
        assert first.degraded_sources == ()
        assert (profiles.calls, orders.calls) == ({"u1": 1}, {"u1": 1})
        assert orders.paths == ["/v1/users/u1/purchased-products"]  # ids only, not the history

    run(scenario)


def test_the_naive_baseline_still_reads_the_whole_order_history() -> None:
    async def scenario(profiles: FakeUpstream, orders: FakeUpstream, _plane: MakePlane) -> None:
        session = create_session()
        try:
            user_data = NaiveUserData(
                ProfilesClient(
                    UpstreamHttp(session, profiles.url, "profiles", max_body_bytes=1 << 20)
                ),
                OrdersClient(UpstreamHttp(session, orders.url, "orders", max_body_bytes=1 << 20)),
            )
            orders.purchases["u1"] = ("p2", "p1", "p2")
            signals = await user_data.signals("u1", Deadline(0.5))
        finally:
            await session.close()
        assert signals.purchased == ("p2", "p1")
        assert signals.degraded_sources == ()
        assert orders.paths == ["/v1/users/u1/orders"]

    run(scenario)


def test_concurrent_misses_for_one_user_make_one_call_per_upstream() -> None:
    async def scenario(
        profiles: FakeUpstream,
        orders: FakeUpstream,
        make_plane: MakePlane,
    ) -> None:
        plane = await make_plane()
        # Generous deadline: this is about the number of upstream calls, not latency.
        await asyncio.gather(*(plane.user_data.signals("u1", Deadline(10.0)) for _ in range(200)))
        for _ in range(100):  # a shielded load may still be landing if some waiters gave up
            if profiles.calls and orders.calls:
                break
            await asyncio.sleep(0.05)
        assert (profiles.calls, orders.calls) == ({"u1": 1}, {"u1": 1})

    run(scenario)


def test_a_new_order_invalidates_only_that_users_orders() -> None:
    async def scenario(
        profiles: FakeUpstream,
        orders: FakeUpstream,
        make_plane: MakePlane,
    ) -> None:
        plane = await make_plane()
        await plane.user_data.signals("u1", Deadline(0.5))
        assert plane.invalidator is not None
        await plane.invalidator.invalidate_orders("u1")
        await plane.user_data.signals("u1", Deadline(0.5))
        assert (profiles.calls, orders.calls) == ({"u1": 1}, {"u1": 2})

    run(scenario)


def test_fresh_signals_are_one_object_until_the_users_data_changes() -> None:
    async def scenario(
        profiles: FakeUpstream,
        orders: FakeUpstream,
        make_plane: MakePlane,
    ) -> None:
        plane = await make_plane()
        user_data = plane.user_data
        assert isinstance(user_data, CachedUserData)
        assert user_data.fresh_signals("u1") is None  # never loaded: no fast answer
        loaded = await user_data.signals("u1", Deadline(0.5))
        hot = user_data.fresh_signals("u1")
        assert hot == loaded
        assert hot is user_data.fresh_signals("u1")  # identity says "unchanged"
        await user_data.invalidate_orders("u1")
        assert user_data.fresh_signals("u1") is None  # the order history must reload
        reloaded = await user_data.signals("u1", Deadline(0.5))
        assert reloaded is not hot
        assert orders.calls == {"u1": 2}

    run(scenario)


@pytest.mark.parametrize("mode", ["hang", "broken", "contract", "404", "500", "dead"])
def test_a_failing_upstream_degrades_within_the_deadline(mode: str) -> None:
    async def scenario(
        profiles: FakeUpstream,
        orders: FakeUpstream,
        make_plane: MakePlane,
    ) -> None:
        plane = await make_plane()
        if mode == "dead":
            await orders.stop()
        else:
            orders.mode = mode
        started = time.monotonic()
        signals = await plane.user_data.signals("u1", Deadline(0.18))
        elapsed = time.monotonic() - started
        assert signals.degraded_sources == ("orders",)
        assert signals.purchased == ()
        assert signals.viewed == ("viewed-1",)  # the healthy source still counts
        assert elapsed < 0.5, elapsed  # 180 ms budget; wide margin for a loaded machine

    run(scenario)


def test_cached_data_is_served_while_the_upstream_is_down_and_flagged_once_the_breaker_opens() -> (
    None
):
    async def scenario(
        profiles: FakeUpstream,
        orders: FakeUpstream,
        make_plane: MakePlane,
    ) -> None:
        plane = await make_plane()
        await plane.user_data.signals("warm", Deadline(0.5))
        await orders.stop()
        for i in range(8):  # misses for new users fail and open the breaker
            await plane.user_data.signals(f"cold-{i}", Deadline(0.18))
        warm = await plane.user_data.signals("warm", Deadline(0.18))
        assert warm.purchased == ("bought-1",)  # still served from cache
        assert "orders" in warm.degraded_sources  # but the answer says the source is down

    run(scenario)


def test_replicas_share_the_redis_l2_cache() -> None:
    require_server("Redis", port_open(*REDIS), f"{REDIS[0]}:{REDIS[1]}")
    user = f"shared-{uuid.uuid4().hex[:8]}"

    async def scenario(
        profiles: FakeUpstream,
        orders: FakeUpstream,
        make_plane: MakePlane,
    ) -> None:
        url = f"redis://{REDIS[0]}:{REDIS[1]}/0"
        # A generous Redis timeout: this test is about sharing, not about a loaded machine.
        first = await make_plane(redis_url=url, redis_timeout_ms=1000)
        second = await make_plane(redis_url=url, redis_timeout_ms=1000)
        await first.user_data.signals(user, Deadline(0.5))
        # The first replica shares its loads behind its answer (ADR 0019): the second one reads
        # them once they have landed.
        assert isinstance(first.user_data, CachedUserData)
        await first.user_data.cache.writes_landed()
        signals = await second.user_data.signals(user, Deadline(0.5))
        assert signals.purchased == ("bought-1",)
        assert (profiles.calls, orders.calls) == ({user: 1}, {user: 1})
        assert first.invalidator is not None
        await first.invalidator.invalidate_orders(user)  # an order placed: every replica reloads

    run(scenario)


def test_redis_unreachable_costs_nothing_but_the_shared_cache() -> None:
    async def scenario(
        profiles: FakeUpstream,
        orders: FakeUpstream,
        make_plane: MakePlane,
    ) -> None:
        from tests.support.servers import free_port

        plane = await make_plane(redis_url=f"redis://127.0.0.1:{free_port()}/0")
        started = time.monotonic()
        signals = await plane.user_data.signals("u1", Deadline(0.5))
        assert signals.degraded_sources == ()
        assert signals.purchased == ("bought-1",)
        assert time.monotonic() - started < 0.5
        await plane.user_data.signals("u1", Deadline(0.5))
        assert orders.calls == {"u1": 1}  # L1 still caches

    run(scenario)


def followed_purchases(*records: PurchaseRecord) -> FollowedPurchases:
    """An index that has read the whole orders feed, with these orders in it."""
    followed = FollowedPurchases(PurchaseIndex(history_orders=1000), FeedPulse())
    followed.index.apply(records)
    followed.pulse.poll_started()
    followed.pulse.poll_succeeded()
    return followed


def test_with_the_orders_feed_followed_a_cold_user_costs_only_the_profile_call() -> None:
    async def scenario(profiles: FakeUpstream, orders: FakeUpstream, make_plane: MakePlane) -> None:
        local = followed_purchases(PurchaseRecord("o1", "u1", ("kettle",), False, 1.0))
        plane = await make_plane(local_purchases=local)
        signals = await plane.user_data.signals("u1", Deadline(0.5))
        assert signals.purchased == ("kettle",)
        assert signals.viewed == ("viewed-1",)
        assert signals.degraded_sources == ()
        assert (profiles.calls, orders.calls) == ({"u1": 1}, {})
        local.index.apply([PurchaseRecord("o2", "u1", ("mug",), False, 2.0)])
        again = await plane.user_data.signals("u1", Deadline(0.5))
        assert again.purchased == ("kettle", "mug")  # a new order counts at once
        assert (profiles.calls, orders.calls) == ({"u1": 1}, {})  # and the profile is cached

    run(scenario)


def test_a_feed_that_stopped_being_current_names_orders_but_keeps_what_it_knew() -> None:
    async def scenario(profiles: FakeUpstream, orders: FakeUpstream, make_plane: MakePlane) -> None:
        local = followed_purchases(PurchaseRecord("o1", "u1", ("kettle",), False, 1.0))
        user_data = (await make_plane(local_purchases=local)).user_data
        assert isinstance(user_data, CachedUserData)
        await user_data.signals("u1", Deadline(0.5))
        assert user_data.fresh_signals("u1") is not None
        local.pulse.poll_started()
        local.pulse.poll_failed()  # the Order History service died
        assert user_data.fresh_signals("u1") is None  # not answerable without naming it
        signals = await user_data.signals("u1", Deadline(0.5))
        assert signals.degraded_sources == ("orders",)
        assert signals.purchased == ("kettle",)
        assert orders.calls == {}

    run(scenario)


def test_until_the_feed_has_been_read_once_purchases_come_from_the_service() -> None:
    async def scenario(profiles: FakeUpstream, orders: FakeUpstream, make_plane: MakePlane) -> None:
        local = FollowedPurchases(PurchaseIndex(history_orders=1000), FeedPulse())
        plane = await make_plane(local_purchases=local)
        signals = await plane.user_data.signals("u1", Deadline(0.5))
        assert signals.purchased == ("bought-1",)
        assert orders.calls == {"u1": 1}

    run(scenario)
