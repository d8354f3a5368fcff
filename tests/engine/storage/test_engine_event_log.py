"""The event log on SQLite and PostgreSQL: durable, deduplicated by the client's event id."""

from __future__ import annotations

from datetime import UTC, datetime

from nextbuy.contracts.engine import InteractionEvent
from nextbuy.core.sql import create_database_engine
from nextbuy.engine.app import migrate
from nextbuy.engine.settings import EngineSettings
from nextbuy.engine.storage.event_log import EventLog


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
