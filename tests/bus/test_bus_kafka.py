"""The Kafka transport against a real broker: delivery, commits after the handler, dead letters.

Kafka is optional and no broker runs on the project's machines (none can be installed from
the registries they reach), so these tests run only when ``NEXTBUY_TEST_KAFKA_URL`` names
one (``kafka://127.0.0.1:9092``) and otherwise skip, saying why, also when ``CI=true``: the
CI-or-fail rule of ``tests/support/servers.py`` is for the servers CI does run.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Sequence
from uuid import UUID

import pytest

from nextbuy.bus.envelope import REASON_HEADER
from nextbuy.bus.kafka import KafkaPublisher
from nextbuy.bus.kafka_consumer import KafkaConsumer
from nextbuy.bus.kafka_wire import header_value, parse_kafka_url
from nextbuy.contracts.events import AnyEvent
from tests.bus.builders import make_events

KAFKA_URL = os.environ.get("NEXTBUY_TEST_KAFKA_URL", "")

pytestmark = pytest.mark.skipif(
    not KAFKA_URL,
    reason="no Kafka broker: set NEXTBUY_TEST_KAFKA_URL=kafka://host:port to run "
    "(Kafka is an optional transport; none runs on this machine or in CI)",
)

PARTITIONS = 3
DEADLINE_S = 60.0


@contextlib.asynccontextmanager
async def fresh_topic() -> AsyncIterator[str]:
    """A bus URL whose topic (3 partitions) exists only for this test; deleted afterwards."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    topic = f"nbtest.{uuid.uuid4().hex[:10]}"
    address = parse_kafka_url(KAFKA_URL)
    admin = AIOKafkaAdminClient(bootstrap_servers=list(address.bootstrap_servers))
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, PARTITIONS, 1)])
        yield f"{KAFKA_URL.split('?')[0].rstrip('/')}?topic={topic}"
    finally:
        existing = set(await admin.list_topics())
        await admin.delete_topics([name for name in existing if name.startswith(topic)])
        await admin.close()


class DedupingStore:
    """A handler's committed effects, keyed by ``event_id`` as the real handlers dedupe."""

    def __init__(self) -> None:
        self.applied: dict[UUID, AnyEvent] = {}
        self.duplicates = 0
        self.changed = asyncio.Event()

    async def handle(self, events: Sequence[AnyEvent]) -> None:
        for event in events:
            if event.event_id in self.applied:
                self.duplicates += 1
            self.applied.setdefault(event.event_id, event)
        self.changed.set()

    async def wait_for(self, count: int) -> None:
        async with asyncio.timeout(DEADLINE_S):
            while len(self.applied) < count:
                self.changed.clear()
                await self.changed.wait()


async def consume_until(
    consumer: KafkaConsumer, store: DedupingStore, count: int, *, dead_letters: int = 0
) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run_batches(store.handle, stop=stop))
    try:
        await store.wait_for(count)
        async with asyncio.timeout(DEADLINE_S):
            while consumer.stats.dead_lettered < dead_letters:
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.wait_for(task, DEADLINE_S)


def test_published_events_are_consumed_once_and_committed() -> None:
    async def scenario() -> None:
        async with fresh_topic() as url:
            events = make_events(200)
            publisher = KafkaPublisher(url)
            try:
                await publisher.publish(events)
            finally:
                await publisher.close()
            store = DedupingStore()
            await consume_until(KafkaConsumer(url, group="g", prefetch=50), store, len(events))
            assert set(store.applied) == {event.event_id for event in events}
            # Committed: a new member of the group finds nothing left to read.
            again, later = DedupingStore(), make_events(1, start=1000)
            await publisher.publish(later)
            await publisher.close()
            await consume_until(KafkaConsumer(url, group="g"), again, 1)
            assert set(again.applied) == {later[0].event_id}

    asyncio.run(scenario())


def test_a_consumer_killed_mid_batch_loses_nothing_and_its_redelivery_is_deduped() -> None:
    async def scenario() -> None:
        async with fresh_topic() as url:
            events = make_events(300)
            publisher = KafkaPublisher(url)
            await publisher.publish(events)
            await publisher.close()
            store, hang = DedupingStore(), asyncio.Event()

            async def applies_then_dies(batch: Sequence[AnyEvent]) -> None:
                await store.handle(batch)  # effects committed, offsets not yet
                await hang.wait()

            first = KafkaConsumer(url, group="g", prefetch=40)
            task = asyncio.create_task(first.run_batches(applies_then_dies, stop=asyncio.Event()))
            await store.wait_for(1)
            task.cancel()  # the crash: the batch was applied but never committed
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await consume_until(KafkaConsumer(url, group="g"), store, len(events))
            assert set(store.applied) == {event.event_id for event in events}
            assert store.duplicates >= 1  # the uncommitted batch came back, and was deduped

    asyncio.run(scenario())


def test_an_invalid_record_is_dead_lettered_with_its_reason() -> None:
    async def scenario() -> None:
        from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

        async with fresh_topic() as url:
            address = parse_kafka_url(url)
            raw = AIOKafkaProducer(bootstrap_servers=list(address.bootstrap_servers), acks="all")
            await raw.start()
            try:
                await raw.send_and_wait(address.topic, b'{"type": "stock.changed.v1"}', key=b"k")
            finally:
                await raw.stop()
            publisher = KafkaPublisher(url)
            await publisher.publish(make_events(1))
            await publisher.close()
            consumer = KafkaConsumer(url, group="g")
            await consume_until(consumer, DedupingStore(), 1, dead_letters=1)
            assert consumer.stats.dead_lettered == 1

            reader = AIOKafkaConsumer(
                consumer.dead_letter_topic,
                bootstrap_servers=list(address.bootstrap_servers),
                auto_offset_reset="earliest",
            )
            await reader.start()
            try:
                record = await asyncio.wait_for(reader.getone(), DEADLINE_S)
            finally:
                await reader.stop()
            assert record.value == b'{"type": "stock.changed.v1"}'
            assert (header_value(record.headers, REASON_HEADER) or "").startswith("undecodable")

    asyncio.run(scenario())
