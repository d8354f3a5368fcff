"""The catalog's use cases over the in-memory repository, with a clock that moves on demand."""

from __future__ import annotations

from datetime import timedelta

import pytest

from nextbuy.catalog.domain.catalog import Catalog
from nextbuy.catalog.domain.errors import (
    InvalidProductError,
    ProductExistsError,
    ProductNotFoundError,
    SkuTakenError,
)
from nextbuy.catalog.storage.memory import MemoryProductRepository
from nextbuy.core.cursors import FeedPosition
from tests.catalog.catalog_builders import T0, ManualClock, make_draft


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def catalog(clock: ManualClock) -> Catalog:
    return Catalog(MemoryProductRepository(), clock=clock)


def test_create_then_get(catalog: Catalog) -> None:
    created = catalog.create(make_draft("p1"))
    assert catalog.get("p1") == created
    assert (created.created_at, created.updated_at) == (T0, T0)


def test_create_refuses_a_taken_id(catalog: Catalog) -> None:
    catalog.create(make_draft("p1"))
    with pytest.raises(ProductExistsError):
        catalog.create(make_draft("p1", sku="other"))


def test_create_refuses_a_taken_sku(catalog: Catalog) -> None:
    catalog.create(make_draft("p1", sku="S"))
    with pytest.raises(SkuTakenError) as caught:
        catalog.create(make_draft("p2", sku="S"))
    assert caught.value.errors[0].field == "body.sku"


def test_get_unknown_raises_not_found(catalog: Catalog) -> None:
    with pytest.raises(ProductNotFoundError):
        catalog.get("nope")


def test_replace_creates_then_replaces(catalog: Catalog, clock: ManualClock) -> None:
    _, created = catalog.replace(make_draft("p1"))
    later = clock.advance()
    product, created_again = catalog.replace(make_draft("p1", title="v2"))
    assert (created, created_again) == (True, False)
    assert product.content.title == "v2"
    assert (product.created_at, product.updated_at) == (T0, later)


def test_identical_replace_does_not_bump(catalog: Catalog, clock: ManualClock) -> None:
    catalog.replace(make_draft("p1"))
    clock.advance()
    product, _ = catalog.replace(make_draft("p1"))
    assert product.updated_at == T0


def test_update_and_noop_update(catalog: Catalog, clock: ManualClock) -> None:
    catalog.create(make_draft("p1"))
    later = clock.advance()
    assert catalog.update("p1", {"title": "new"}).updated_at == later
    clock.advance()
    assert catalog.update("p1", {"title": "new"}).updated_at == later


def test_update_to_a_taken_sku_is_refused(catalog: Catalog) -> None:
    catalog.create(make_draft("p1"))
    catalog.create(make_draft("p2"))
    with pytest.raises(SkuTakenError):
        catalog.update("p2", {"sku": "SKU-p1"})


def test_update_unknown_is_not_found(catalog: Catalog) -> None:
    with pytest.raises(ProductNotFoundError):
        catalog.update("nope", {"title": "x"})


def test_deactivate_is_soft_and_idempotent(catalog: Catalog, clock: ManualClock) -> None:
    catalog.create(make_draft("p1"))
    later = clock.advance()
    assert catalog.deactivate("p1").content.active is False
    clock.advance()
    again = catalog.deactivate("p1")
    assert (again.content.active, again.updated_at) == (False, later)
    assert catalog.get("p1").content.active is False


def test_lookup_keeps_request_order_and_lists_missing(catalog: Catalog) -> None:
    for product_id in ("a", "b", "c"):
        catalog.create(make_draft(product_id))
    found, missing = catalog.lookup(["c", "x", "a", "c"])
    assert [p.id for p in found] == ["c", "a"]
    assert missing == ["x"]


def test_bulk_upsert_counts_and_is_idempotent(catalog: Catalog, clock: ManualClock) -> None:
    catalog.create(make_draft("a"))
    batch = [make_draft("a", title="changed"), make_draft("b"), make_draft("c")]
    first = catalog.upsert_many(batch)
    stamp = catalog.get("b").updated_at
    clock.advance()
    second = catalog.upsert_many(batch)
    assert (first.created, first.updated, first.unchanged) == (2, 1, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    assert catalog.get("b").updated_at == stamp


def test_bulk_upsert_names_the_entry_whose_sku_is_taken(catalog: Catalog) -> None:
    catalog.create(make_draft("a", sku="S"))
    with pytest.raises(SkuTakenError) as caught:
        catalog.upsert_many([make_draft("b"), make_draft("c", sku="S")])
    assert caught.value.errors[0].field == "body.products.1.sku"
    assert catalog.lookup(["b"])[1] == ["b"], "a refused batch writes nothing"


def test_bulk_upsert_refuses_repeated_ids(catalog: Catalog) -> None:
    with pytest.raises(InvalidProductError):
        catalog.upsert_many([make_draft("a"), make_draft("a")])


def test_browse_pages_by_id_within_a_category(catalog: Catalog) -> None:
    for product_id in ("d", "a", "c", "b"):
        catalog.create(make_draft(product_id))
    catalog.create(make_draft("e", category_path=("Garden",)))
    first = catalog.browse(("Home",), after_id=None, limit=3)
    rest = catalog.browse(("Home",), after_id="c", limit=3)
    assert ([p.id for p in first.items], first.has_more) == (["a", "b", "c"], True)
    assert ([p.id for p in rest.items], rest.has_more) == (["d"], False)


def test_changes_resume_after_a_position(catalog: Catalog, clock: ManualClock) -> None:
    catalog.upsert_many([make_draft(i) for i in ("a", "b", "c")])
    clock.advance()
    catalog.update("a", {"title": "again"})
    page = catalog.changes(after=FeedPosition(T0, "b"), limit=10)
    assert [p.id for p in page.items] == ["c", "a"]
    assert catalog.changes(after=FeedPosition(T0 + timedelta(days=1), ""), limit=10).items == []
