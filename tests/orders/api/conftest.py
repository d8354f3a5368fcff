"""API tests drive the shared app through Django's test client, each on emptied tables."""

from __future__ import annotations

from typing import TYPE_CHECKING
from wsgiref.types import WSGIApplication

import pytest

if TYPE_CHECKING:
    from django.test import Client


@pytest.fixture
def client(orders_app: WSGIApplication) -> Client:
    """A test client over an order history with no orders and no admin users."""
    from django.contrib.auth.models import User
    from django.test import Client

    from nextbuy.orders.storage.models import Order

    Order.objects.all().delete()
    User.objects.all().delete()
    return Client()
