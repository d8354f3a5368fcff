"""S16: the broker is SIGKILLed mid-stream and restarted; no confirmed event is lost.

10,000 sequence-numbered events leave an outbox through the real relay (batches of 500,
persistent, ``mandatory``, publisher confirms) into a quorum queue on a RabbitMQ node of our
own, while a consumer (prefetch 50, acks after handling) reads them. At 5,000 confirmed the
node is killed with SIGKILL and started again on the same data. The relay republishes what was
not confirmed, the consumer reconnects, and the consumer's dedupe by ``event_id`` must leave
exactly the 10,000 events: LOST = |confirmed − received| = 0.
"""

from __future__ import annotations

import asyncio
import time
from uuid import UUID

from nextbuy.bus.rabbitmq import RabbitPublisher
from nextbuy.bus.rabbitmq_consumer import RabbitConsumer
from nextbuy.bus.relay import OutboxRelay
from nextbuy.contracts.events import AnyEvent
from tests.bus.builders import make_events
from tests.bus.conftest import BrokerNames
from tests.bus.memory_outbox import MemoryOutbox
from tests.bus.rabbit_node import RabbitNode

N = 10_000
OUTAGE_S = 1.0


def test_s16_broker_killed_mid_stream_loses_no_confirmed_event(
    own_node: RabbitNode, own_broker: BrokerNames, record_property: object
) -> None:
    events = make_events(N)
    outbox = MemoryOutbox(events)
    received: list[UUID] = []

    async def handler(event: AnyEvent) -> None:
        received.append(event.event_id)

    async def scenario() -> dict[str, float]:
        consumer = RabbitConsumer(
            own_broker.url,
            group=own_broker.group(),
            exchange=own_broker.exchange,
            prefetch=50,
            max_backoff_s=0.5,
        )
        await consumer.declare()
        # Make the just-declared queues survive a crash, as a shop's long-standing ones do
        # (see RabbitNode.restart_gracefully); the kill below is still mid-stream.
        assert await asyncio.to_thread(own_node.restart_gracefully), own_node.describe()
        publisher = RabbitPublisher(own_broker.url, exchange=own_broker.exchange, timeout_s=5)
        relay = OutboxRelay(outbox, publisher, idle_interval_s=0.01, max_backoff_s=0.5)
        stop = asyncio.Event()
        started = time.monotonic()
        tasks = [
            asyncio.create_task(relay.run(stop)),
            asyncio.create_task(consumer.run(handler, stop=stop)),
        ]
        while len(outbox.published) < N // 2:
            await asyncio.sleep(0.001)
        confirmed_at_kill, before_kill_s = len(outbox.published), time.monotonic() - started
        own_node.kill()
        await asyncio.sleep(OUTAGE_S)
        restarting = time.monotonic()
        assert await asyncio.to_thread(_restart, own_node), own_node.describe()
        back_s = time.monotonic() - restarting
        async with asyncio.timeout(90):
            while outbox.pending_count or len(set(received)) < N:
                await asyncio.sleep(0.02)
        stop.set()
        await asyncio.gather(*tasks)
        await publisher.close()
        return {
            "confirmed_at_kill": confirmed_at_kill,
            "broker_events_per_s": confirmed_at_kill / before_kill_s,
            "restart_s": back_s,
            "total_s": time.monotonic() - started,
            "relay_failures": relay.failures,
            "consumer_reconnects": consumer.stats.reconnects,
        }

    figures = asyncio.run(scenario())
    confirmed, processed = set(outbox.published), set(received)
    figures |= {
        "lost": len(confirmed ^ processed),
        "received": len(received),
        "duplicates_before_dedupe": len(received) - len(processed),
        "processed_after_dedupe": len(processed),
    }
    print(f"\nS16 figures: {figures}")
    record_property("s16", figures)  # type: ignore[operator]
    assert N // 2 <= figures["confirmed_at_kill"] < N, "the kill must land mid-stream"
    assert confirmed == {event.event_id for event in events}
    assert figures["lost"] == 0
    assert figures["processed_after_dedupe"] == N


def _restart(node: RabbitNode) -> bool:
    node.start()
    return node.wait_ready()
