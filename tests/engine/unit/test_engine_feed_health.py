"""S4 off the request path: a slow catalog feed trips its breaker, answers say so, and the
breaker closes again once the catalog is fast (against a real HTTP server)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from nextbuy.core.deadline import Deadline
from nextbuy.core.http_client import create_session
from nextbuy.engine.domain.errors import UpstreamError
from nextbuy.engine.domain.ports import ResolvedProducts
from nextbuy.engine.upstream.clients import catalogue_feed
from nextbuy.engine.upstream.feed_health import FEED_SLOW_CALL_S, FeedAwareResolver, FeedHealth
from nextbuy.engine.upstream.http import UpstreamHttp
from nextbuy.engine.upstream.probe import probe_open_breakers
from tests.support.servers import free_port


class Catalog:
    """An empty catalogue change feed whose answers can be delayed."""

    def __init__(self) -> None:
        self.delay_s = 0.0
        self.port = free_port()

    async def changes(self, _request: web.Request) -> web.Response:
        await asyncio.sleep(self.delay_s)
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


class NoneDegraded:
    async def resolve(self, product_ids: object, deadline: Deadline) -> ResolvedProducts:
        return ResolvedProducts({}, lambda _id: True)


def test_a_slow_catalog_feed_opens_its_breaker_and_answers_say_catalog() -> None:
    asyncio.run(_slow_feed_opens())


async def _slow_feed_opens() -> None:
    async with serving() as catalog, create_session() as session:
        http = UpstreamHttp(
            session, f"http://127.0.0.1:{catalog.port}", "catalog", max_body_bytes=1 << 20
        )
        health = FeedHealth.create({"catalog": http})
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


def test_the_probe_closes_a_feed_breaker_once_the_catalog_is_fast_again() -> None:
    asyncio.run(_probe_closes())


async def _probe_closes() -> None:
    async with serving() as catalog, create_session() as session:
        http = UpstreamHttp(
            session, f"http://127.0.0.1:{catalog.port}", "catalog", max_body_bytes=1 << 20
        )
        health = FeedHealth.create({"catalog": http})
        breaker = health.breakers["catalog"]
        breaker._open_s = 0.2  # the rule under test is the probe, not the interval
        catalog.delay_s = FEED_SLOW_CALL_S + 0.1
        feed = catalogue_feed(http, breaker)
        await feed.poll()
        assert breaker.state == "open"

        probing = asyncio.create_task(
            probe_open_breakers(health.probe_targets(), interval_s=0.05, timeout_s=1.0)
        )
        try:
            await asyncio.sleep(0.6)
            assert breaker.state != "closed"  # still slow: every probe reopens it
            catalog.delay_s = 0.0
            for _ in range(40):
                await asyncio.sleep(0.05)
                if breaker.state == "closed":
                    break
            assert breaker.state == "closed"
        finally:
            probing.cancel()
            await asyncio.gather(probing, return_exceptions=True)
