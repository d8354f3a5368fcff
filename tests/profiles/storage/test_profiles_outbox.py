"""Profile writes leave one user.updated.v1 per changed user, in the write's transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from nextbuy.bus.sql_outbox import SqlOutboxStore
from nextbuy.contracts.events import UserUpdatedV1
from nextbuy.profiles.storage.repository import SqlUserRepository
from tests.profiles.profiles_builders import at, make_profile_input, make_view
from tests.support.outbox import (
    OutboxWriteFailedError,
    drain,
    failing_outbox_writes,
    pending_events,
    summary,
)

UPDATED = "user.updated.v1"


@pytest.fixture
def outbox(repository: SqlUserRepository) -> SqlOutboxStore:
    return repository.outbox()


def test_creates_and_real_changes_publish_but_replays_do_not(
    repository: SqlUserRepository, outbox: SqlOutboxStore
) -> None:
    repository.upsert([make_profile_input(id="u1"), make_profile_input(id="u2")], now=at(0))
    assert summary(drain(outbox)) == [(UPDATED, "u1"), (UPDATED, "u2")]
    repository.upsert(
        [make_profile_input(id="u1"), make_profile_input(id="u2", attributes={"vip": True})],
        now=at(1),
    )
    [event] = drain(outbox)
    assert isinstance(event, UserUpdatedV1)
    assert (event.type, event.user.id, event.user.attributes) == (UPDATED, "u2", {"vip": True})
    assert event.occurred_at == at(1)
    repository.upsert([make_profile_input(id="u2", attributes={"vip": True})], now=at(2))
    assert drain(outbox) == []


def test_an_update_carries_the_users_recent_views(
    repository: SqlUserRepository, outbox: SqlOutboxStore
) -> None:
    repository.upsert([make_profile_input(id="u1")], now=at(0))
    repository.append_views("u1", [make_view("p-1", 5)], now=at(5))
    repository.upsert([make_profile_input(id="u1", attributes={"x": 1})], now=at(6))
    events = drain(outbox)
    assert summary(events) == [(UPDATED, "u1")] * 3
    last = events[-1]
    assert isinstance(last, UserUpdatedV1)
    assert [view.product_id for view in last.user.recent_views] == ["p-1"]


def test_new_views_publish_and_repeated_views_do_not(
    repository: SqlUserRepository, outbox: SqlOutboxStore
) -> None:
    repository.upsert([make_profile_input(id="u1")], now=at(0))
    drain(outbox)
    repository.append_views("u1", [make_view("p-1", 5)], now=at(5))
    repository.append_views("u1", [make_view("p-1", 5)], now=at(6))  # same view: no change
    [event] = drain(outbox)
    assert isinstance(event, UserUpdatedV1)
    assert event.user.updated_at == at(5)


def test_when_the_outbox_write_fails_the_change_rolls_back_too(
    engine: Engine, repository: SqlUserRepository, outbox: SqlOutboxStore
) -> None:
    with failing_outbox_writes(engine, "profiles_outbox"), pytest.raises(OutboxWriteFailedError):
        repository.upsert([make_profile_input(id="u1")], now=at(0))
    assert repository.get("u1") is None
    assert pending_events(outbox) == []
