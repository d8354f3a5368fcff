"""The catalog's use cases: read, write and page through products via the repository port."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from nextbuy.catalog.domain.errors import ProductExistsError, ProductNotFoundError, SkuTakenError
from nextbuy.catalog.domain.events import product_events
from nextbuy.catalog.domain.models import (
    Product,
    ProductDraft,
    ProductSlice,
    UpsertCounts,
)
from nextbuy.catalog.domain.ports import ProductRepository, ProductStore
from nextbuy.catalog.domain.revisions import (
    check_batch_unique,
    new_product,
    patch,
    plan_upsert,
    revise,
)
from nextbuy.core.cursors import FeedPosition

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Catalog:
    """Every catalog operation; each one runs in a single repository transaction.

    A write that changes a product also appends its event to the outbox in that same
    transaction, so the event exists exactly when the change does.
    """

    def __init__(self, repository: ProductRepository, *, clock: Clock = _utcnow) -> None:
        self._repository = repository
        self._clock = clock

    def get(self, product_id: str) -> Product:
        """The product with this id, active or not."""
        with self._repository.transaction() as store:
            return _require(store, product_id)

    def lookup(self, ids: Sequence[str]) -> tuple[list[Product], list[str]]:
        """The products among ``ids`` (request order, no repeats) and the ids not found."""
        unique = list(dict.fromkeys(ids))
        with self._repository.transaction() as store:
            found = store.get_many(unique)
        return [found[i] for i in unique if i in found], [i for i in unique if i not in found]

    def create(self, draft: ProductDraft) -> Product:
        """Store a new product; its id must be free."""
        with self._repository.transaction() as store:
            if store.get_many([draft.id]):
                raise ProductExistsError(draft.id)
            product = new_product(draft, self._clock())
            _check_skus(store, [("body.sku", product)])
            store.insert([product])
            store.append_events(product_events(created=[product]))
            return product

    def replace(self, draft: ProductDraft) -> tuple[Product, bool]:
        """Create or fully replace a product; returns it and whether it was created."""
        with self._repository.transaction() as store:
            existing = store.get_many([draft.id]).get(draft.id)
            now = self._clock()
            if existing is None:
                product = new_product(draft, now)
                _check_skus(store, [("body.sku", product)])
                store.insert([product])
                store.append_events(product_events(created=[product]))
                return product, True
            revised = revise(existing, draft, now)
            if revised is not None:
                _check_skus(store, [("body.sku", revised)])
                store.update([revised])
                store.append_events(product_events(updated=[revised]))
            return revised or existing, False

    def update(self, product_id: str, changes: Mapping[str, Any]) -> Product:
        """Change only the given content fields; an empty or no-op change bumps nothing."""
        with self._repository.transaction() as store:
            existing = _require(store, product_id)
            patched = patch(existing, changes, self._clock())
            if patched is None:
                return existing
            if patched.content.sku != existing.content.sku:
                _check_skus(store, [("body.sku", patched)])
            store.update([patched])
            store.append_events(product_events(updated=[patched]))
            return patched

    def deactivate(self, product_id: str) -> Product:
        """Soft-delete: the product stays readable with ``active=false``."""
        return self.update(product_id, {"active": False})

    def upsert_many(self, drafts: Sequence[ProductDraft]) -> UpsertCounts:
        """Create or replace a batch in one transaction; replaying it changes nothing."""
        check_batch_unique(drafts, location="body.products")
        with self._repository.transaction() as store:
            plan = plan_upsert(drafts, store.get_many([d.id for d in drafts]), self._clock())
            index = {draft.id: i for i, draft in enumerate(drafts)}
            written = [*plan.new, *plan.changed]
            _check_skus(store, [(f"body.products.{index[p.id]}.sku", p) for p in written])
            store.insert(plan.new)
            store.update(plan.changed)
            store.append_events(product_events(created=plan.new, updated=plan.changed))
        return UpsertCounts(len(plan.new), len(plan.changed), plan.unchanged)

    def browse(
        self, category: tuple[str, ...], *, after_id: str | None, limit: int
    ) -> ProductSlice:
        """Active products in ``category`` or its subcategories, by id."""
        with self._repository.transaction() as store:
            rows = store.list_active(category=category, after_id=after_id, limit=limit + 1)
        return _slice(rows, limit)

    def export(self, *, after_id: str | None, limit: int) -> ProductSlice:
        """Every product, active or not, by id."""
        with self._repository.transaction() as store:
            return _slice(store.list_all(after_id=after_id, limit=limit + 1), limit)

    def changes(self, *, after: FeedPosition | None, limit: int) -> ProductSlice:
        """Products by ``(updated_at, id)`` strictly after ``after``: the change feed."""
        with self._repository.transaction() as store:
            return _slice(store.list_changed(after=after, limit=limit + 1), limit)

    def ping(self) -> None:
        """Raise when the repository is unreachable."""
        self._repository.ping()


def _require(store: ProductStore, product_id: str) -> Product:
    product = store.get_many([product_id]).get(product_id)
    if product is None:
        raise ProductNotFoundError(product_id)
    return product


def _check_skus(store: ProductStore, written: Sequence[tuple[str, Product]]) -> None:
    """Refuse a sku held by a product outside this write (the write may move skus around)."""
    if not written:
        return
    owners = store.sku_owners({product.content.sku for _, product in written})
    writing = {product.id for _, product in written}
    for field, product in written:
        owner = owners.get(product.content.sku)
        if owner is not None and owner != product.id and owner not in writing:
            raise SkuTakenError(product.content.sku, owner, field=field)


def _slice(rows: list[Product], limit: int) -> ProductSlice:
    return ProductSlice(rows[:limit], len(rows) > limit)
