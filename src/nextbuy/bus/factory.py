"""Transports chosen by URL scheme, and the relay thread a service starts from its settings.

Each transport's module is imported only when its scheme is configured, so a service runs
without the client libraries of the transports it does not use (aiokafka is an extra).
"""

from __future__ import annotations

import logging

from nextbuy.bus.kafka_wire import require_client
from nextbuy.bus.ports import BatchEventConsumer, EventPublisher
from nextbuy.bus.relay import OutboxStore
from nextbuy.bus.relay_thread import RelayThread
from nextbuy.bus.settings import BusSettings, bus_kind

logger = logging.getLogger(__name__)


def create_publisher(url: str) -> EventPublisher:
    """The publisher for ``url`` (call it inside the event loop that will use it)."""
    kind = bus_kind(url)
    if kind == "rabbitmq":
        from nextbuy.bus.rabbitmq import RabbitPublisher

        return RabbitPublisher(url)
    if kind == "kafka":
        require_client()
        from nextbuy.bus.kafka import KafkaPublisher

        return KafkaPublisher(url)
    if kind == "webhook":
        from nextbuy.bus.webhook import WebhookPublisher, parse_subscribers

        return WebhookPublisher(parse_subscribers(url))
    raise ValueError("no bus configured: there is no publisher for an empty URL")


def create_consumer(url: str, *, group: str, prefetch: int) -> BatchEventConsumer | None:
    """The consumer of ``group`` on a broker; None when events are pushed (webhook) or absent.

    ``prefetch`` bounds both the records in flight and the largest batch a handler gets.
    """
    kind = bus_kind(url)
    if kind == "rabbitmq":
        from nextbuy.bus.rabbitmq_consumer import RabbitConsumer

        return RabbitConsumer(url, group=group, prefetch=prefetch)
    if kind == "kafka":
        require_client()
        from nextbuy.bus.kafka_consumer import KafkaConsumer

        return KafkaConsumer(url, group=group, prefetch=prefetch)
    return None


def start_outbox_relay(
    store: OutboxStore, settings: BusSettings, *, service: str
) -> RelayThread | None:
    """Start relaying ``store`` to the configured bus; None (events kept) when there is none."""
    url = settings.bus_url.get_secret_value()
    if bus_kind(url) == "none":
        logger.info("%s: no bus configured; events stay in the outbox", service)
        return None
    relay = RelayThread(
        store,
        lambda: create_publisher(url),
        name=f"{service}-outbox-relay",
        batch_size=settings.bus_batch_size,
        idle_interval_s=settings.bus_idle_interval_s,
        max_backoff_s=settings.bus_max_backoff_s,
        retention_s=settings.bus_retention_h * 3600,
    )
    return relay.start()
