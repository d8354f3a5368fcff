"""The RabbitMQ transport on the shared broker: confirms, acks, requeues and dead letters."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from typing import TypedDict, Unpack

import pytest

from nextbuy.bus.envelope import REASON_HEADER
from nextbuy.bus.errors import PublishError
from nextbuy.bus.rabbitmq import RabbitPublisher
from nextbuy.bus.rabbitmq_consumer import RabbitConsumer
from nextbuy.contracts.events import AnyEvent
from tests.bus.broker_helpers import consume_until, publish_raw, queue_depth, take_all
from tests.bus.builders import make_events
from tests.bus.conftest import BrokerNames
from tests.support.servers import free_port


class ConsumerOptions(TypedDict, total=False):
    """The consumer limits a test overrides; the rest keep RabbitConsumer's defaults."""

    prefetch: int
    max_attempts: int


def make_pair(
    broker: BrokerNames, **consumer_options: Unpack[ConsumerOptions]
) -> tuple[RabbitPublisher, RabbitConsumer]:
    consumer = RabbitConsumer(
        broker.url, group=broker.group(), exchange=broker.exchange, **consumer_options
    )
    return RabbitPublisher(broker.url, exchange=broker.exchange), consumer


def test_published_events_are_consumed_once_and_acked(broker: BrokerNames) -> None:
    events = make_events(300)
    received: list[AnyEvent] = []

    async def handler(event: AnyEvent) -> None:
        received.append(event)

    async def scenario() -> tuple[int, int]:
        publisher, consumer = make_pair(broker)
        await consumer.declare()
        await publisher.publish(events)
        await publisher.close()
        await consume_until(consumer, handler, lambda: len(received) >= len(events))
        return await queue_depth(broker.url, broker.topology.queue("g"))

    assert asyncio.run(scenario()) == (0, 0)
    assert received == events  # one consumer, one queue: delivery order is publish order


def test_an_event_no_queue_is_bound_for_is_not_confirmed(broker: BrokerNames) -> None:
    async def scenario() -> None:
        publisher = RabbitPublisher(broker.url, exchange=broker.exchange)
        try:
            await publisher.publish(make_events(2))
        finally:
            await publisher.close()

    with pytest.raises(PublishError) as caught:
        asyncio.run(scenario())
    assert caught.value.confirmed == frozenset()


def test_an_unreachable_broker_is_a_publish_error() -> None:
    publisher = RabbitPublisher(f"amqp://guest:guest@127.0.0.1:{free_port()}/", timeout_s=2)
    with pytest.raises(PublishError, match="cannot reach"):
        asyncio.run(publisher.publish(make_events(1)))


def test_an_undecodable_message_is_dead_lettered_at_once_with_the_reason(
    broker: BrokerNames,
) -> None:
    calls: list[AnyEvent] = []

    async def handler(event: AnyEvent) -> None:
        calls.append(event)

    async def scenario() -> list[tuple[bytes, dict[str, object]]]:
        publisher, consumer = make_pair(broker)
        await consumer.declare()
        await publish_raw(broker.url, broker.exchange, "stock.changed.v1", b'{"type": "nope"}')
        await publisher.publish(make_events(1))
        await publisher.close()
        await consume_until(consumer, handler, lambda: len(calls) == 1)
        assert consumer.stats.dead_lettered == 1
        return await take_all(broker.url, broker.topology.dead_letters("g"))

    [(body, headers)] = asyncio.run(scenario())
    assert body == b'{"type": "nope"}'
    assert str(headers[REASON_HEADER]).startswith("undecodable: ")
    assert len(calls) == 1


def test_a_failing_handler_is_retried_a_bounded_number_of_times_then_dead_lettered(
    broker: BrokerNames,
) -> None:
    attempts: Counter[int] = Counter()
    good, poison = make_events(2)

    async def handler(event: AnyEvent) -> None:
        attempts[event.event_id.int] += 1
        if event.event_id == poison.event_id:
            raise RuntimeError("cannot handle this one")

    async def scenario() -> list[tuple[bytes, dict[str, object]]]:
        publisher, consumer = make_pair(broker, max_attempts=3)
        await consumer.declare()
        await publisher.publish([poison, good])
        await publisher.close()
        await consume_until(consumer, handler, lambda: consumer.stats.dead_lettered == 1)
        assert (consumer.stats.acked, consumer.stats.requeued) == (1, 2)
        assert await queue_depth(broker.url, broker.topology.queue("g")) == (0, 0)
        return await take_all(broker.url, broker.topology.dead_letters("g"))

    [(_body, headers)] = asyncio.run(scenario())
    # Three deliveries; if the first came in a batch with the good one, the failed batch was
    # retried event by event, which calls the handler once more on that delivery.
    assert attempts[poison.event_id.int] in {3, 4}
    assert attempts[good.event_id.int] == 1
    assert "handler failed 3 times" in str(headers[REASON_HEADER])
    assert headers["event_id"] == str(poison.event_id)


def test_a_handler_that_fails_once_succeeds_on_redelivery(broker: BrokerNames) -> None:
    seen: list[AnyEvent] = []
    [event] = make_events(1)

    async def handler(received: AnyEvent) -> None:
        seen.append(received)
        if len(seen) == 1:
            raise RuntimeError("transient")

    async def scenario() -> RabbitConsumer:
        publisher, consumer = make_pair(broker)
        await consumer.declare()
        await publisher.publish([event])
        await publisher.close()
        await consume_until(consumer, handler, lambda: consumer.stats.acked == 1)
        return consumer

    consumer = asyncio.run(scenario())
    assert seen == [event, event]
    assert (consumer.stats.redelivered, consumer.stats.dead_lettered) == (1, 0)


def test_a_backlog_reaches_a_batch_handler_in_batches_and_is_acked(broker: BrokerNames) -> None:
    events = make_events(300)
    batches: list[list[AnyEvent]] = []

    async def handler(received: Sequence[AnyEvent]) -> None:
        batches.append(list(received))

    async def scenario() -> tuple[int, int]:
        publisher, consumer = make_pair(broker, prefetch=100)
        await consumer.declare()
        await publisher.publish(events)
        await publisher.close()
        stop = asyncio.Event()
        task = asyncio.create_task(consumer.run_batches(handler, stop=stop))
        async with asyncio.timeout(20):
            while sum(map(len, batches)) < len(events):
                await asyncio.sleep(0.01)
        stop.set()
        await task
        assert consumer.stats.acked == len(events)
        return await queue_depth(broker.url, broker.topology.queue("g"))

    assert asyncio.run(scenario()) == (0, 0)
    assert [e for batch in batches for e in batch] == events
    assert max(map(len, batches)) > 1
    assert max(map(len, batches)) <= 100  # never more than the prefetch


def test_a_poison_event_in_a_batch_costs_only_itself(broker: BrokerNames) -> None:
    events = make_events(40)
    poison = events[17]
    handled: set[object] = set()

    async def handler(received: Sequence[AnyEvent]) -> None:
        if poison in received:
            raise RuntimeError("cannot handle this one")
        handled.update(e.event_id for e in received)

    async def scenario() -> list[tuple[bytes, dict[str, object]]]:
        publisher, consumer = make_pair(broker, max_attempts=2)
        await consumer.declare()
        await publisher.publish(events)
        await publisher.close()
        stop = asyncio.Event()
        task = asyncio.create_task(consumer.run_batches(handler, stop=stop))
        async with asyncio.timeout(20):
            while consumer.stats.dead_lettered < 1 or len(handled) < len(events) - 1:
                await asyncio.sleep(0.01)
        stop.set()
        await task
        assert await queue_depth(broker.url, broker.topology.queue("g")) == (0, 0)
        return await take_all(broker.url, broker.topology.dead_letters("g"))

    [(_body, headers)] = asyncio.run(scenario())
    assert headers["event_id"] == str(poison.event_id)
    assert handled == {e.event_id for e in events} - {poison.event_id}
