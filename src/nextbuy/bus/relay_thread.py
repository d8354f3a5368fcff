"""Running an outbox relay beside a service: one daemon thread with its own event loop.

Every service runs its relay this way whatever its web framework (Flask and Django under
gunicorn threads, FastAPI under uvicorn): the stores are synchronous, so the relay's loop may
block on them without stalling a request, and the transport's connections live on the loop
that created them. The publisher is built inside that loop (aio-pika and aiohttp need one).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import Any

from nextbuy.bus.ports import ClosableTransport, EventPublisher
from nextbuy.bus.relay import OutboxRelay, OutboxStore

logger = logging.getLogger(__name__)

PublisherFactory = Callable[[], EventPublisher]


class RelayThread:
    """An :class:`OutboxRelay` in a daemon thread; ``stop()`` ends it and closes the transport."""

    def __init__(
        self,
        store: OutboxStore,
        publisher_factory: PublisherFactory,
        *,
        name: str = "outbox-relay",
        **relay_options: Any,
    ) -> None:
        self._store = store
        self._publisher_factory = publisher_factory
        self._relay_options = relay_options
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._stopping = False
        self._failure: BaseException | None = None
        self.relay: OutboxRelay | None = None

    def start(self) -> RelayThread:
        """Start relaying in the background; raises if the transport cannot even be built."""
        self._thread.start()
        self._ready.wait(timeout=5.0)
        if self._failure is not None:
            raise RuntimeError(f"the outbox relay did not start: {self._failure!r}")
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        """Ask the relay to finish its batch and stop; wait up to ``timeout_s`` for it."""
        self._stopping = True
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _main(self) -> None:
        try:
            asyncio.run(self._run())
        except Exception as exc:  # the thread must say why it died: nothing else would
            self._failure = exc
            logger.exception("outbox relay thread stopped on an unexpected error")
        finally:
            self._ready.set()

    async def _run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        if self._stopping:
            self._stop.set()
        publisher = self._publisher_factory()
        self.relay = OutboxRelay(self._store, publisher, **self._relay_options)
        self._ready.set()
        try:
            await self.relay.run(self._stop)
        finally:
            if isinstance(publisher, ClosableTransport):
                await publisher.close()
