"""Each service's app relays its outbox by itself once a bus URL is set (webhook push here)."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient

from nextbuy.inventory.app import create_app as create_inventory
from nextbuy.inventory.app import migrate as migrate_inventory
from nextbuy.inventory.settings import InventorySettings
from nextbuy.profiles.app import ENGINE_KEY, RELAY_KEY
from nextbuy.profiles.app import create_app as create_profiles
from nextbuy.profiles.app import migrate as migrate_profiles
from nextbuy.profiles.settings import ProfilesSettings
from tests.bus.webhook_receiver import Receiver, serving_in_thread
from tests.support.outbox import summary


def wait_for(receiver: Receiver, count: int, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while len(receiver.accepted) < count:
        assert time.monotonic() < deadline, f"{len(receiver.accepted)} of {count} delivered"
        time.sleep(0.01)


def test_profiles_pushes_user_updates_to_its_subscriber(tmp_path: Path) -> None:
    receiver = Receiver((503,))  # the first push fails: the relay must retry it
    with serving_in_thread(receiver) as url:
        settings = ProfilesSettings(
            database_url=f"sqlite:///{tmp_path / 'profiles.sqlite3'}",
            bus_url=url,
            bus_idle_interval_s=0.02,
            bus_max_backoff_s=0.1,
        )
        migrate_profiles(settings)
        app = create_profiles(settings)
        try:
            reply = app.test_client().put("/v1/users/u1", json={"id": "u1"})
            assert reply.status_code == 201, reply.get_data(as_text=True)
            wait_for(receiver, 1)
        finally:
            app.extensions[RELAY_KEY].stop()
            app.extensions[ENGINE_KEY].dispose()
    assert summary(receiver.accepted) == [("user.updated.v1", "u1")]
    assert receiver.requests == 2


def test_inventory_pushes_stock_changes_while_its_app_runs(tmp_path: Path) -> None:
    receiver = Receiver()
    with serving_in_thread(receiver) as url:
        settings = InventorySettings(
            database_url=f"sqlite:///{tmp_path / 'inventory.sqlite3'}",
            bus_url=url,
            bus_idle_interval_s=0.02,
        )
        migrate_inventory(settings)
        app = create_inventory(settings)
        with TestClient(app) as client:
            reply = client.post(
                "/v1/stock:adjust",
                json={"adjustments": [{"product_id": "p-1", "set_available": 3}]},
            )
            assert reply.status_code == 200, reply.text
            wait_for(receiver, 1)
            relay = app.state.outbox_relay
        assert not relay.alive  # the lifespan stopped it with the app
    assert summary(receiver.accepted) == [("stock.changed.v1", "p-1")]
