"""The stock repository contract: reads, atomic adjustments, idempotent upserts, the feed."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, inspect

from nextbuy.core.cursors import FeedPosition, start_position
from nextbuy.inventory.domain.errors import StockConflictError
from nextbuy.inventory.domain.models import UpsertCounts
from nextbuy.inventory.storage.engine import migrate_schema
from nextbuy.inventory.storage.repository import SqlStockRepository
from tests.inventory.builders import make_adjustment, make_level_set, make_level_sets


def test_migrating_twice_changes_nothing(engine: Engine) -> None:
    migrate_schema(engine)

    tables = set(inspect(engine).get_table_names())
    assert {"stock_levels", "inventory_alembic_version"} <= tables


def test_get_is_none_for_a_never_stocked_product(repository: SqlStockRepository) -> None:
    assert repository.get("never") is None


def test_adjusting_an_unknown_product_creates_it(repository: SqlStockRepository) -> None:
    [level] = repository.adjust([make_adjustment(product_id="new", delta_available=3)])

    assert (level.product_id, level.available, level.reserved) == ("new", 3, 0)
    assert repository.get("new") == level
    assert level.updated_at.tzinfo is not None


def test_adjust_returns_final_levels_per_product_in_first_named_order(
    repository: SqlStockRepository,
) -> None:
    levels = repository.adjust(
        [
            make_adjustment(product_id="b", delta_available=5),
            make_adjustment(product_id="a", delta_available=2),
            make_adjustment(product_id="b", delta_available=None, delta_reserved=4),
        ]
    )

    assert [(s.product_id, s.available, s.reserved) for s in levels] == [("b", 5, 4), ("a", 2, 0)]


def test_a_rejected_batch_changes_and_creates_nothing(repository: SqlStockRepository) -> None:
    repository.adjust([make_adjustment(product_id="kept", delta_available=1)])
    before = repository.get("kept")

    with pytest.raises(StockConflictError):
        repository.adjust(
            [
                make_adjustment(product_id="kept", delta_available=5),
                make_adjustment(product_id="fresh", delta_available=5),
                make_adjustment(product_id="kept", delta_available=-100),
            ]
        )

    assert repository.get("kept") == before
    assert repository.get("fresh") is None


def test_updated_at_only_moves_when_levels_change(repository: SqlStockRepository) -> None:
    [first] = repository.adjust([make_adjustment(set_available=4)])

    [same] = repository.adjust([make_adjustment(delta_available=0)])
    [back] = repository.adjust(
        [make_adjustment(delta_available=1), make_adjustment(delta_available=-1)]
    )
    [moved] = repository.adjust([make_adjustment(delta_available=1)])

    assert same.updated_at == back.updated_at == first.updated_at
    assert moved.updated_at > first.updated_at


def test_lookup_finds_stocked_products_in_one_call(repository: SqlStockRepository) -> None:
    repository.bulk_upsert(make_level_sets(3))

    found = repository.lookup(["p-00000", "p-00002", "missing", "p-00000"])

    assert sorted(s.product_id for s in found) == ["p-00000", "p-00002"]


def test_bulk_upsert_is_idempotent(repository: SqlStockRepository) -> None:
    batch = make_level_sets(1000)

    assert repository.bulk_upsert(batch) == UpsertCounts(created=1000)
    stamp = repository.get("p-00007")
    assert repository.bulk_upsert(batch) == UpsertCounts(unchanged=1000)
    assert repository.get("p-00007") == stamp


def test_bulk_upsert_updates_changed_rows_only(repository: SqlStockRepository) -> None:
    repository.bulk_upsert(make_level_sets(3))

    counts = repository.bulk_upsert(
        [
            make_level_set(product_id="p-00000", available=5),
            make_level_set(product_id="p-00001", available=9, reserved=2),
            make_level_set(product_id="p-new"),
        ]
    )

    assert counts == UpsertCounts(created=1, updated=1, unchanged=1)
    level = repository.get("p-00001")
    assert level is not None
    assert (level.available, level.reserved) == (9, 2)


def test_changes_pages_through_rows_sharing_one_timestamp(
    repository: SqlStockRepository,
) -> None:
    repository.bulk_upsert(make_level_sets(250))
    seen: list[str] = []
    after: FeedPosition | None = None

    while page := repository.changes(after=after, limit=100):
        seen.extend(s.product_id for s in page)
        after = FeedPosition(page[-1].updated_at, page[-1].product_id)

    assert seen == [f"p-{n:05d}" for n in range(250)]


def test_changes_since_a_time_includes_changes_at_that_time(
    repository: SqlStockRepository,
) -> None:
    repository.bulk_upsert(make_level_sets(2))
    [changed] = repository.adjust([make_adjustment(product_id="p-00001", delta_available=1)])

    since = repository.changes(after=start_position(changed.updated_at), limit=10)

    assert [s.product_id for s in since] == ["p-00001"]


def test_ping_reaches_the_database(repository: SqlStockRepository) -> None:
    repository.ping()
