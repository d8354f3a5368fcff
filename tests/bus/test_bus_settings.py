"""Bus settings: the URL scheme picks the transport; a bad URL stops start-up, not events."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from nextbuy.bus.factory import create_publisher
from nextbuy.bus.rabbitmq import RabbitPublisher
from nextbuy.bus.settings import BusSettings, bus_kind
from nextbuy.bus.webhook import WebhookPublisher
from nextbuy.catalog.settings import CatalogSettings
from nextbuy.inventory.settings import InventorySettings
from nextbuy.orders.settings import OrdersSettings
from nextbuy.profiles.settings import ProfilesSettings

AMQP = "amqp://guest:guest@127.0.0.1:5672/"


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("", "none"),
        ("  ", "none"),
        (AMQP, "rabbitmq"),
        ("amqps://u:p@broker/", "rabbitmq"),
        ("http://127.0.0.1:8000/v1/internal/events", "webhook"),
        ("https://a/x,https://b/y", "webhook"),
    ],
)
def test_the_scheme_picks_the_transport(url: str, kind: str) -> None:
    assert bus_kind(url) == kind


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("kafak://broker:9092", "bus URL"),
        ("127.0.0.1:5672", "bus URL"),
        ("redis://x", "bus URL"),
        ("http://engine/v1/internal/events, ftp://elsewhere/", "http"),
    ],
)
def test_a_bad_bus_url_fails_at_start_up(url: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        BusSettings(bus_url=url)


@pytest.mark.parametrize(
    ("settings_class", "prefix"),
    [
        (CatalogSettings, "CATALOG"),
        (InventorySettings, "INVENTORY"),
        (OrdersSettings, "ORDERS"),
        (ProfilesSettings, "PROFILES"),
    ],
)
def test_each_service_reads_its_own_bus_url_and_masks_the_password(
    settings_class: type[CatalogSettings | InventorySettings | OrdersSettings | ProfilesSettings],
    prefix: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(f"NEXTBUY_{prefix}__BUS_URL", AMQP)
    settings = settings_class()
    assert settings.bus_url.get_secret_value() == AMQP
    assert settings.public_dict()["bus_url"] == "amqp://guest:********@127.0.0.1:5672/"


def test_create_publisher_by_scheme() -> None:
    assert isinstance(create_publisher(AMQP), RabbitPublisher)
    assert isinstance(create_publisher("http://127.0.0.1:1/x"), WebhookPublisher)
    with pytest.raises(ValueError, match="no bus"):
        create_publisher("")
