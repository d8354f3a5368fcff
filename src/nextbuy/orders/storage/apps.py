"""The Django app that owns the order tables."""

from __future__ import annotations

from django.apps import AppConfig


class OrdersStorageConfig(AppConfig):
    name = "nextbuy.orders.storage"
    label = "orders"
    verbose_name = "Order history"
    default_auto_field = "django.db.models.BigAutoField"
