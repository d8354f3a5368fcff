"""A shop's own CSV export → the canonical format, by naming which column is which.

``nextbuy data load csv export.csv --map user_id=CustomerID --map product_id=StockCode
--map timestamp=InvoiceDate --map order_id=InvoiceNo --map price=UnitPrice``. Every row is
one event (``--event-type``, or a mapped ``event_type`` column); products and users are the
distinct ids, and a mapped ``order_id`` groups purchases into orders.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from nextbuy.data.format import Dataset, DatasetError, Manifest, read_text_table
from nextbuy.data.format.conform import conform_column
from nextbuy.data.format.schemas import EVENTS
from nextbuy.data.loaders._tables import canonical, first_per_group, line_numbers, lookup

EVENT_COLUMNS = frozenset(EVENTS.names)
PRODUCT_COLUMNS = frozenset({"title", "category_path", "brand"})
TARGETS = EVENT_COLUMNS | PRODUCT_COLUMNS | {"order_id"}


def parse_mapping(pairs: list[str]) -> dict[str, str]:
    """``["user_id=CustomerID", …]`` → ``{"user_id": "CustomerID", …}``, checked."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        target, separator, source = pair.partition("=")
        if not separator or not source or target not in TARGETS:
            choices = ", ".join(sorted(TARGETS))
            raise ValueError(f"--map {pair!r}: expected TARGET=COLUMN with TARGET one of {choices}")
        mapping[target] = source
    return mapping


def load(
    path: Path | str,
    mapping: Mapping[str, str],
    *,
    event_type: str = "purchase",
    delimiter: str = ",",
    encoding: str = "utf8",
) -> Dataset:
    """Map the columns named in ``mapping`` (canonical name → CSV column) into a dataset."""
    file = Path(path)
    if "product_id" not in mapping or not {"user_id", "session_id"} & set(mapping):
        raise ValueError("map at least product_id, and user_id or session_id")
    if "order_id" in mapping and not {"user_id", "price"} <= set(mapping):
        raise ValueError("mapping order_id also needs user_id and price")
    raw = read_text_table(
        file,
        {column: pa.string() for column in mapping.values()},
        delimiter=delimiter,
        encoding=encoding,
    )
    rows = _mapped(raw, mapping, file.name)
    if "event_type" not in rows.column_names:
        rows = rows.append_column("event_type", pa.array([event_type] * rows.num_rows))
    if "order_id" in rows.column_names and "session_id" not in rows.column_names:
        # An order is the natural session of a guest checkout (no customer id).
        rows = rows.append_column("session_id", rows["order_id"])
    events = canonical(
        "events", rows.num_rows, {c: rows[c] for c in rows.column_names if c in EVENT_COLUMNS}
    )
    dataset = Dataset(
        products=_products(rows),
        events=events,
        users=_users(rows) if "user_id" in rows.column_names else None,
        manifest=Manifest(
            name=file.stem, source=f"CSV export {file.name}", parameters={"map": dict(mapping)}
        ),
    )
    if "order_id" in rows.column_names:
        return _with_orders(dataset, rows)
    return dataset


def _mapped(raw: pa.Table, mapping: Mapping[str, str], file: str) -> pa.Table:
    columns: dict[str, Any] = {}
    types = {field.name: field.type for field in EVENTS} | dict.fromkeys(
        PRODUCT_COLUMNS | {"order_id"}, pa.string()
    )
    for target, source in mapping.items():
        if source not in raw.column_names:
            header = ", ".join(raw.column_names)
            raise DatasetError(file, f"no such column (the file has: {header})", column=source)
        field = pa.field(source, types[target], nullable=target not in {"product_id", "order_id"})
        columns[target] = conform_column(raw[source], field, file)
    return pa.table(columns)


def _products(rows: pa.Table) -> pa.Table:
    described = [c for c in ("title", "category_path", "brand") if c in rows.column_names]
    first = first_per_group(rows, "product_id", described)
    ids = pc.unique(rows["product_id"]).sort()
    columns: dict[str, Any] = {"product_id": ids, "title": ids}
    for column in described:
        columns[column] = lookup(ids, first, "product_id", column)
    columns["title"] = pc.coalesce(columns["title"], ids)
    if "price" in rows.column_names:
        medians = rows.group_by("product_id").aggregate([("price", "approximate_median")])
        columns["price"] = lookup(ids, medians, "product_id", "price_approximate_median")
    return canonical("products", len(ids), columns)


def _users(rows: pa.Table) -> pa.Table:
    ids = pc.drop_null(pc.unique(rows["user_id"])).sort()
    return canonical("users", len(ids), {"user_id": ids})


def _with_orders(dataset: Dataset, rows: pa.Table) -> Dataset:
    bought = rows.filter(
        pc.and_(pc.is_valid(rows["user_id"]), pc.equal(dataset.events["event_type"], "purchase"))
    )
    bought = bought.sort_by([("order_id", "ascending")])
    firsts = ["user_id", "timestamp"] if "timestamp" in bought.column_names else ["user_id"]
    heads = first_per_group(bought, "order_id", firsts)
    orders = canonical(
        "orders",
        heads.num_rows,
        {
            "order_id": heads["order_id"],
            "user_id": heads["user_id"],
            "created_at": heads["timestamp"] if "timestamp" in heads.column_names else None,
            "status": pa.array(["placed"] * heads.num_rows),
            "currency": pa.array(["EUR"] * heads.num_rows),
        },
    )
    lines = canonical(
        "order_lines",
        bought.num_rows,
        {
            "order_id": bought["order_id"],
            "line_no": line_numbers(bought["order_id"]),
            "product_id": bought["product_id"],
            "quantity": bought["quantity"]
            if "quantity" in bought.column_names
            else pa.array([1] * bought.num_rows),
            "unit_price": bought["price"],
        },
    )
    return Dataset(**{**dataset.__dict__, "orders": orders, "order_lines": lines})
