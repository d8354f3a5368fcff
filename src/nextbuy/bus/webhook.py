"""The embedded default transport: the outbox relay POSTs batches to subscriber URLs.

No broker to run: each subscriber (the engine's ``POST /v1/internal/events``) receives
``{"events": [...]}`` (see :func:`nextbuy.bus.envelope.encode_batch`) and answers 2xx only
once the batch is durably handled. Anything else — a 5xx, a timeout, a refused connection —
fails the publish, so the relay keeps the batch and retries it with backoff until every
subscriber acknowledged it. A batch retried for one subscriber is sent again to the others;
they deduplicate by ``event_id`` as every consumer must.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import aiohttp

from nextbuy.bus.envelope import encode_batch
from nextbuy.bus.errors import BusConfigurationError, PublishError
from nextbuy.bus.settings import subscriber_urls
from nextbuy.contracts.events import EventBase

CONTENT_TYPE = "application/json"
MAX_ERROR_BODY = 200


def parse_subscribers(url_list: str) -> list[str]:
    """Subscriber URLs from a comma- or space-separated list; refuses non-HTTP entries."""
    try:
        return subscriber_urls(url_list)
    except ValueError as exc:
        raise BusConfigurationError(str(exc)) from exc


class WebhookPublisher:
    """:class:`~nextbuy.bus.ports.EventPublisher` that pushes to every subscriber URL."""

    def __init__(self, urls: Sequence[str], *, timeout_s: float = 10.0) -> None:
        if not urls:
            raise BusConfigurationError("a webhook publisher needs at least one subscriber URL")
        self._urls = tuple(urls)
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None

    async def publish(self, events: Sequence[EventBase]) -> None:
        """POST the batch to every subscriber at once; succeed only if all answered 2xx."""
        if not events:
            return
        body = encode_batch(events)
        session = self._open()
        outcomes = await asyncio.gather(
            *(self._post(session, url, body) for url in self._urls), return_exceptions=True
        )
        failures = [f"{url}: {o!r}" for url, o in zip(self._urls, outcomes, strict=True) if o]
        if failures:
            # All-or-nothing per batch: "confirmed" would have to be per subscriber.
            raise PublishError(f"{len(failures)} subscriber(s) did not acknowledge: {failures}")

    async def close(self) -> None:
        """Close the HTTP session (if any)."""
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    @staticmethod
    async def _post(session: aiohttp.ClientSession, url: str, body: bytes) -> None:
        async with session.post(url, data=body, headers={"Content-Type": CONTENT_TYPE}) as reply:
            if not 200 <= reply.status < 300:
                detail = (await reply.text())[:MAX_ERROR_BODY]
                raise PublishError(f"HTTP {reply.status}: {detail}")
