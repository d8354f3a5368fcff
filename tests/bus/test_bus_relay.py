"""The outbox relay: publishes in id order, marks only what was confirmed, retries the rest."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import MetaData
from sqlalchemy.orm import Session

from nextbuy.bus.errors import PublishError
from nextbuy.bus.factory import start_outbox_relay
from nextbuy.bus.relay import OutboxRelay
from nextbuy.bus.relay_thread import RelayThread
from nextbuy.bus.settings import BusSettings
from nextbuy.bus.sql_outbox import SqlOutboxStore, append_events, outbox_table
from nextbuy.contracts.events import EventBase
from nextbuy.core.sql import create_database_engine
from tests.bus.builders import make_events
from tests.bus.memory_outbox import MemoryOutbox


class ScriptedPublisher:
    """Fails its first ``failures`` calls; the first of those confirms ``confirm_first`` events."""

    def __init__(self, *, failures: int = 0, confirm_first: int = 0) -> None:
        self.failures = failures
        self.confirm_first = confirm_first
        self.batches: list[list[EventBase]] = []
        self.calls = 0

    async def publish(self, events: Sequence[EventBase]) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            confirmed = events[: self.confirm_first] if self.calls == 1 else []
            self.batches.append(list(confirmed))
            raise PublishError("broker away", confirmed=[e.event_id for e in confirmed])
        self.batches.append(list(events))

    @property
    def delivered(self) -> list[EventBase]:
        return [event for batch in self.batches for event in batch]


async def relay_until_empty(relay: OutboxRelay, outbox: MemoryOutbox) -> None:
    stop = asyncio.Event()

    async def stop_when_empty() -> None:
        while outbox.pending_count:
            await asyncio.sleep(0.005)
        stop.set()

    await asyncio.wait_for(asyncio.gather(relay.run(stop), stop_when_empty()), timeout=10)


def test_publishes_everything_in_id_order_in_bounded_batches() -> None:
    events = make_events(1200)
    outbox = MemoryOutbox(events)
    publisher = ScriptedPublisher()
    asyncio.run(relay_until_empty(OutboxRelay(outbox, publisher, batch_size=500), outbox))
    assert [len(batch) for batch in publisher.batches] == [500, 500, 200]
    assert publisher.delivered == events
    assert outbox.published == [e.event_id for e in events]


def test_failures_keep_the_rows_and_confirmed_ones_are_not_sent_again() -> None:
    events = make_events(10)
    outbox = MemoryOutbox(events)
    publisher = ScriptedPublisher(failures=3, confirm_first=4)
    relay = OutboxRelay(outbox, publisher, idle_interval_s=0.01, max_backoff_s=0.05)
    asyncio.run(relay_until_empty(relay, outbox))
    assert publisher.calls == 4  # three failures, then the rest in one batch
    assert publisher.delivered == events
    assert sorted(outbox.published) == sorted(e.event_id for e in events)
    assert relay.failures == 3


def test_an_empty_outbox_publishes_nothing() -> None:
    publisher = ScriptedPublisher()
    sent = asyncio.run(OutboxRelay(MemoryOutbox(), publisher).relay_once())
    assert (sent, publisher.calls) == (0, 0)


def test_the_relay_drains_a_sql_outbox(database_url: str) -> None:
    engine = create_database_engine(database_url)
    metadata = MetaData()
    table = outbox_table("bus_test_outbox", metadata)
    metadata.create_all(engine)
    try:
        events = make_events(700)
        with Session(engine) as session, session.begin():
            append_events(session, table, events)
        store = SqlOutboxStore(engine, table)
        publisher = ScriptedPublisher(failures=1, confirm_first=100)
        relay = OutboxRelay(store, publisher, idle_interval_s=0.01, max_backoff_s=0.05)

        async def run() -> None:
            stop = asyncio.Event()
            task = asyncio.create_task(relay.run(stop))
            while store.count_pending():
                await asyncio.sleep(0.01)
            stop.set()
            await task

        asyncio.run(asyncio.wait_for(run(), timeout=20))
        assert publisher.delivered == events
        assert relay.published == 700
        assert store.prune(published_before=datetime.now(UTC) - timedelta(hours=1)) == 0
        assert store.prune(published_before=datetime.now(UTC) + timedelta(seconds=1)) == 700
    finally:
        engine.dispose()


def test_no_bus_url_means_no_relay_and_events_stay() -> None:
    assert start_outbox_relay(MemoryOutbox(make_events(1)), BusSettings(), service="t") is None


def test_a_relay_whose_transport_cannot_be_built_fails_to_start() -> None:
    def broken() -> ScriptedPublisher:
        raise ValueError("no such transport")

    with pytest.raises(RuntimeError, match="no such transport"):
        RelayThread(MemoryOutbox(), broken).start()


class PruningOutbox(MemoryOutbox):
    def __init__(self) -> None:
        super().__init__()
        self.cutoffs: list[datetime] = []

    def prune(self, *, published_before: datetime) -> int:
        self.cutoffs.append(published_before)
        return 0


def test_an_idle_relay_prunes_old_published_rows_now_and_then() -> None:
    outbox = PruningOutbox()
    relay = OutboxRelay(outbox, ScriptedPublisher(), idle_interval_s=0.01, retention_s=3600)

    async def idle_for_a_while() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(relay.run(stop))
        await asyncio.sleep(0.1)
        stop.set()
        await task

    before = datetime.now(UTC)
    asyncio.run(idle_for_a_while())
    [cutoff] = outbox.cutoffs  # once, not on every idle tick
    assert before - timedelta(hours=1, seconds=5) < cutoff < datetime.now(UTC) - timedelta(hours=1)
