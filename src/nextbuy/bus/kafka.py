"""Kafka transport (aiokafka), the optional one for shops that outgrow a single broker.

The publisher is idempotent with ``acks="all"``: a send counts as accepted only once every
in-sync replica has it, and a retried send is not written twice. Records are keyed by
subject and carry the type in a header (see :mod:`nextbuy.bus.kafka_wire` for why one
topic). Install with the ``kafka`` extra; this module is imported only for ``kafka://`` URLs.
The consumer side lives in :mod:`nextbuy.bus.kafka_consumer`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from nextbuy.bus.envelope import encode
from nextbuy.bus.errors import PublishError
from nextbuy.bus.kafka_wire import KafkaAddress, parse_kafka_url, partition_key, record_headers
from nextbuy.contracts.events import EventBase

logger = logging.getLogger(__name__)

# What a lost or refusing cluster raises: caught to reconnect, never to drop an event.
CONNECTION_ERRORS = (KafkaError, OSError, TimeoutError)


def create_producer(address: KafkaAddress, *, timeout_s: float, client_id: str) -> AIOKafkaProducer:
    """A producer whose acknowledged sends are on every in-sync replica, exactly once."""
    return AIOKafkaProducer(
        bootstrap_servers=list(address.bootstrap_servers),
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        request_timeout_ms=int(timeout_s * 1000),
    )


class KafkaPublisher:
    """:class:`~nextbuy.bus.ports.EventPublisher` over one producer, started lazily.

    Any failure stops the producer, so the next call starts clean: that, with the relay's
    backoff, is the reconnect when the cluster comes back.
    """

    def __init__(self, url: str, *, timeout_s: float = 10.0) -> None:
        self._address = parse_kafka_url(url)
        self._timeout_s = timeout_s
        self._producer: AIOKafkaProducer | None = None

    async def publish(self, events: Sequence[EventBase]) -> None:
        """Send every event and wait until the cluster acknowledged each one."""
        if not events:
            return
        try:
            producer = await self._open()
        except CONNECTION_ERRORS as exc:
            await self.close()
            raise PublishError(f"cannot reach the Kafka cluster: {exc!r}") from exc
        # Enqueue in order (one subject's events keep their order within its partition),
        # then wait for all acknowledgements together.
        pending: list[asyncio.Future[object]] = []
        failure: BaseException | None = None
        for event in events:
            try:
                pending.append(
                    await producer.send(
                        self._address.topic,
                        value=encode(event),
                        key=partition_key(event),
                        headers=record_headers(event),
                    )
                )
            except CONNECTION_ERRORS as exc:
                failure = exc
                break
        outcomes = await asyncio.gather(*pending, return_exceptions=True)
        failures = [o for o in outcomes if isinstance(o, BaseException)]
        if failure is None and not failures:
            return
        await self.close()  # the producer's state is unknown: start over next time
        confirmed = [
            event.event_id
            for event, outcome in zip(events, outcomes, strict=False)
            if not isinstance(outcome, BaseException)
        ]
        first = failures[0] if failures else failure
        raise PublishError(
            f"{len(events) - len(confirmed)} of {len(events)} events not acknowledged: {first!r}",
            confirmed=confirmed,
        )

    async def close(self) -> None:
        """Stop the producer (if any); the next publish starts a new one."""
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                await producer.stop()
            except CONNECTION_ERRORS as exc:
                logger.debug("stopping a broken Kafka producer: %r", exc)

    async def _open(self) -> AIOKafkaProducer:
        if self._producer is not None:
            return self._producer
        producer = create_producer(
            self._address, timeout_s=self._timeout_s, client_id="nextbuy-publisher"
        )
        try:
            await producer.start()
        except BaseException:
            await producer.stop()  # a failed start still holds sockets and tasks
            raise
        self._producer = producer
        return producer
