"""Canonical tables → the services' bulk request bodies, in batches the APIs accept.

The services are stricter than the format in a few places, and the mapping is explicit here:
a product without a price is sent at 0.00 (MovieLens, RetailRocket), without a SKU under its
id; prices are rounded to cents; an order of more than 200 lines (the Order History limit) is
sent as parts ``<id>``, ``<id>.2``, ``<id>.3``… of at most 200 lines each.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from nextbuy.data.format import Dataset

BATCH = 1000  # MAX_BATCH of every bulk endpoint
ORDER_BATCH_LINES = 5000  # ≈ 300 KB of JSON: well under the services' 1 MiB body limit
MAX_LINES = 200
RECENT_VIEWS = 50  # the profile service keeps no more than this per user
Record = dict[str, Any]


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _rows(table: pa.Table, start: int, size: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = table.slice(start, size).to_pylist()
    return rows


def product_batches(dataset: Dataset) -> Iterator[list[Record]]:
    for start in range(0, dataset.products.num_rows, BATCH):
        yield [
            {
                "id": row["product_id"],
                "sku": (row.get("sku") or row["product_id"])[:64],
                "title": row["title"][:300] or row["product_id"],
                "description": (row.get("description") or "")[:10_000],
                "category_path": [s for s in (row.get("category_path") or "").split("/") if s][:8],
                "brand": row["brand"][:100] if row.get("brand") else None,
                "price": round(row.get("price") or 0.0, 2),
                "currency": row.get("currency") or "EUR",
                "active": row.get("active", True),
                "created_at": _iso(row.get("created_at")),
            }
            for row in _rows(dataset.products, start, BATCH)
        ]


def stock_batches(dataset: Dataset) -> Iterator[list[Record]]:
    if dataset.inventory is None:
        return
    columns = ["product_id", "available", "reserved"]
    for start in range(0, dataset.inventory.num_rows, BATCH):
        yield _rows(dataset.inventory.select(columns), start, BATCH)


def user_batches(dataset: Dataset) -> Iterator[list[Record]]:
    if dataset.users is None:
        return
    for start in range(0, dataset.users.num_rows, BATCH):
        yield [
            {
                "id": row["user_id"],
                "demographics": {
                    k: row[k] for k in ("age_band", "gender", "country", "city") if row.get(k)
                },
                "preferences": {
                    "favourite_categories": [
                        c for c in (row.get("favourite_categories") or "").split("|") if c
                    ][:20],
                    "price_band": row.get("price_band"),
                },
                "created_at": _iso(row.get("created_at")),
            }
            for row in _rows(dataset.users, start, BATCH)
        ]


def order_batches(dataset: Dataset) -> Iterator[list[Record]]:
    """Orders with their lines; both tables are walked once, in order-id order."""
    if dataset.orders is None or dataset.order_lines is None:
        return
    orders = dataset.orders.sort_by("order_id")
    lines = dataset.order_lines.sort_by([("order_id", "ascending"), ("line_no", "ascending")])
    ids = lines["order_id"].to_pylist()
    products, quantities = lines["product_id"].to_pylist(), lines["quantity"].to_pylist()
    prices = pc.round(lines["unit_price"], 2).to_pylist()
    position, lines_in_batch = 0, 0
    batch: list[Record] = []
    for order in orders.to_pylist():
        first = position
        while position < len(ids) and ids[position] == order["order_id"]:
            position += 1
        body = [
            {"product_id": products[i], "quantity": quantities[i], "unit_price": prices[i]}
            for i in range(first, position)
        ]
        parts = _order_parts(order, body)
        if batch and (
            len(batch) + len(parts) > BATCH or lines_in_batch + len(body) > ORDER_BATCH_LINES
        ):
            yield batch
            batch, lines_in_batch = [], 0
        batch.extend(parts)
        lines_in_batch += len(body)
    if batch:
        yield batch


def _order_parts(order: dict[str, Any], lines: list[Record]) -> list[Record]:
    """The order as one or more orders of at most ``MAX_LINES`` lines (``<id>``, ``<id>.2``…)."""
    return [
        {
            "id": order["order_id"] + ("" if part == 1 else f".{part}"),
            "user_id": order["user_id"],
            "status": order["status"],
            "currency": order["currency"],
            "created_at": _iso(order["created_at"]),
            "lines": lines[offset : offset + MAX_LINES],
        }
        for part, offset in enumerate(range(0, len(lines), MAX_LINES), start=1)
    ]


def recent_views(dataset: Dataset) -> Iterator[tuple[str, list[Record]]]:
    """Each known user's latest views (older ones would fall off the profile anyway)."""
    events = dataset.events
    views = events.filter(
        pc.and_(pc.equal(events["event_type"], "view"), pc.is_valid(events["user_id"]))
    )
    views = views.filter(pc.is_valid(views["timestamp"]))
    views = views.sort_by([("user_id", "ascending"), ("timestamp", "descending")])
    users, products = views["user_id"].to_pylist(), views["product_id"].to_pylist()
    times = views["timestamp"].to_pylist()
    start = 0
    while start < len(users):
        end = start
        while end < len(users) and users[end] == users[start]:
            end += 1
        latest = range(start, min(end, start + RECENT_VIEWS))
        body = [
            {"product_id": products[i], "viewed_at": times[i].isoformat()} for i in reversed(latest)
        ]
        yield users[start], body
        start = end
