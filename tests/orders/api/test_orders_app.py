"""The composition root: one Django configuration per process, idempotent migrations."""

from __future__ import annotations

from pathlib import Path
from wsgiref.types import WSGIApplication

import pytest
from pydantic import SecretStr

from nextbuy.orders.app import create_app, migrate
from nextbuy.orders.django_config import OrdersConfigurationError
from nextbuy.orders.settings import OrdersSettings


def test_create_app_with_the_same_settings_returns_the_same_app(
    orders_app: WSGIApplication, orders_settings: OrdersSettings
) -> None:
    assert create_app(orders_settings.model_copy()) is orders_app


def test_create_app_refuses_another_database_in_the_same_process(
    orders_app: WSGIApplication, orders_settings: OrdersSettings, tmp_path: Path
) -> None:
    other = orders_settings.model_copy(
        update={"database_url": SecretStr(f"sqlite:///{tmp_path / 'other.sqlite3'}")}
    )
    with pytest.raises(OrdersConfigurationError, match="configured once per process"):
        create_app(other)


def test_create_app_names_other_settings_that_differ(
    orders_app: WSGIApplication, orders_settings: OrdersSettings
) -> None:
    other = orders_settings.model_copy(update={"max_body_bytes": 10})
    with pytest.raises(OrdersConfigurationError, match="max_body_bytes"):
        create_app(other)


def test_migrating_again_is_a_no_op(
    orders_app: WSGIApplication, orders_settings: OrdersSettings
) -> None:
    migrate(orders_settings)
    migrate(orders_settings)


def test_the_django_configuration_passes_its_system_checks(orders_app: WSGIApplication) -> None:
    from django.core.management import call_command

    call_command("check", fail_level="WARNING")
