"""The engine's local read model (CQRS) of catalogue and stock, in columnar numpy arrays.

One row per product. Ranking touches a few dozen rows per request, so the layout is chosen
for memory at a million products rather than for scans: numeric fields in typed arrays,
titles in one UTF-8 buffer with offsets, categories and currencies as small integer codes.
Fed by the catalogue and stock change feeds (and, later, by events); single writer (the
refresher task), many readers, one event loop — no locks needed.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable, Sequence

import numpy as np
import numpy.typing as npt

from nextbuy.engine.domain.ports import CandidateColumns, ProductInfo, StockLevel
from nextbuy.engine.storage.columns import GrowableArray, StringColumn, TextCodes
from nextbuy.recommend.rules import in_category


class ProductReadModel:
    """Products and their sellable stock, by row. Implements the domain's ``CatalogueReader``."""

    def __init__(self, capacity: int = 1024) -> None:
        self._rows: dict[str, int] = {}
        self._ids: list[str] = []
        self._titles = StringColumn()
        self._categories = TextCodes()
        self._currencies = TextCodes()
        self._price = GrowableArray(np.float64, capacity)
        self._active = GrowableArray(np.bool_, capacity)
        self._category = GrowableArray(np.int32, capacity)
        self._currency = GrowableArray(np.int16, capacity)
        self._sellable = GrowableArray(np.int64, capacity)
        self._known_to_catalogue = GrowableArray(np.bool_, capacity)
        # When each row's catalogue fields and stock last changed at the source: events can
        # arrive late or twice (a relay retry), and an older change must not undo a newer one.
        self._catalogue_changed = GrowableArray(np.float64, capacity)
        self._stock_changed = GrowableArray(np.float64, capacity)
        self.stale_changes_ignored = 0
        self.content_version = 0
        """Bumped by every change an answer could show: a listing field, or stock crossing zero.
        A stock count that stays above zero changes no answer, so it leaves this alone (the
        engine's answer cache stays valid across the busy shop's ordinary stock updates)."""
        self.catalogue_synced_at: float | None = None
        self.stock_synced_at: float | None = None

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, product_id: object) -> bool:
        return isinstance(product_id, str) and self._known(product_id)

    def _known(self, product_id: str) -> bool:
        row = self._rows.get(product_id)
        return row is not None and bool(self._known_to_catalogue.at(row))

    def _row_for(self, product_id: str) -> int:
        row = self._rows.get(product_id)
        if row is None:
            row = len(self._ids)
            self._rows[product_id] = row
            self._ids.append(product_id)
            for column in (self._price, self._active, self._category, self._currency):
                column.append_default()
            self._sellable.append_default()
            self._known_to_catalogue.append_default()
            self._catalogue_changed.append_default()
            self._stock_changed.append_default()
            self._titles.append("")
        return row

    def apply_products(self, products: Iterable[ProductInfo]) -> int:
        """Upsert catalogue changes; returns how many were applied."""
        applied = 0
        for product in products:
            row = self._row_for(product.product_id)
            if product.updated_at < self._catalogue_changed.values[row]:
                self.stale_changes_ignored += 1
                continue
            self._catalogue_changed.values[row] = product.updated_at
            if self._listing(row) != _listing_of(product):
                self.content_version += 1
            self._titles.set(row, product.title)
            self._price.values[row] = product.price
            self._active.values[row] = product.active
            self._category.values[row] = self._categories.code(product.category)
            self._currency.values[row] = self._currencies.code(product.currency)
            self._known_to_catalogue.values[row] = True
            applied += 1
        self.catalogue_synced_at = time.monotonic()
        return applied

    def apply_stock(self, levels: Iterable[StockLevel]) -> int:
        """Upsert stock changes (a product may be stocked before the catalogue lists it)."""
        applied = 0
        for level in levels:
            row = self._row_for(level.product_id)  # may grow the arrays: index after it
            if level.updated_at < self._stock_changed.values[row]:
                self.stale_changes_ignored += 1
                continue
            self._stock_changed.values[row] = level.updated_at
            if (self._sellable.values[row] > 0) != (level.sellable > 0):
                self.content_version += 1
            self._sellable.values[row] = level.sellable
            applied += 1
        self.stock_synced_at = time.monotonic()
        return applied

    def _listing(self, row: int) -> tuple[object, ...] | None:
        if not self._known_to_catalogue.values[row]:
            return None
        return (
            self._titles.get(row),
            float(self._price.values[row]),
            bool(self._active.values[row]),
            self._categories.text(int(self._category.values[row])),
            self._currencies.text(int(self._currency.values[row])),
        )

    def get(self, product_id: str) -> ProductInfo | None:
        """The catalogue fields of one product, or None if the catalogue never listed it."""
        row = self._rows.get(product_id)
        if row is None or not self._known_to_catalogue.at(row):
            return None
        # Scalars read with ``at``: per row, a view and a numpy scalar per field cost more
        # than building the ProductInfo (ranking reads ~15 products per request).
        return ProductInfo(
            product_id=product_id,
            title=self._titles.get(row),
            price=float(self._price.at(row)),
            currency=self._currencies.text(self._currency.at(row)),
            category=self._categories.text(self._category.at(row)),
            active=bool(self._active.at(row)),
            updated_at=float(self._catalogue_changed.at(row)),
        )

    def sellable_units(self, product_id: str) -> int:
        row = self._rows.get(product_id)
        return 0 if row is None else int(self._sellable.at(row))

    def category_of(self, product_id: str) -> str | None:
        row = self._rows.get(product_id)
        if row is None or not self._known_to_catalogue.at(row):
            return None
        return self._categories.text(self._category.at(row))

    def columns(self, product_ids: Sequence[str], categories: Collection[str]) -> CandidateColumns:
        """The ranking filters' columns of ``product_ids``: array gathers, no objects per row."""
        rows = np.fromiter(
            (self._rows.get(p, -1) for p in product_ids), dtype=np.int64, count=len(product_ids)
        )
        found = rows >= 0
        rows[~found] = 0  # a safe index; every column below is masked by ``found``
        listed = found & self._known_to_catalogue.values[rows] & self._active.values[rows]
        category = np.where(listed, self._category.values[rows], -1).astype(np.int64)
        if categories:
            in_categories = listed & np.isin(category, self._category_codes_under(categories))
        else:
            in_categories = np.ones(len(rows), dtype=np.bool_)
        return CandidateColumns(
            listed=listed,
            sellable=found & (self._sellable.values[rows] > 0),
            price=np.where(listed, self._price.values[rows], np.nan),
            category=category,
            in_categories=in_categories,
        )

    def _category_codes_under(self, prefixes: Collection[str]) -> npt.NDArray[np.int64]:
        # The vocabulary is small (hundreds of categories), so matching it beats matching rows.
        codes = [
            code for code, text in enumerate(self._categories.texts) if in_category(text, prefixes)
        ]
        return np.asarray(codes, dtype=np.int64)

    def staleness_s(self) -> tuple[float | None, float | None]:
        """Seconds since the catalogue and the stock were last synced (None: never)."""
        now = time.monotonic()
        return (
            None if self.catalogue_synced_at is None else now - self.catalogue_synced_at,
            None if self.stock_synced_at is None else now - self.stock_synced_at,
        )

    def memory_bytes(self) -> int:
        """Bytes held by the columns (arrays and the title buffer), without the id index."""
        arrays: list[npt.NDArray[np.generic]] = [
            c.values
            for c in (
                self._price,
                self._active,
                self._category,
                self._currency,
                self._sellable,
                self._catalogue_changed,
                self._stock_changed,
            )
        ]
        return sum(a.nbytes for a in arrays) + self._titles.nbytes


def _listing_of(product: ProductInfo) -> tuple[object, ...]:
    """The fields of ``product`` an answer shows or filters on, as ``_listing`` reads them."""
    return (product.title, float(product.price), product.active, product.category, product.currency)
