"""Kafka without a broker: the URL, keys that keep a subject in order, headers, and what the
transports do when no cluster answers (nothing confirmed, retried until stopped)."""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib.machinery import ModuleSpec

import pytest
from pydantic import ValidationError

from nextbuy.bus.envelope import ALL_EVENT_TYPES, REASON_HEADER, decode, encode
from nextbuy.bus.errors import BusConfigurationError, PublishError
from nextbuy.bus.factory import create_consumer, create_publisher
from nextbuy.bus.kafka import KafkaPublisher
from nextbuy.bus.kafka_consumer import KafkaConsumer
from nextbuy.bus.kafka_wire import (
    DEFAULT_TOPIC,
    KafkaAddress,
    header_value,
    parse_kafka_url,
    partition_key,
    record_headers,
    with_reason,
)
from nextbuy.bus.rabbitmq_consumer import RabbitConsumer
from nextbuy.bus.settings import BusSettings, bus_kind
from nextbuy.contracts.catalog import ProductPublic
from nextbuy.contracts.events import (
    AnyEvent,
    EventBase,
    OrderPlacedV1,
    ProductUpdatedV1,
    StockChangedV1,
    UserUpdatedV1,
)
from nextbuy.contracts.orders import OrderPublic
from nextbuy.contracts.profiles import DemographicsPublic, PreferencesPublic, UserPublic
from nextbuy.engine.settings import EngineSettings
from tests.bus.builders import T0, make_events, make_stock_event
from tests.support.servers import free_port

KAFKA = "kafka://127.0.0.1:9092"


@pytest.mark.parametrize(
    ("url", "address"),
    [
        (KAFKA, KafkaAddress(("127.0.0.1:9092",))),
        ("kafka://broker", KafkaAddress(("broker:9092",))),
        ("KAFKA://a:9092,b:9093/", KafkaAddress(("a:9092", "b:9093"))),
        ("kafka://a:1, b:2", KafkaAddress(("a:1", "b:2"))),
        ("kafka://[::1]:9092", KafkaAddress(("[::1]:9092",))),
        ("kafka://a:9092?topic=shop.events", KafkaAddress(("a:9092",), "shop.events")),
    ],
)
def test_a_kafka_url_names_bootstrap_servers_and_topic(url: str, address: KafkaAddress) -> None:
    assert parse_kafka_url(url) == address


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("kafka://", "no bootstrap server"),
        ("kafka://user:pw@a:9092", "credentials"),
        ("kafka://a:99999", "port"),
        ("kafka://a:b:c", "bootstrap server"),
        ("kafka://a:9092/events", "no path"),
        ("kafka://a:9092?topic=bad/name", "topic"),
        ("kafka://a:9092?acks=1", "unknown"),
    ],
)
def test_a_bad_kafka_url_is_refused(url: str, reason: str) -> None:
    with pytest.raises(BusConfigurationError, match=reason):
        parse_kafka_url(url)


def test_the_dead_letter_topic_is_per_group() -> None:
    assert parse_kafka_url(KAFKA).dead_letters("engine") == f"{DEFAULT_TOPIC}.engine.dead"


def test_kafka_urls_pick_the_kafka_transport_and_fail_at_start_up_when_bad() -> None:
    assert bus_kind("kafka://a:9092,b:9092") == "kafka"
    assert BusSettings(bus_url=KAFKA).bus_url.get_secret_value() == KAFKA
    with pytest.raises(ValidationError, match="bootstrap server"):
        BusSettings(bus_url="kafka://")
    with pytest.raises(ValidationError, match="credentials"):
        EngineSettings(bus_url="kafka://u:p@a:9092")
    with pytest.raises(ValidationError, match="bus URL"):
        EngineSettings(bus_url="kafak://a:9092")


def test_the_factory_builds_kafka_transports_without_connecting() -> None:
    assert isinstance(create_publisher(KAFKA), KafkaPublisher)
    assert isinstance(create_consumer(KAFKA, group="engine", prefetch=10), KafkaConsumer)
    amqp = "amqp://guest:guest@127.0.0.1:5672/"
    assert isinstance(create_consumer(amqp, group="engine", prefetch=10), RabbitConsumer)
    assert create_consumer("http://127.0.0.1:1/x", group="engine", prefetch=10) is None
    assert create_consumer("", group="engine", prefetch=10) is None


# Only the ids matter to the key; the other fields are plain fillers (the contracts are tested
# elsewhere), given in full so the models are complete.
def _product(product_id: str) -> ProductPublic:
    return ProductPublic(
        id=product_id,
        sku="SKU-1",
        title="A product",
        description="",
        category_path=[],
        brand=None,
        price=1.0,
        currency="EUR",
        image_url=None,
        attributes={},
        active=True,
        created_at=T0,
        updated_at=T0,
    )


def _order(order_id: str, user_id: str) -> OrderPublic:
    return OrderPublic(
        id=order_id,
        user_id=user_id,
        status="placed",
        currency="EUR",
        created_at=T0,
        updated_at=T0,
        lines=[],
    )


def _user(user_id: str) -> UserPublic:
    return UserPublic(
        id=user_id,
        demographics=DemographicsPublic(),
        preferences=PreferencesPublic(),
        attributes={},
        recent_views=[],
        created_at=T0,
        updated_at=T0,
    )


def test_a_products_events_and_its_stock_share_one_key() -> None:
    updated = ProductUpdatedV1(occurred_at=T0, source="catalog", product=_product("p-000001"))
    assert partition_key(updated) == partition_key(make_stock_event(1)) == b"product:p-000001"


def test_a_users_orders_and_profile_updates_share_one_key() -> None:
    order = _order("o-1", user_id="u-7")
    user = _user("u-7")
    placed = OrderPlacedV1(occurred_at=T0, source="orders", order=order)
    updated = UserUpdatedV1(occurred_at=T0, source="profiles", user=user)
    assert partition_key(placed) == partition_key(updated) == b"user:u-7"


def test_every_event_type_has_a_partition_key() -> None:
    # A new event type must be given a subject here, or publishing it fails loudly.
    keyed = {"product.created.v1", "product.updated.v1", "stock.changed.v1"}
    keyed |= {"order.placed.v1", "user.updated.v1"}
    assert set(ALL_EVENT_TYPES) == keyed
    with pytest.raises(TypeError, match="no partition key"):
        partition_key(EventBase(occurred_at=datetime.now(UTC), source="x"))


def test_headers_carry_the_type_and_the_body_round_trips() -> None:
    event = make_stock_event(3)
    headers = record_headers(event)
    assert header_value(headers, "type") == "stock.changed.v1"
    assert header_value(headers, "event_id") == str(event.event_id)
    assert header_value(headers, "missing") is None
    assert decode(encode(event)) == event
    assert isinstance(decode(encode(event)), StockChangedV1)


def test_a_dead_letter_reason_replaces_an_earlier_one_and_is_bounded() -> None:
    headers = with_reason([("type", b"x"), (REASON_HEADER, b"old")], "new " * 500, limit=40)
    assert header_value(headers, "type") == "x"
    assert [key for key, _ in headers].count(REASON_HEADER) == 1
    assert header_value(headers, REASON_HEADER) == ("new " * 10)


def test_a_consumer_refuses_nonsense_limits() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        KafkaConsumer(KAFKA, group="g", prefetch=0)


def test_publishing_to_an_unreachable_cluster_confirms_nothing() -> None:
    publisher = KafkaPublisher(f"kafka://127.0.0.1:{free_port()}", timeout_s=2)

    async def scenario() -> PublishError:
        with pytest.raises(PublishError, match="cannot reach") as caught:
            await publisher.publish(make_events(3))
        await publisher.close()
        return caught.value

    assert asyncio.run(scenario()).confirmed == frozenset()


def test_a_consumer_without_a_cluster_keeps_retrying_until_stopped() -> None:
    consumer = KafkaConsumer(f"kafka://127.0.0.1:{free_port()}", group="g", max_backoff_s=0.2)

    async def never_called(events: Sequence[AnyEvent]) -> None:
        raise AssertionError(f"no broker, yet {len(events)} events")

    async def scenario() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(consumer.run_batches(never_called, stop=stop))
        async with asyncio.timeout(30):
            while consumer.stats.reconnects < 2:
                await asyncio.sleep(0.05)
        stop.set()
        await asyncio.wait_for(task, 10)

    asyncio.run(scenario())
    assert consumer.stats.committed == 0


def test_without_aiokafka_a_kafka_url_fails_at_start_up_naming_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, package: str | None = None) -> ModuleSpec | None:
        return None if name == "aiokafka" else real_find_spec(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    with pytest.raises(ValidationError, match=r"nextbuy\[kafka\]"):
        BusSettings(bus_url=KAFKA)
    with pytest.raises(BusConfigurationError, match="kafka extra"):
        create_publisher(KAFKA)
