"""Which events each catalog use case emits, on the in-memory repository (no database)."""

from __future__ import annotations

import pytest

from nextbuy.catalog.domain.catalog import Catalog
from nextbuy.catalog.domain.errors import ProductExistsError
from nextbuy.catalog.domain.events import product_public
from nextbuy.catalog.storage.memory import MemoryProductRepository
from nextbuy.contracts.events import AnyEvent, ProductCreatedV1, ProductUpdatedV1
from tests.catalog.catalog_builders import ManualClock, make_draft
from tests.support.outbox import summary

CREATED, UPDATED = "product.created.v1", "product.updated.v1"


def product_events(repository: MemoryProductRepository) -> list[AnyEvent]:
    """The repository's events as :data:`AnyEvent`: it stores them as plain ``EventBase``."""
    events: list[AnyEvent] = [
        event
        for event in repository.events
        if isinstance(event, ProductCreatedV1 | ProductUpdatedV1)
    ]
    assert len(events) == len(repository.events)  # the catalog emits product events only
    return events


@pytest.fixture
def repository() -> MemoryProductRepository:
    return MemoryProductRepository()


@pytest.fixture
def catalog(repository: MemoryProductRepository) -> Catalog:
    return Catalog(repository, clock=ManualClock())


def test_events_follow_real_changes_only(
    catalog: Catalog, repository: MemoryProductRepository
) -> None:
    catalog.create(make_draft("p-1"))
    catalog.replace(make_draft("p-1"))
    catalog.update("p-1", {})
    catalog.deactivate("p-1")
    catalog.deactivate("p-1")
    catalog.upsert_many([make_draft("p-1", active=False), make_draft("p-2")])
    assert summary(product_events(repository)) == [
        (CREATED, "p-1"),
        (UPDATED, "p-1"),
        (CREATED, "p-2"),
    ]


def test_an_event_carries_the_same_view_the_api_returns(
    catalog: Catalog, repository: MemoryProductRepository
) -> None:
    product = catalog.create(make_draft("p-1"))
    [event] = repository.events
    assert isinstance(event, ProductCreatedV1)
    assert event.product == product_public(product)


def test_a_refused_create_emits_nothing(
    catalog: Catalog, repository: MemoryProductRepository
) -> None:
    catalog.create(make_draft("p-1"))
    with pytest.raises(ProductExistsError):
        catalog.create(make_draft("p-1"))
    assert len(repository.events) == 1
