"""How events map onto Kafka, without the client: the URL, the topic, record keys and headers.

All events go to **one topic** with their type in a header, not one topic per type. Kafka
orders records only within a partition of one topic, and the engine needs a product's
``product.updated.v1`` and ``stock.changed.v1`` applied in the order they happened; per-type
topics would let a stale stock level overtake a newer product. One topic also matches the
RabbitMQ transport, where each group's single queue keeps delivery order across types. The
cost: a group reads types it does not subscribe to and skips them after decoding.

The record key is the event's subject, so one subject's events land in one partition, in
order. Kept free of aiokafka so settings can validate a ``kafka://`` URL on installs without
the Kafka extra.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from nextbuy.bus.envelope import MAX_REASON_CHARS, REASON_HEADER, headers_of
from nextbuy.bus.errors import BusConfigurationError
from nextbuy.contracts.events import (
    EventBase,
    OrderPlacedV1,
    ProductCreatedV1,
    ProductUpdatedV1,
    StockChangedV1,
    UserUpdatedV1,
)

DEFAULT_TOPIC = "nextbuy.events"
DEFAULT_PORT = 9092

# Kafka's own rule for topic names; checked here so a typo fails at start-up.
_TOPIC_NAME = re.compile(r"^[A-Za-z0-9._-]{1,200}$")
_HOST_PORT = re.compile(r"^(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::(?P<port>\d{1,5}))?$")

Headers = Sequence[tuple[str, bytes]]


@dataclass(frozen=True, slots=True)
class KafkaAddress:
    """Where the bus lives on Kafka: bootstrap servers and the events topic."""

    bootstrap_servers: tuple[str, ...]
    topic: str = DEFAULT_TOPIC

    def dead_letters(self, group: str) -> str:
        """The group's dead-letter topic: records it could not validate or handle."""
        return f"{self.topic}.{group}.dead"


def parse_kafka_url(url: str) -> KafkaAddress:
    """``kafka://host:port[,host:port…][?topic=name]`` → :class:`KafkaAddress`.

    Credentials and TLS are refused rather than ignored: a URL that asks for them and
    silently connects in plain text would be worse than a start-up error.
    """
    parts = urlsplit(url.strip())
    if parts.scheme.lower() != "kafka":
        raise BusConfigurationError(f"not a kafka:// URL: {parts.scheme!r}")
    if "@" in parts.netloc:
        raise BusConfigurationError("kafka:// URLs with credentials (SASL) are not supported")
    if parts.path not in ("", "/"):
        raise BusConfigurationError(f"kafka:// URLs take no path, got {parts.path!r}")
    servers = tuple(_server(item) for item in parts.netloc.split(",") if item.strip())
    if not servers:
        raise BusConfigurationError("kafka:// URL names no bootstrap server")
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(query) - {"topic"})
    if unknown:
        raise BusConfigurationError(f"unknown kafka:// URL options: {unknown}")
    topic = query.get("topic", [DEFAULT_TOPIC])[-1]
    if not _TOPIC_NAME.match(topic):
        raise BusConfigurationError(f"invalid Kafka topic name {topic!r}")
    return KafkaAddress(servers, topic)


def require_client() -> None:
    """Fail now, naming the fix, when the optional Kafka client is not installed."""
    if importlib.util.find_spec("aiokafka") is None:
        raise BusConfigurationError(
            "a kafka:// bus needs aiokafka: install the kafka extra (pip install 'nextbuy[kafka]')"
        )


def _server(item: str) -> str:
    match = _HOST_PORT.match(item.strip())
    if match is None:
        raise BusConfigurationError(f"invalid Kafka bootstrap server {item.strip()!r}")
    port = int(match["port"] or DEFAULT_PORT)
    if not 0 < port < 65536:
        raise BusConfigurationError(f"invalid port in Kafka bootstrap server {item!r}")
    return f"{match['host']}:{port}"


def partition_key(event: EventBase) -> bytes:
    """The subject whose events must stay in order: a product, or a user.

    Orders are keyed by their user, not the order id: an order is placed once, so its own
    id would order nothing, while a user's orders and profile updates feed one history.
    Stock shares the product's key so a stock change never overtakes its product.
    """
    match event:
        case ProductCreatedV1() | ProductUpdatedV1():
            subject = f"product:{event.product.id}"
        case StockChangedV1():
            subject = f"product:{event.stock.product_id}"
        case OrderPlacedV1():
            subject = f"user:{event.order.user_id}"
        case UserUpdatedV1():
            subject = f"user:{event.user.id}"
        case _:
            raise TypeError(f"no partition key for {type(event).__name__}")
    return subject.encode()


def record_headers(event: EventBase) -> list[tuple[str, bytes]]:
    """The envelope's routing headers as Kafka record headers (UTF-8 values)."""
    return [(name, value.encode()) for name, value in headers_of(event).items()]


def header_value(headers: Headers, name: str) -> str | None:
    """The last value of header ``name`` (Kafka allows repeats), decoded; None when absent."""
    found = [value for key, value in headers if key == name]
    return found[-1].decode("utf-8", errors="replace") if found else None


def with_reason(
    headers: Headers, reason: str, *, limit: int = MAX_REASON_CHARS
) -> list[tuple[str, bytes]]:
    """``headers`` plus the dead-letter reason (replacing any earlier one), cut to ``limit``."""
    kept = [(key, value) for key, value in headers if key != REASON_HEADER]
    return [*kept, (REASON_HEADER, reason[:limit].encode())]
