"""A real webhook subscriber for tests: an aiohttp server that acknowledges as told.

``serving`` runs it on the caller's event loop; ``serving_in_thread`` on a loop of its own,
for tests whose code under test is synchronous (a Flask or Starlette test client).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

from aiohttp import web

from nextbuy.bus.envelope import decode_batch
from nextbuy.contracts.events import AnyEvent
from tests.support.servers import free_port


class Receiver:
    """A subscriber that answers ``statuses`` in turn (then 200) and keeps what it accepted."""

    def __init__(self, statuses: tuple[int, ...] = (), *, delay_s: float = 0.0) -> None:
        self._statuses = list(statuses)
        self._delay_s = delay_s
        self.accepted: list[AnyEvent] = []
        self.requests = 0

    async def handle(self, request: web.Request) -> web.Response:
        self.requests += 1
        await asyncio.sleep(self._delay_s)
        status = self._statuses.pop(0) if self._statuses else 200
        if status < 300:
            self.accepted.extend(decode_batch(await request.read()))
        return web.json_response({"status": status}, status=status)


@asynccontextmanager
async def serving(receiver: Receiver) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_post("/v1/internal/events", receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}/v1/internal/events"
    finally:
        await runner.cleanup()


@contextmanager
def serving_in_thread(receiver: Receiver) -> Iterator[str]:
    """Serve ``receiver`` from a background thread; yields its URL."""
    loop = asyncio.new_event_loop()
    started: list[str] = []
    ready, stop = threading.Event(), asyncio.Event()

    async def serve() -> None:
        async with serving(receiver) as url:
            started.append(url)
            ready.set()
            await stop.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),))
    thread.start()
    try:
        assert ready.wait(10), "the webhook receiver did not start"
        yield started[0]
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()
