"""S4 off the request path: a slow catalog feed trips its breaker, answers say so, and the
breaker closes again once the catalog is fast (against a real HTTP server)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from aiohttp import web

from nextbuy.core.deadline import Deadline
from nextbuy.core.http_client import create_session
from nextbuy.engine.domain.errors import UpstreamError
from nextbuy.engine.domain.ports import ResolvedProducts
from nextbuy.engine.upstream.clients import catalogue_feed, stock_feed
from nextbuy.engine.upstream.feed_health import (
    FEED_SLOW_CALL_S,
    FeedAwareResolver,
    FeedHealth,
    feed_breaker,
)
from nextbuy.engine.upstream.feed_resume import FeedResume
from nextbuy.engine.upstream.http import UpstreamHttp
from nextbuy.engine.upstream.probe import probe_open_breakers
from tests.support.fresh_reads import breaker_state
from tests.support.servers import free_port


class Catalog:
    """An empty catalogue change feed whose answers can be delayed, every one or just the next."""

    def __init__(self) -> None:
        self.delay_s = 0.0
        self.next_delays: list[float] = []
        self.calls = 0
        self.port = free_port()

    async def changes(self, _request: web.Request) -> web.Response:
        self.calls += 1
        await asyncio.sleep(self.next_delays.pop(0) if self.next_delays else self.delay_s)
        return web.json_response({"items": [], "next_cursor": None})

    async def health(self, _request: web.Request) -> web.Response:
        await asyncio.sleep(self.delay_s)
        return web.json_response({"status": "ok"})


@contextlib.asynccontextmanager
async def serving() -> AsyncIterator[Catalog]:
    server = Catalog()
    app = web.Application()
    app.router.add_get("/v1/products:changes", server.changes)
    app.router.add_get("/healthz", server.health)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", server.port).start()
    try:
        yield server
    finally:
        await runner.cleanup()


def catalog_with_health(
    catalog: Catalog, session: aiohttp.ClientSession
) -> tuple[UpstreamHttp, FeedHealth]:
    """The catalog's client and the feed breakers the engine would give it."""
    http = UpstreamHttp(
        session, f"http://127.0.0.1:{catalog.port}", "catalog", max_body_bytes=1 << 20
    )
    return http, FeedHealth.create({"catalog": http})


class NoneDegraded:
    async def resolve(self, product_ids: object, deadline: Deadline) -> ResolvedProducts:
        return ResolvedProducts({}, lambda _id: True)


def test_a_slow_catalog_feed_opens_its_breaker_and_answers_say_catalog() -> None:
    asyncio.run(_slow_feed_opens())


async def _slow_feed_opens() -> None:
    async with serving() as catalog, create_session() as session:
        http, health = catalog_with_health(catalog, session)
        feed = catalogue_feed(http, health.breakers["catalog"])
        resolver = FeedAwareResolver(NoneDegraded(), health)

        await feed.poll()
        assert (await resolver.resolve([], Deadline(0.1))).degraded_sources == ()

        catalog.delay_s = FEED_SLOW_CALL_S + 0.1
        await feed.poll()  # one slow short page: the slow-call rule trips
        assert health.breakers["catalog"].state == "open"
        assert (await resolver.resolve([], Deadline(0.1))).degraded_sources == ("catalog",)
        with pytest.raises(UpstreamError):
            await feed.poll()  # open: the slow upstream is left alone


def test_one_slow_page_among_fast_ones_is_confirmed_fast_and_leaves_the_breaker_closed() -> None:
    asyncio.run(_one_slow_page())


async def _one_slow_page() -> None:
    async with serving() as catalog, create_session() as session:
        http, health = catalog_with_health(catalog, session)
        feed = catalogue_feed(http, health.breakers["catalog"])
        catalog.next_delays = [FEED_SLOW_CALL_S + 0.1]  # S5: one call in a hundred is slow
        await feed.poll()
        assert catalog.calls == 2  # the slow page was asked for again at once, and was fast
        assert health.breakers["catalog"].state == "closed"
        await feed.poll()
        assert catalog.calls == 3  # a fast page needs no confirming


def test_the_probe_closes_a_feed_breaker_once_the_catalog_is_fast_again() -> None:
    asyncio.run(_probe_closes())


async def _probe_closes() -> None:
    async with serving() as catalog, create_session() as session:
        http, health = catalog_with_health(catalog, session)
        breaker = health.breakers["catalog"]
        breaker._open_s = 0.2  # the rule under test is the probe, not the interval
        catalog.delay_s = FEED_SLOW_CALL_S + 0.1
        feed = catalogue_feed(http, breaker)
        await feed.poll()
        assert breaker_state(breaker) == "open"

        probing = asyncio.create_task(
            probe_open_breakers(health.probe_targets(), interval_s=0.05, timeout_s=1.0)
        )
        try:
            await asyncio.sleep(0.6)
            assert breaker_state(breaker) != "closed"  # still slow: every probe reopens it
            catalog.delay_s = 0.0
            for _ in range(40):
                await asyncio.sleep(0.05)
                if breaker_state(breaker) == "closed":
                    break
            assert breaker_state(breaker) == "closed"
        finally:
            probing.cancel()
            await asyncio.gather(probing, return_exceptions=True)


class StockFeed:
    """A stock change feed honouring ``updated_since`` (inclusive), as the services do."""

    def __init__(self, levels: list[dict[str, object]]) -> None:
        self.levels = levels
        self.port = free_port()
        self.served: list[int] = []

    async def changes(self, request: web.Request) -> web.Response:
        since = request.query.get("updated_since")
        items = [
            level
            for level in self.levels
            if since is None
            or datetime.fromisoformat(str(level["updated_at"])) >= datetime.fromisoformat(since)
        ]
        self.served.append(len(items))
        return web.json_response({"items": items, "next_cursor": None})


def stock_level(product: str, updated_at: datetime) -> dict[str, object]:
    return {
        "product_id": product,
        "available": 5,
        "reserved": 0,
        "updated_at": updated_at.isoformat(),
    }


def test_a_settled_feed_is_not_reread_but_a_new_change_is_reread_once_after_the_overlap() -> None:
    asyncio.run(_settled_feed())


async def _settled_feed() -> None:
    long_ago = datetime.now(UTC) - timedelta(minutes=5)
    server = StockFeed([stock_level(f"p{i}", long_ago) for i in range(50)])
    app = web.Application()
    app.router.add_get("/v1/stock:changes", server.changes)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", server.port).start()
    clock = [0.0]
    try:
        async with create_session() as session:
            http = UpstreamHttp(
                session, f"http://127.0.0.1:{server.port}", "inventory", max_body_bytes=1 << 20
            )
            feed = stock_feed(http)
            feed.resume = FeedResume(clock=lambda: clock[0])
            assert len(await feed.poll()) == 50
            clock[0] += 5.01
            # Changes 5 minutes old are settled: no late commit can come, nothing is re-read.
            assert await feed.poll() == []
            assert await feed.poll() == []  # settled: resumes just after the newest change
            server.levels.append(stock_level("p50", datetime.now(UTC)))
            assert [level.product_id for level in await feed.poll()] == ["p50"]
            assert await feed.poll() == []  # a late commit has not had time to land yet
            clock[0] += 5.01
            again = await feed.poll()  # then the overlap is read once more (idempotent)
            assert [level.product_id for level in again] == ["p50"]
            clock[0] += 5.01
            assert await feed.poll() == []
    finally:
        await runner.cleanup()


def test_a_poll_slowed_by_our_own_busy_loop_does_not_open_the_breaker() -> None:
    asyncio.run(_busy_loop())


async def _busy_loop() -> None:
    async with serving() as catalog, create_session() as session:
        http, health = catalog_with_health(catalog, session)
        feed = catalogue_feed(http, health.breakers["catalog"], health.lag)
        watching = asyncio.create_task(health.lag.run())
        try:
            await asyncio.sleep(0.1)
            loop = asyncio.get_running_loop()
            # The engine's own work blocks the loop while the answer waits to be read.
            loop.call_later(0.005, time.sleep, FEED_SLOW_CALL_S + 0.1)
            await feed.poll()
            assert breaker_state(health.breakers["catalog"]) == "closed"

            await asyncio.sleep(0.2)  # the loop is idle again: a slow catalog still trips it
            catalog.delay_s = FEED_SLOW_CALL_S + 0.1
            await feed.poll()
            assert breaker_state(health.breakers["catalog"]) == "open"
        finally:
            watching.cancel()
            await asyncio.gather(watching, return_exceptions=True)


def test_slow_orders_pages_do_not_open_the_orders_feed_breaker_but_slow_catalog_pages_do() -> None:
    # Answers read purchases from the orders feed (ADR 0024): only its failures may name it.
    orders, catalog = feed_breaker("orders", None), feed_breaker("catalog", None)
    for breaker in (orders, catalog):
        breaker.record_success(FEED_SLOW_CALL_S + 0.5)
    assert breaker_state(orders) == "closed"
    assert breaker_state(catalog) == "open"
    orders.record_failure()
    orders.record_failure()
    assert breaker_state(orders) == "open"
