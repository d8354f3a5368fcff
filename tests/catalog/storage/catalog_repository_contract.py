"""The product repository contract: every adapter must pass these same tests.

Subclasses provide a ``repository`` fixture; the tests talk only to the port.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from nextbuy.catalog.domain.errors import ConcurrentWriteError
from nextbuy.catalog.domain.models import Product
from nextbuy.catalog.domain.ports import ProductRepository
from nextbuy.core.cursors import FeedPosition
from tests.catalog.catalog_builders import T0, make_product


def _ids(products: list[Product]) -> list[str]:
    return [p.id for p in products]


class ProductRepositoryContract:
    def test_insert_then_read_back_every_field(self, repository: ProductRepository) -> None:
        product = make_product(
            "p1", price=Decimal("1234567.89"), brand=None, image_url=None, category_path=()
        )
        with repository.transaction() as store:
            store.insert([product, make_product("p2")])
        with repository.transaction() as store:
            found = store.get_many(["p1", "p2", "missing"])
        assert found == {"p1": product, "p2": make_product("p2")}
        assert found["p1"].created_at.tzinfo is not None

    def test_empty_reads(self, repository: ProductRepository) -> None:
        with repository.transaction() as store:
            assert store.get_many([]) == {}
            assert store.sku_owners([]) == {}
            assert store.list_all(after_id=None, limit=10) == []

    def test_sku_owners(self, repository: ProductRepository) -> None:
        with repository.transaction() as store:
            store.insert([make_product("p1", sku="A"), make_product("p2", sku="B")])
            assert store.sku_owners({"A", "B", "C"}) == {"A": "p1", "B": "p2"}

    @pytest.mark.parametrize("clash", ["id", "sku"])
    def test_clashing_insert_fails_and_rolls_back(
        self, repository: ProductRepository, clash: str
    ) -> None:
        with repository.transaction() as store:
            store.insert([make_product("p1", sku="A")])
        duplicate = make_product("p1", sku="B") if clash == "id" else make_product("p9", sku="A")

        def write_with_a_clash() -> None:
            with repository.transaction() as store:
                store.insert([make_product("p2", sku="C")])
                store.insert([duplicate])

        with pytest.raises(ConcurrentWriteError):
            write_with_a_clash()
        with repository.transaction() as store:
            assert set(store.get_many(["p1", "p2", "p9"])) == {"p1"}

    def test_update_overwrites_every_field(self, repository: ProductRepository) -> None:
        with repository.transaction() as store:
            store.insert([make_product("p1"), make_product("p2")])
        changed = make_product(
            "p1",
            updated_at=T0 + timedelta(seconds=5),
            title="New",
            active=False,
            attributes={"k": [1, {"x": None}]},
            category_path=("Garden",),
        )
        with repository.transaction() as store:
            store.update([changed])
        with repository.transaction() as store:
            assert store.get_many(["p1", "p2"]) == {"p1": changed, "p2": make_product("p2")}

    def test_category_listing_matches_whole_segments(self, repository: ProductRepository) -> None:
        with repository.transaction() as store:
            store.insert(
                [
                    make_product("a", category_path=("Home",)),
                    make_product("b", category_path=("Home", "Kitchen")),
                    make_product("c", category_path=("Home", "Kitchen", "Pans")),
                    make_product("d", category_path=("Home", "Kitchenware")),
                    make_product("e", category_path=("home", "kitchen")),
                    make_product("f", category_path=("Home", "Kitchen"), active=False),
                    make_product("g", category_path=("Home_", "Kitchen")),
                ]
            )
        with repository.transaction() as store:

            def listed(*path: str) -> list[str]:
                return _ids(store.list_active(category=path, after_id=None, limit=50))

            assert listed("Home", "Kitchen") == ["b", "c"]
            assert listed("Home", "Kit") == []
            assert listed("Home") == ["a", "b", "c", "d"]
            assert listed("Home_") == ["g"]
            assert listed() == ["a", "b", "c", "d", "e", "g"]

    def test_listings_page_by_id(self, repository: ProductRepository) -> None:
        ids = ["B-1", "a-2", "a-10", "a.1", "Z"]
        with repository.transaction() as store:
            store.insert([make_product(i, active=i != "Z") for i in ids])
        with repository.transaction() as store:
            assert _ids(store.list_all(after_id=None, limit=50)) == sorted(ids)
            assert _ids(store.list_all(after_id="B-1", limit=2)) == ["Z", "a-10"]
            active = store.list_active(category=(), after_id="B-1", limit=50)
            assert _ids(active) == [i for i in sorted(ids) if i > "B-1" and i != "Z"]

    def test_changes_order_by_time_then_id(self, repository: ProductRepository) -> None:
        t1 = T0 + timedelta(microseconds=1)
        with repository.transaction() as store:
            store.insert(
                [
                    make_product("c", updated_at=T0),
                    make_product("a", updated_at=t1),
                    make_product("b", updated_at=T0),
                    make_product("d", updated_at=T0 - timedelta(days=1)),
                ]
            )
        with repository.transaction() as store:
            assert _ids(store.list_changed(after=None, limit=10)) == ["d", "b", "c", "a"]
            after_b = store.list_changed(after=FeedPosition(T0, "b"), limit=10)
            assert _ids(after_b) == ["c", "a"]
            since_t0 = store.list_changed(after=FeedPosition(T0, ""), limit=2)
            assert _ids(since_t0) == ["b", "c"]
