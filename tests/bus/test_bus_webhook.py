"""Webhook push to a real aiohttp receiver: delivered only on 2xx, retried until it is."""

from __future__ import annotations

import asyncio

import pytest

from nextbuy.bus.errors import BusConfigurationError, PublishError
from nextbuy.bus.relay import OutboxRelay
from nextbuy.bus.relay_thread import RelayThread
from nextbuy.bus.webhook import WebhookPublisher, parse_subscribers
from tests.bus.builders import make_events
from tests.bus.memory_outbox import MemoryOutbox
from tests.bus.webhook_receiver import Receiver, serving
from tests.support.servers import free_port


def test_a_batch_is_posted_once_and_decodes_on_the_other_side() -> None:
    async def scenario() -> Receiver:
        receiver = Receiver()
        async with serving(receiver) as url:
            publisher = WebhookPublisher([url])
            await publisher.publish(make_events(3))
            await publisher.close()
        return receiver

    receiver = asyncio.run(scenario())
    assert (receiver.requests, receiver.accepted) == (1, make_events(3))


@pytest.mark.parametrize("status", [500, 503, 404, 302])
def test_anything_but_2xx_is_a_failed_publish(status: int) -> None:
    async def scenario() -> None:
        async with serving(Receiver((status,))) as url:
            publisher = WebhookPublisher([url])
            try:
                await publisher.publish(make_events(1))
            finally:
                await publisher.close()

    with pytest.raises(PublishError, match=f"HTTP {status}"):
        asyncio.run(scenario())


def test_a_slow_subscriber_times_out_and_an_absent_one_is_refused() -> None:
    async def scenario() -> list[str]:
        errors = []
        async with serving(Receiver(delay_s=1.0)) as url:
            for target in (url, f"http://127.0.0.1:{free_port()}/v1/internal/events"):
                publisher = WebhookPublisher([target], timeout_s=0.2)
                try:
                    await publisher.publish(make_events(1))
                except PublishError as exc:
                    errors.append(str(exc))
                finally:
                    await publisher.close()
        return errors

    assert len(asyncio.run(scenario())) == 2


def test_the_relay_retries_until_every_subscriber_acknowledged() -> None:
    events = make_events(1200)
    outbox = MemoryOutbox(events)
    flaky, healthy = Receiver((503, 500, 502)), Receiver()

    async def scenario() -> OutboxRelay:
        async with serving(flaky) as flaky_url, serving(healthy) as healthy_url:
            publisher = WebhookPublisher([flaky_url, healthy_url])
            relay = OutboxRelay(outbox, publisher, idle_interval_s=0.01, max_backoff_s=0.05)
            stop = asyncio.Event()
            task = asyncio.create_task(relay.run(stop))
            while outbox.pending_count:
                await asyncio.sleep(0.01)
            stop.set()
            await task
            await publisher.close()
            return relay

    relay = asyncio.run(asyncio.wait_for(scenario(), timeout=20))
    assert relay.failures == 3
    assert outbox.published == [e.event_id for e in events]
    assert flaky.accepted == events  # in order, each once: failed batches were not accepted
    # The healthy subscriber saw the failed first batch again: it must dedupe by event_id.
    assert {e.event_id for e in healthy.accepted} == {e.event_id for e in events}
    assert len(healthy.accepted) == len(events) + 3 * 500


def test_the_relay_thread_relays_on_its_own_loop() -> None:
    receiver = Receiver()
    outbox = MemoryOutbox(make_events(20))

    async def scenario() -> RelayThread:
        async with serving(receiver) as url:
            relay = RelayThread(outbox, lambda: WebhookPublisher([url]), idle_interval_s=0.01)
            relay.start()
            try:
                while len(receiver.accepted) < 20:
                    await asyncio.sleep(0.01)
            finally:
                await asyncio.to_thread(relay.stop)  # joins the thread; keep serving meanwhile
        return relay

    relay = asyncio.run(asyncio.wait_for(scenario(), timeout=10))
    assert not relay.alive
    assert outbox.pending_count == 0


def test_subscriber_lists_must_be_http_urls() -> None:
    assert parse_subscribers("http://a/x, https://b/y") == ["http://a/x", "https://b/y"]
    with pytest.raises(BusConfigurationError):
        parse_subscribers("ftp://a/x")
    with pytest.raises(BusConfigurationError):
        WebhookPublisher([])
