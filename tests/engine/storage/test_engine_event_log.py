"""The event log on SQLite and PostgreSQL: durable, deduplicated by the client's event id."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from nextbuy.contracts.engine import InteractionEvent
from nextbuy.core.errors import UnavailableError
from nextbuy.core.sql import create_database_engine
from nextbuy.engine.app import migrate
from nextbuy.engine.settings import EngineSettings
from nextbuy.engine.storage.event_log import EventLog
from nextbuy.engine.storage.group_commit import GroupCommitLog


def make_event(event_id: str, **overrides: object) -> InteractionEvent:
    fields: dict[str, object] = {
        "event_id": event_id,
        "type": "view",
        "user_id": "u1",
        "product_id": "p1",
        "timestamp": datetime(2026, 5, 1, 12, tzinfo=UTC),
    }
    fields.update(overrides)
    return InteractionEvent.model_validate(fields)


def test_append_stores_each_event_once_and_says_which_were_new(database_url: str) -> None:
    settings = EngineSettings(database_url=database_url)
    migrate(settings)
    migrate(settings)  # idempotent
    engine = create_database_engine(database_url)
    try:
        log = EventLog(engine)
        assert log.append([make_event("e1"), make_event("e2")]) == {"e1", "e2"}
        assert log.append([make_event("e2"), make_event("e3"), make_event("e3")]) == {"e3"}
        assert log.count() == 3
        stored = [e for batch in log.read_all() for e in batch]
        assert {e.event_id for e in stored} == {"e1", "e2", "e3"}
        assert stored[0].timestamp == datetime(2026, 5, 1, 12, tzinfo=UTC)
    finally:
        engine.dispose()


def test_batches_written_together_credit_a_shared_event_to_the_first(database_url: str) -> None:
    settings = EngineSettings(database_url=database_url)
    migrate(settings)
    engine = create_database_engine(database_url)
    try:
        log = EventLog(engine)
        log.append([make_event("old")])
        first = [make_event("a"), make_event("shared"), make_event("old")]
        second = [make_event("shared"), make_event("b", user_id=None, session_id="s1", price=2.5)]
        assert log.append_batches([first, second]) == [{"a", "shared"}, {"b"}]
        stored = {e.event_id: e for batch in log.read_all() for e in batch}
        assert set(stored) == {"old", "a", "shared", "b"}
        assert (stored["b"].session_id, stored["b"].price) == ("s1", 2.5)
    finally:
        engine.dispose()


def test_concurrent_appends_share_commits_and_each_learns_its_new_ids(database_url: str) -> None:
    settings = EngineSettings(database_url=database_url)
    migrate(settings)
    engine = create_database_engine(database_url)
    try:
        grouped = GroupCommitLog(EventLog(engine))
        batches = [[make_event(f"b{n}-{i}") for i in range(200)] for n in range(8)]
        batches.append(batches[0][:50])  # a resend, in flight with the original

        async def send_all() -> list[set[str]]:
            return await asyncio.gather(*(grouped.append(batch) for batch in batches))

        results = asyncio.run(send_all())
        assert results[:8] == [{e.event_id for e in batch} for batch in batches[:8]]
        assert results[8] == set()
        assert grouped.commits < len(batches)
        # Committed, not only queued: a separate connection sees every event.
        fresh = create_database_engine(database_url)
        assert EventLog(fresh).count() == 1600
        fresh.dispose()
    finally:
        engine.dispose()


def test_a_failed_group_commit_fails_every_batch_in_it_and_the_next_one_can_succeed(
    tmp_path: Path,
) -> None:
    database_url = f"sqlite:///{tmp_path / 'events.sqlite3'}"
    engine = create_database_engine(database_url)  # not migrated yet: no table to write to
    try:
        grouped = GroupCommitLog(EventLog(engine))

        async def send(batches: list[list[InteractionEvent]]) -> list[object]:
            return await asyncio.gather(
                *(grouped.append(batch) for batch in batches), return_exceptions=True
            )

        failed = asyncio.run(send([[make_event("x1")], [make_event("x2")]]))
        assert all(isinstance(outcome, UnavailableError) for outcome in failed)
        migrate(EngineSettings(database_url=database_url))
        assert asyncio.run(send([[make_event("x1")]])) == [{"x1"}]
    finally:
        engine.dispose()
