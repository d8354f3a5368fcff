"""RabbitMQ transport (aio-pika): a durable topic exchange, confirmed persistent publishes.

Routing keys are event types (``stock.changed.v1``), so a consumer group binds exactly the
types it reads. Publishes are ``mandatory``: an event no queue is bound for comes back as a
failure and stays in the publisher's outbox, rather than vanishing into an exchange with no
queue. The consumer side lives in :mod:`nextbuy.bus.rabbitmq_consumer`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractExchange
from aio_pika.exceptions import AMQPError, ChannelInvalidStateError
from yarl import URL

from nextbuy.bus.envelope import EventEnvelope
from nextbuy.bus.errors import PublishError
from nextbuy.contracts.events import EventBase

logger = logging.getLogger(__name__)

DEFAULT_EXCHANGE = "nextbuy.events"

# What a lost or refusing broker raises: caught to reconnect, never to drop a message.
CONNECTION_ERRORS = (AMQPError, OSError, TimeoutError, ChannelInvalidStateError)


@dataclass(frozen=True, slots=True)
class Topology:
    """Names of everything one exchange and its consumer groups declare."""

    exchange: str = DEFAULT_EXCHANGE

    def queue(self, group: str) -> str:
        return f"{self.exchange}.{group}"

    def dead_letters(self, group: str) -> str:
        """The group's dead-letter exchange, and its queue of the same name."""
        return f"{self.exchange}.{group}.dead"


def to_message(event: EventBase) -> aio_pika.Message:
    """A persistent AMQP message carrying ``event`` (id and type also as AMQP properties)."""
    envelope = EventEnvelope.of(event)
    return aio_pika.Message(
        envelope.body,
        headers=dict(envelope.headers),
        content_type="application/json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=envelope.headers["event_id"],
        type=envelope.event_type,
    )


async def connect(url: str, *, timeout_s: float) -> AbstractConnection:
    """Open a connection; a failed attempt is closed at once.

    ``aio_pika.connect`` leaves a failed connection to its ``__del__``, which schedules a
    close on whatever loop is current at garbage collection: in a relay thread whose loop is
    gone, that coroutine is never awaited (a RuntimeWarning per failed reconnect).
    """
    connection = aio_pika.Connection(URL(url))
    try:
        await connection.connect(timeout=timeout_s)
    except BaseException:
        await connection.close()
        raise
    return connection


async def declare_exchange(channel: AbstractChannel, name: str) -> AbstractExchange:
    return await channel.declare_exchange(name, aio_pika.ExchangeType.TOPIC, durable=True)


class RabbitPublisher:
    """:class:`~nextbuy.bus.ports.EventPublisher` over one connection, opened lazily.

    Any failure drops the connection, so the next call starts clean: that, with the relay's
    backoff, is the reconnect when a broker restarts.
    """

    def __init__(
        self, url: str, *, exchange: str = DEFAULT_EXCHANGE, timeout_s: float = 10.0
    ) -> None:
        self._url = url
        self._exchange_name = exchange
        self._timeout_s = timeout_s
        self._connection: AbstractConnection | None = None
        self._exchange: AbstractExchange | None = None

    async def publish(self, events: Sequence[EventBase]) -> None:
        """Publish every event and wait for the broker's confirms (all of them, concurrently)."""
        if not events:
            return
        try:
            exchange = await self._open()
        except CONNECTION_ERRORS as exc:
            await self.close()
            raise PublishError(f"cannot reach the broker: {exc!r}") from exc
        outcomes = await asyncio.gather(
            *(self._publish_one(exchange, event) for event in events), return_exceptions=True
        )
        failures = [o for o in outcomes if isinstance(o, BaseException)]
        if not failures:
            return
        if any(not isinstance(f, aio_pika.exceptions.DeliveryError) for f in failures):
            await self.close()  # the channel is gone or unknown: start over next time
        confirmed = [e.event_id for e, o in zip(events, outcomes, strict=True) if o is None]
        raise PublishError(
            f"{len(failures)} of {len(events)} events not confirmed: {failures[0]!r}",
            confirmed=confirmed,
        )

    async def close(self) -> None:
        """Close the connection (if any); the next publish reconnects."""
        connection, self._connection, self._exchange = self._connection, None, None
        if connection is not None:
            try:
                await connection.close()
            except CONNECTION_ERRORS as exc:
                logger.debug("closing a broken broker connection: %r", exc)

    async def _open(self) -> AbstractExchange:
        if self._exchange is not None and self._connection and not self._connection.is_closed:
            return self._exchange
        await self.close()
        self._connection = await connect(self._url, timeout_s=self._timeout_s)
        channel = await self._connection.channel(publisher_confirms=True, on_return_raises=True)
        self._exchange = await declare_exchange(channel, self._exchange_name)
        return self._exchange

    async def _publish_one(self, exchange: AbstractExchange, event: EventBase) -> None:
        message = to_message(event)
        await exchange.publish(
            message, routing_key=message.type or "", mandatory=True, timeout=self._timeout_s
        )
