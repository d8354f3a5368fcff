"""The bus fields every publishing service shares: mix :class:`BusSettings` into its settings.

``NEXTBUY_<SVC>__BUS_URL`` picks the transport by scheme, Gorse-style:

- empty (the default): outbox only — events are kept until a bus is configured;
- ``amqp://guest:guest@127.0.0.1:5672/`` (or ``amqps://``): RabbitMQ;
- ``kafka://host:9092[,host:9092…][?topic=nextbuy.events]``: Kafka (the ``kafka`` extra),
  for shops that outgrow one broker;
- ``http://127.0.0.1:8000/v1/internal/events`` (a comma-separated list for several
  subscribers): webhook push, the embedded default when there is no broker.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings

from nextbuy.bus.kafka_wire import parse_kafka_url, require_client

BusKind = Literal["none", "rabbitmq", "kafka", "webhook"]

_SCHEMES: dict[str, BusKind] = {
    "amqp": "rabbitmq",
    "amqps": "rabbitmq",
    "kafka": "kafka",
    "http": "webhook",
    "https": "webhook",
}


def bus_kind(url: str) -> BusKind:
    """Which transport ``url`` names; raises ValueError for a scheme we do not serve."""
    if not url.strip():
        return "none"
    scheme = url.strip().split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in _SCHEMES:
        raise ValueError(
            f"unsupported bus URL scheme {scheme!r}: "
            "use amqp://, kafka://, http(s):// or leave it empty"
        )
    return _SCHEMES[scheme]


def subscriber_urls(url_list: str) -> list[str]:
    """Webhook subscribers from a comma- or space-separated list; refuses non-HTTP entries."""
    urls = [u for u in url_list.replace(",", " ").split() if u]
    bad = [u for u in urls if not u.startswith(("http://", "https://"))]
    if bad or not urls:
        raise ValueError(f"webhook subscribers must be http(s) URLs, got {bad or urls}")
    return urls


def validate_bus_url(url: str) -> None:
    """Raise ValueError unless ``url`` is one a transport can serve (checked at start-up)."""
    kind = bus_kind(url)
    if kind == "webhook":
        subscriber_urls(url)
    elif kind == "kafka":
        parse_kafka_url(url)
        require_client()  # at start-up, not in the relay thread at the first event


class BusSettings(BaseSettings):
    """Where a service's outbox relay publishes, and how hard it tries."""

    bus_url: SecretStr = SecretStr("")
    bus_batch_size: int = Field(default=500, ge=1, le=500)
    bus_idle_interval_s: float = Field(default=0.2, gt=0, le=60)
    bus_max_backoff_s: float = Field(default=30.0, gt=0, le=600)
    bus_retention_h: float = Field(default=168.0, gt=0)
    """Published outbox rows older than this are deleted by the relay."""

    @field_validator("bus_url")
    @classmethod
    def _known_scheme(cls, value: SecretStr) -> SecretStr:
        # Fail at start-up, not at the first event: a typo must not silently hold events.
        validate_bus_url(value.get_secret_value())
        return value
