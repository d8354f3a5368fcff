"""Where training data comes from: the engine's event log, the orders feed, a dataset folder.

Events are kept as Arrow columns, not Python objects: a 20M-event dataset would otherwise
become 100M Python strings and datetimes (over 8 GiB before training starts). Ids are
dictionary-encoded once, so the algorithms receive integer rows and only the distinct ids as
strings (see ``EncodedEvents``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nextbuy.contracts.catalog import ProductPublic
from nextbuy.contracts.orders import NOT_PURCHASED, OrderPublic
from nextbuy.core.http_client import create_session
from nextbuy.engine.storage.event_log import EventLog as EngineEventLog
from nextbuy.engine.upstream.clients import ChangeFeedClient
from nextbuy.engine.upstream.http import UpstreamHttp
from nextbuy.recommend.events import EncodedEvents
from nextbuy.recommend.interactions import IdIndex
from nextbuy.recommend.registry import SideInformation

MAX_BODY = 64 * 1024 * 1024
_COLUMNS = ("user", "item", "type", "seconds")


@dataclass
class TrainingData:
    """Events from every source as Arrow columns, plus what is known of the products."""

    item_texts: dict[str, str] = field(default_factory=dict)
    item_categories: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    _rows: list[tuple[str, str, str, float]] = field(default_factory=list)
    _tables: list[pa.Table] = field(default_factory=list)

    def add(self, source: str, user: str, item: str, kind: str, seconds: float) -> None:
        """One event (the event log and the orders feed: thousands, not millions)."""
        self._rows.append((user, item, kind, seconds))
        self.counts[source] = self.counts.get(source, 0) + 1

    def add_columns(
        self, source: str, users: pa.Array, items: pa.Array, kinds: pa.Array, seconds: pa.Array
    ) -> None:
        """Many events at once as parallel Arrow arrays (a dataset folder)."""
        table = pa.table([users, items, kinds, seconds], names=list(_COLUMNS))
        self._tables.append(table.cast(_SCHEMA))
        self.counts[source] = self.counts.get(source, 0) + table.num_rows

    def __len__(self) -> int:
        return len(self._rows) + sum(int(table.num_rows) for table in self._tables)

    def encoded(self) -> EncodedEvents:
        """Every event with users, items and types dictionary-encoded (first-seen order)."""
        tables = list(self._tables)
        if self._rows:
            users, items, kinds, seconds = zip(*self._rows, strict=True)
            tables.insert(0, pa.table([users, items, kinds, seconds], schema=_SCHEMA))
        events = pa.concat_tables(tables) if tables else _SCHEMA.empty_table()
        user_index, user_rows = _dictionary(events["user"])
        item_index, item_rows = _dictionary(events["item"])
        type_index, type_rows = _dictionary(events["type"])
        return EncodedEvents(
            users=user_index,
            items=item_index,
            user_rows=user_rows,
            item_rows=item_rows,
            event_types=type_index.ids,
            type_rows=type_rows,
            timestamps=events["seconds"].to_numpy().astype(np.float64),
        )

    def release_events(self) -> None:
        """Drop the events once encoded: at 20M events their columns hold ~1 GB that fitting
        does not need. Counts and product text stay."""
        self._rows, self._tables = [], []

    def side(self) -> SideInformation:
        return SideInformation(item_texts=self.item_texts, item_categories=self.item_categories)


_SCHEMA = pa.schema(
    [("user", pa.string()), ("item", pa.string()), ("type", pa.string()), ("seconds", pa.float64())]
)


def _dictionary(column: pa.ChunkedArray) -> tuple[IdIndex, np.ndarray]:
    """Arrow's hash-based dictionary encoding: distinct ids in first-seen order, and codes."""
    encoded = pc.dictionary_encode(column.combine_chunks())
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return IdIndex(tuple(encoded.dictionary.to_pylist())), codes


def from_event_log(data: TrainingData, log: EngineEventLog) -> None:
    """Known users' events from the engine's own log (anonymous sessions count as visitors)."""
    for batch in log.read_all():
        for event in batch:
            visitor = event.user_id or f"session:{event.session_id}"
            data.add(
                "event_log", visitor, event.product_id, event.type, event.timestamp.timestamp()
            )


async def from_services(data: TrainingData, *, orders_url: str, catalog_url: str) -> None:
    """Every order line as a purchase, and product text and categories, through the change feeds."""
    async with create_session(total_timeout_s=60) as session:
        orders = ChangeFeedClient(
            UpstreamHttp(session, orders_url, "orders", max_body_bytes=MAX_BODY),
            "/v1/orders:changes",
            OrderPublic,
            lambda order: order,
        )
        for order in await orders.poll():
            if order.status in NOT_PURCHASED:
                continue
            for line in order.lines:
                seconds = order.created_at.timestamp()
                data.add("orders", order.user_id, line.product_id, "purchase", seconds)
        catalogue = ChangeFeedClient(
            UpstreamHttp(session, catalog_url, "catalog", max_body_bytes=MAX_BODY),
            "/v1/products:changes",
            ProductPublic,
            lambda product: product,
        )
        for product in await catalogue.poll():
            category = "/".join(product.category_path)
            data.item_categories[product.id] = category
            data.item_texts[product.id] = " ".join(
                part
                for part in (product.title, product.description, product.brand or "", category)
                if part
            )


def from_dataset(data: TrainingData, folder: Path) -> None:
    """Events and product text from a canonical dataset folder (see docs/data-format.md)."""
    from nextbuy.data.format import read_dataset

    dataset = read_dataset(folder)
    events = dataset.events
    # Anonymous events belong to their session, as in the engine's own log.
    visitors = pc.coalesce(
        events["user_id"], pc.binary_join_element_wise("session:", events["session_id"], "")
    )
    micros = pc.cast(events["timestamp"], pa.timestamp("us")).cast(pa.int64())
    seconds = pc.divide(pc.cast(micros, pa.float64()), 1e6)
    data.add_columns("dataset", visitors, events["product_id"], events["event_type"], seconds)
    products = dataset.products.to_pydict()
    for product_id, title, description, category in zip(
        products["product_id"],
        products["title"],
        products["description"],
        products["category_path"],
        strict=True,
    ):
        data.item_categories[product_id] = category or ""
        data.item_texts[product_id] = " ".join(p for p in (title, description, category) if p)
