"""The two ports every transport implements, and what each promises.

Together they give effectively-once processing: a publisher returns only after the broker
has durably accepted every event (so the outbox may forget them); a consumer acks only after
its handler's own write committed (so a crash means redelivery, never loss); and handlers
deduplicate by ``event_id`` (so redelivery never means double effect).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, runtime_checkable

from nextbuy.contracts.events import AnyEvent, EventBase

EventHandler = Callable[[AnyEvent], Awaitable[None]]
"""Processes one event and returns once its effect is committed; raises to have it retried."""

BatchEventHandler = Callable[[Sequence[AnyEvent]], Awaitable[None]]
"""Processes events in order, returning once all their effects are committed; raises to have
them retried (the consumer then retries them one by one, to single out a poison event)."""


def one_by_one(handler: EventHandler) -> BatchEventHandler:
    """A batch handler that hands each event to ``handler`` in turn."""

    async def handle(events: Sequence[AnyEvent]) -> None:
        for event in events:
            await handler(event)

    return handle


class EventPublisher(Protocol):
    """Sends events to every subscriber of their type."""

    async def publish(self, events: Sequence[EventBase]) -> None:
        """Return once every event is durably accepted (publisher confirms, or a 2xx).

        Raises :class:`~nextbuy.bus.errors.PublishError` otherwise; its ``confirmed`` names
        the events that did get through, and the caller keeps the rest to retry.
        """
        ...


@runtime_checkable
class ClosableTransport(Protocol):
    """A publisher or consumer that holds connections to release on shutdown."""

    async def close(self) -> None:
        """Release connections; using the transport again reconnects."""
        ...


class EventConsumer(Protocol):
    """Delivers events of a consumer group to a handler until told to stop."""

    async def run(self, handler: EventHandler, *, stop: asyncio.Event) -> None:
        """Feed ``handler`` until ``stop`` is set, reconnecting when the broker goes away.

        A message is acked only after ``handler`` returns. A handler exception requeues it,
        a bounded number of times, then dead-letters it; a message that does not decode or
        validate is dead-lettered at once with the reason in a header.
        """
        ...


class BatchEventConsumer(EventConsumer, Protocol):
    """A consumer that can also hand its handler every event that has arrived at once."""

    async def run_batches(self, handler: BatchEventHandler, *, stop: asyncio.Event) -> None:
        """Like :meth:`EventConsumer.run`, with a batch handler; offsets or acks follow it."""
        ...
