"""read_json against a real aiohttp server: whole bodies in, oversized bodies refused."""

from __future__ import annotations

import asyncio

import orjson
import pytest
from aiohttp import web

from nextbuy.core.http_client import create_session, read_json
from tests.support.servers import free_port

BIG = {"items": [{"id": f"p{i}", "title": "x" * 100} for i in range(3000)]}  # ~350 KB


async def _serve_and_fetch(path: str, max_bytes: int) -> object:
    async def big(_request: web.Request) -> web.Response:
        return web.Response(body=orjson.dumps(BIG), content_type="application/json")

    async def streamed(request: web.Request) -> web.StreamResponse:
        # No Content-Length: the cap must hold while streaming.
        response = web.StreamResponse()
        await response.prepare(request)
        for _ in range(50):
            await response.write(b" " * 10_000)
        await response.write(b"{}")
        return response

    app = web.Application()
    app.router.add_get("/big", big)
    app.router.add_get("/streamed", streamed)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        async with (
            create_session() as session,
            session.get(f"http://127.0.0.1:{port}{path}") as response,
        ):
            return await read_json(response, max_bytes=max_bytes)
    finally:
        await runner.cleanup()


def test_reads_a_large_body_whole() -> None:
    assert asyncio.run(_serve_and_fetch("/big", 10 * 1024 * 1024)) == BIG


def test_refuses_a_body_declared_larger_than_the_cap() -> None:
    with pytest.raises(ValueError, match="larger than"):
        asyncio.run(_serve_and_fetch("/big", 100_000))


def test_refuses_a_streamed_body_that_grows_past_the_cap() -> None:
    with pytest.raises(ValueError, match="larger than"):
        asyncio.run(_serve_and_fetch("/streamed", 100_000))
