"""A tiny real HTTP server for the bench tests: records when each request arrived."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiohttp import web


@dataclass
class Recorded:
    arrivals: list[float] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0


@asynccontextmanager
async def tiny_server(
    *, delay_s: float = 0.0, degraded_users: frozenset[str] = frozenset()
) -> AsyncIterator[tuple[str, Recorded]]:
    """Serve ``/echo`` (and ``/v1/recommendations``) on a free port; yield its URL and record."""
    recorded = Recorded()
    loop = asyncio.get_running_loop()

    async def handle(request: web.Request) -> web.Response:
        recorded.arrivals.append(loop.time())
        recorded.in_flight += 1
        recorded.max_in_flight = max(recorded.max_in_flight, recorded.in_flight)
        try:
            await request.read()
            if delay_s:
                await asyncio.sleep(delay_s)
            user = request.query.get("user_id", "")
            degraded = user in degraded_users
            sources = ["orders"] if degraded else []
            return web.json_response({"degraded": degraded, "degraded_sources": sources})
        finally:
            recorded.in_flight -= 1

    app = web.Application()
    app.router.add_route("*", "/echo", handle)
    app.router.add_get("/v1/recommendations", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}", recorded
    finally:
        await runner.cleanup()
