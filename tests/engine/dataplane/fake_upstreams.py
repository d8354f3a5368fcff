"""Contract-shaped stand-ins for the profiles and orders HTTP APIs, as real aiohttp servers.

They let a test make an upstream slow, hung, broken or dead on demand and count every call at
the upstream. The real services are exercised by the e2e test and the benchmark.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from aiohttp import web

from tests.support.servers import free_port

NOW = "2026-01-01T00:00:00Z"
WRONG_SHAPE = {
    "items": [{"status": "placed", "lines": [{"product_id": 7}]}],
    "product_ids": [7],
    "recent_views": {},
}
"""Well-formed JSON, wrong where the engine reads: numeric product ids, views not a list."""


@dataclass
class FakeUpstream:
    """One upstream: ``mode`` is ok, hang (never answers), broken (bad JSON), contract (JSON of
    the wrong shape), 404 (a service without the route) or 500."""

    name: str
    mode: str = "ok"
    purchases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """What each user bought (orders upstream); a user not listed bought ``bought-1``."""
    calls: dict[str, int] = field(default_factory=dict)
    paths: list[str] = field(default_factory=list)
    """Every path asked for, in order: which endpoint a data plane reads."""
    port: int = field(default_factory=free_port)
    _runner: web.AppRunner | None = None
    _released: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self._health)
        app.router.add_get("/v1/users/{user_id}", self._profile)
        app.router.add_get("/v1/users/{user_id}/orders", self._orders)
        app.router.add_get("/v1/users/{user_id}/purchased-products", self._purchased)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        self._released.set()  # hung handlers return, so shutdown does not wait for them
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _health(self, _request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def _answer(self, request: web.Request, body: Mapping[str, object]) -> web.Response:
        user_id = request.match_info["user_id"]
        self.calls[user_id] = self.calls.get(user_id, 0) + 1
        self.paths.append(request.path)
        if self.mode == "hang":
            await self._released.wait()
        if self.mode == "broken":
            return web.Response(body=b'{"items": [', content_type="application/json")
        if self.mode == "contract":
            return web.json_response(WRONG_SHAPE)
        if self.mode in ("404", "500"):
            return web.json_response({"status": int(self.mode)}, status=int(self.mode))
        return web.json_response(body)

    async def _profile(self, request: web.Request) -> web.Response:
        user_id = request.match_info["user_id"]
        body = {
            "id": user_id,
            "demographics": {},
            "preferences": {},
            "attributes": {},
            "recent_views": [{"product_id": "viewed-1", "viewed_at": NOW}],
            "created_at": NOW,
            "updated_at": NOW,
        }
        return await self._answer(request, body)

    async def _orders(self, request: web.Request) -> web.Response:
        user_id = request.match_info["user_id"]
        order = {
            "id": f"o-{user_id}",
            "user_id": user_id,
            "status": "placed",
            "currency": "EUR",
            "created_at": NOW,
            "updated_at": NOW,
            "lines": [
                {"product_id": p, "quantity": 1, "unit_price": 9.5}
                for p in self.purchases.get(user_id, ("bought-1",))
            ],
        }
        return await self._answer(request, {"items": [order], "next_cursor": None})

    async def _purchased(self, request: web.Request) -> web.Response:
        user_id = request.match_info["user_id"]
        bought = list(self.purchases.get(user_id, ("bought-1",)))
        return await self._answer(request, {"user_id": user_id, "product_ids": bought})


@contextlib.contextmanager
def serving_in_a_thread(*upstreams: FakeUpstream) -> Iterator[None]:
    """Run the upstreams on their own event loop, for a test whose app has its own (TestClient)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        for upstream in upstreams:
            asyncio.run_coroutine_threadsafe(upstream.start(), loop).result(timeout=10)
        yield
    finally:
        for upstream in upstreams:
            asyncio.run_coroutine_threadsafe(upstream.stop(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
