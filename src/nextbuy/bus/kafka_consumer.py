"""Kafka consumer groups: offsets committed only after the handler, dead letters to a topic.

The bus group is the Kafka consumer group, so Kafka spreads partitions over an engine's
replicas as RabbitMQ spreads one queue's messages. Auto-commit is off: a batch from
``getmany`` goes to the handler, and its offsets are committed once the handler returned.
A consumer killed mid-batch commits nothing and the group re-reads the batch (the handler's
dedupe by ``event_id`` makes that harmless). Kafka keeps no per-record delivery count, so an
event whose handler keeps failing is retried in place with backoff (holding back its
partition, as Kafka's ordering requires), then dead-lettered like a record that does not
validate: a copy goes to the group's dead-letter topic with the reason in a header, and its
offset is committed only after that copy is acknowledged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from nextbuy.bus._backoff import backoff_delay, sleep_unless_stopped
from nextbuy.bus.envelope import ALL_EVENT_TYPES, decode
from nextbuy.bus.errors import BusError, EventDecodeError
from nextbuy.bus.kafka import CONNECTION_ERRORS, create_producer
from nextbuy.bus.kafka_wire import parse_kafka_url, with_reason
from nextbuy.bus.ports import BatchEventHandler, EventHandler, one_by_one
from nextbuy.contracts.events import AnyEvent

logger = logging.getLogger(__name__)

DEAD_LETTER_TIMEOUT_S = 10.0
POLL_TIMEOUT_MS = 500
"""How long one ``getmany`` waits for records: also how soon a set ``stop`` is noticed."""


class StoppedMidBatchError(BusError):
    """``stop`` was set while an event was being retried: leave its batch uncommitted."""


@dataclass(slots=True)
class KafkaConsumerStats:
    """What a consumer saw since it was built: for tests, metrics and operators."""

    committed: int = 0
    skipped: int = 0
    retried: int = 0
    dead_lettered: int = 0
    reconnects: int = 0


class KafkaConsumer:
    """:class:`~nextbuy.bus.ports.EventConsumer` for one consumer group."""

    def __init__(
        self,
        url: str,
        *,
        group: str,
        event_types: Sequence[str] = ALL_EVENT_TYPES,
        prefetch: int = 300,
        max_attempts: int = 5,
        max_backoff_s: float = 10.0,
    ) -> None:
        if prefetch < 1 or max_attempts < 1:
            raise ValueError("prefetch and max_attempts must be at least 1")
        self._address = parse_kafka_url(url)
        self._group = group
        self._event_types = frozenset(event_types)
        self._prefetch = prefetch
        self._max_attempts = max_attempts
        self._max_backoff_s = max_backoff_s
        self.stats = KafkaConsumerStats()

    @property
    def dead_letter_topic(self) -> str:
        return self._address.dead_letters(self._group)

    async def run(self, handler: EventHandler, *, stop: asyncio.Event) -> None:
        """Consume until ``stop`` is set; reconnect with backoff whenever the cluster goes."""
        await self.run_batches(one_by_one(handler), stop=stop)

    async def run_batches(self, handler: BatchEventHandler, *, stop: asyncio.Event) -> None:
        """Like :meth:`run`, giving the handler each fetched batch at once."""
        failures = 0
        while not stop.is_set():
            try:
                await self._session(handler, stop)
                failures = 0
            except StoppedMidBatchError:
                return
            except CONNECTION_ERRORS as exc:
                failures += 1
                self.stats.reconnects += 1
                delay = backoff_delay(failures, base_s=0.1, cap_s=self._max_backoff_s)
                logger.warning(
                    "consumer %s lost Kafka (%r); retry in %.1fs", self._group, exc, delay
                )
                await sleep_unless_stopped(stop, delay)

    async def _session(self, handler: BatchEventHandler, stop: asyncio.Event) -> None:
        consumer = AIOKafkaConsumer(
            self._address.topic,
            bootstrap_servers=list(self._address.bootstrap_servers),
            group_id=self._group,
            client_id=f"nextbuy-{self._group}",
            enable_auto_commit=False,
            # A new group starts from the oldest retained record: events published before
            # the group first joined are not skipped.
            auto_offset_reset="earliest",
        )
        dead = create_producer(
            self._address, timeout_s=DEAD_LETTER_TIMEOUT_S, client_id=f"nextbuy-{self._group}-dead"
        )
        try:
            await consumer.start()
            await dead.start()
            while not stop.is_set():
                batches = await consumer.getmany(
                    timeout_ms=POLL_TIMEOUT_MS, max_records=self._prefetch
                )
                records = [record for part in batches.values() for record in part]
                if not records:
                    continue
                await self._deliver(records, handler, dead, stop)
                # Only now is every record of the batch handled or dead-lettered.
                await consumer.commit({tp: part[-1].offset + 1 for tp, part in batches.items()})
                self.stats.committed += len(records)
        finally:
            # Stopping without a commit hands uncommitted records to the next member.
            try:
                await consumer.stop()
            finally:
                await dead.stop()

    async def _deliver(
        self,
        records: list[Any],
        handler: BatchEventHandler,
        dead: AIOKafkaProducer,
        stop: asyncio.Event,
    ) -> None:
        decoded: list[tuple[Any, AnyEvent]] = []
        for record in records:
            try:
                event = decode(record.value or b"")
            except EventDecodeError as exc:
                await self._dead_letter(record, dead, f"undecodable: {exc.reason}")
                continue
            if event.type in self._event_types:
                decoded.append((record, event))
            else:
                self.stats.skipped += 1  # one topic carries every type; not ours
        if len(decoded) > 1:
            try:
                await handler([event for _record, event in decoded])
                return
            except Exception as exc:  # some event failed: find which, one at a time
                logger.warning("batch of %d failed (%r); one by one", len(decoded), exc)
        for record, event in decoded:
            await self._deliver_alone(record, event, handler, dead, stop)

    async def _deliver_alone(
        self,
        record: Any,
        event: AnyEvent,
        handler: BatchEventHandler,
        dead: AIOKafkaProducer,
        stop: asyncio.Event,
    ) -> None:
        for attempt in range(1, self._max_attempts + 1):
            try:
                await handler([event])
                return
            except Exception as exc:  # the handler's failure is the event's, not ours
                if attempt == self._max_attempts:
                    reason = f"handler failed {attempt} times: {exc!r}"
                    await self._dead_letter(record, dead, reason)
                    return
                logger.warning(
                    "handler failed on %s (attempt %d): %r", event.event_id, attempt, exc
                )
            self.stats.retried += 1
            await sleep_unless_stopped(stop, backoff_delay(attempt, cap_s=self._max_backoff_s))
            if stop.is_set():
                raise StoppedMidBatchError(f"stopped while retrying {event.event_id}")

    async def _dead_letter(self, record: Any, dead: AIOKafkaProducer, reason: str) -> None:
        """Copy ``record`` to the dead-letter topic with ``reason``, and wait for the ack."""
        logger.error(
            "dead-lettering %s[%d]@%d: %s", record.topic, record.partition, record.offset, reason
        )
        acknowledged = await dead.send(
            self.dead_letter_topic,
            value=record.value,
            key=record.key,
            headers=with_reason(list(record.headers or ()), reason),
        )
        await acknowledged
        self.stats.dead_lettered += 1
