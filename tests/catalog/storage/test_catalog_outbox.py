"""Catalog writes leave exactly their events in the outbox, in the same transaction."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

import pytest
from sqlalchemy import Engine

from nextbuy.bus.sql_outbox import SqlOutboxStore
from nextbuy.catalog.app import migrate
from nextbuy.catalog.domain.catalog import Catalog
from nextbuy.catalog.domain.errors import SkuTakenError
from nextbuy.catalog.settings import CatalogSettings
from nextbuy.catalog.storage.sql import SqlProductRepository
from nextbuy.contracts.events import ProductUpdatedV1
from nextbuy.core.sql import create_database_engine
from tests.catalog.catalog_builders import ManualClock, make_draft
from tests.support.outbox import (
    OutboxWriteFailedError,
    drain,
    failing_outbox_writes,
    pending_events,
    summary,
)

# Final keeps the literal types, so `event.type == CREATED` narrows the event union.
CREATED: Final = "product.created.v1"
UPDATED: Final = "product.updated.v1"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    migrate(CatalogSettings(database_url=database_url))
    engine = create_database_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def repository(engine: Engine) -> SqlProductRepository:
    return SqlProductRepository(engine)


@pytest.fixture
def catalog(repository: SqlProductRepository) -> Catalog:
    return Catalog(repository, clock=ManualClock())


@pytest.fixture
def outbox(repository: SqlProductRepository) -> SqlOutboxStore:
    return repository.outbox()


def test_create_writes_one_created_event_with_the_public_product(
    catalog: Catalog, outbox: SqlOutboxStore
) -> None:
    product = catalog.create(make_draft("p-1"))
    [event] = pending_events(outbox)
    assert event.type == CREATED
    assert event.product.id == "p-1"
    assert event.product.sku == product.content.sku
    assert (event.source, event.occurred_at) == ("catalog", product.updated_at)


def test_replace_patch_and_deactivate_write_updates_and_no_ops_write_nothing(
    catalog: Catalog, outbox: SqlOutboxStore
) -> None:
    catalog.replace(make_draft("p-1"))
    catalog.replace(make_draft("p-1"))  # same content: a no-op
    catalog.replace(make_draft("p-1", title="New title"))
    catalog.update("p-1", {"title": "New title"})  # no-op patch
    catalog.update("p-1", {"price": 5})
    catalog.deactivate("p-1")
    events = drain(outbox)
    assert summary(events) == [(CREATED, "p-1")] + [(UPDATED, "p-1")] * 3
    last = events[-1]
    assert isinstance(last, ProductUpdatedV1)
    assert last.product.active is False


def test_bulk_upsert_writes_one_event_per_changed_product(
    catalog: Catalog, outbox: SqlOutboxStore
) -> None:
    catalog.upsert_many([make_draft("p-1"), make_draft("p-2")])
    assert summary(drain(outbox)) == [(CREATED, "p-1"), (CREATED, "p-2")]
    catalog.upsert_many([make_draft("p-1"), make_draft("p-2", title="v2"), make_draft("p-3")])
    assert summary(drain(outbox)) == [(CREATED, "p-3"), (UPDATED, "p-2")]
    catalog.upsert_many([make_draft("p-1"), make_draft("p-2", title="v2")])
    assert drain(outbox) == []


def test_a_rolled_back_write_leaves_no_event(catalog: Catalog, outbox: SqlOutboxStore) -> None:
    catalog.create(make_draft("p-1", sku="TAKEN"))
    drain(outbox)
    with pytest.raises(SkuTakenError):
        catalog.upsert_many([make_draft("p-2"), make_draft("p-3", sku="TAKEN")])
    assert pending_events(outbox) == []
    assert catalog.lookup(["p-2"])[0] == []


def test_when_the_outbox_write_fails_the_change_rolls_back_too(
    engine: Engine, catalog: Catalog, outbox: SqlOutboxStore
) -> None:
    with failing_outbox_writes(engine, "catalog_outbox"), pytest.raises(OutboxWriteFailedError):
        catalog.upsert_many([make_draft("p-1"), make_draft("p-2")])
    assert catalog.lookup(["p-1", "p-2"])[0] == []
    assert pending_events(outbox) == []


def test_published_rows_are_no_longer_pending(catalog: Catalog, outbox: SqlOutboxStore) -> None:
    catalog.upsert_many([make_draft(f"p-{i}") for i in range(5)])
    first = outbox.pending(limit=3)
    outbox.mark_published([record.id for record in first])
    rest = outbox.pending(limit=10)
    assert [r.id for r in first] == sorted(r.id for r in first)
    assert len(rest) == 2
    assert min(r.id for r in rest) > max(r.id for r in first)
    assert outbox.count_pending() == 2
