"""UCI Online Retail (I and II) → orders, order lines and purchase events.

Download: https://archive.ics.uci.edu/dataset/352/online+retail (I) and
https://archive.ics.uci.edu/dataset/502/online+retail+ii (II); save the sheet(s) as CSV
(optionally gzipped). Rules, also in docs/data-format.md:

- an invoice is an order, each of its lines an order line and a ``purchase`` event;
- cancellations (invoice numbers starting with ``C``) and lines with quantity ≤ 0 (stock
  write-offs) are dropped: a credit note does not say which earlier invoice it cancels;
- non-merchandise codes (postage, discounts, fees, manual entries, gift vouchers) are dropped;
- lines above the services' 10,000-unit limit are dropped (the data set's two known
  mistaken orders, each cancelled minutes later);
- lines without a CustomerID become anonymous ``purchase`` events keyed by invoice
  (``session_id``) and make no order: the Order History service keeps orders per user.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from nextbuy.data.format import Dataset, DatasetError, Manifest, read_text_table
from nextbuy.data.format.conform import conform_column
from nextbuy.data.loaders._countries import COUNTRY_CODES
from nextbuy.data.loaders._tables import (
    canonical,
    first_per_group,
    line_numbers,
    lookup,
    most_frequent,
    rename_columns,
)
from nextbuy.data.loaders.online_retail_dates import parse_invoice_dates

ALIASES = {
    "invoice": ("InvoiceNo", "Invoice"),
    "code": ("StockCode",),
    "description": ("Description",),
    "quantity": ("Quantity",),
    "date": ("InvoiceDate",),
    "price": ("UnitPrice", "Price"),
    "customer": ("CustomerID", "Customer ID"),
    "country": ("Country",),
}
NON_MERCHANDISE = frozenset(
    {"POST", "DOT", "C2", "D", "M", "m", "S", "B", "CRUK", "PADS", "AMAZONFEE", "BANK CHARGES"}
)
MAX_LINE_QUANTITY = 10_000
CURRENCY = "GBP"


def load(path: Path | str) -> Dataset:
    """Read an Online Retail CSV (or a folder holding one) into the canonical format."""
    file = _locate(Path(path))
    rows = _read(file)
    keep, notes = _classify(rows)
    sold = rows.filter(keep)
    products = _products(rows.filter(pc.invert(_non_merchandise(rows["code"]))), sold)
    known = sold.filter(pc.is_valid(sold["customer"]))
    orders = first_per_group(known, "invoice", ["customer", "date"])
    lines = known.sort_by([("invoice", "ascending")])
    return Dataset(
        products=products,
        events=_events(sold),
        users=_users(known),
        orders=canonical(
            "orders",
            orders.num_rows,
            {
                "order_id": orders["invoice"],
                "user_id": orders["customer"],
                "created_at": orders["date"],
                "status": pa.array(["delivered"] * orders.num_rows),
                "currency": pa.array([CURRENCY] * orders.num_rows),
            },
        ),
        order_lines=canonical(
            "order_lines",
            lines.num_rows,
            {
                "order_id": lines["invoice"],
                "line_no": line_numbers(lines["invoice"]),
                "product_id": lines["code"],
                "quantity": lines["quantity"],
                "unit_price": lines["price"],
            },
        ),
        manifest=Manifest(
            name="online-retail", source=f"UCI Online Retail: {file.name}", notes=notes
        ),
    )


def _locate(path: Path) -> Path:
    if path.is_file():
        return path
    candidates = sorted(path.glob("*.csv")) + sorted(path.glob("*.csv.gz")) if path.is_dir() else []
    if len(candidates) != 1:
        raise DatasetError(str(path), "expected one Online Retail .csv or .csv.gz file")
    return candidates[0]


def _read(file: Path) -> pa.Table:
    text = read_text_table(
        file, {name: pa.string() for names in ALIASES.values() for name in names}
    )
    rows = rename_columns(text, ALIASES, file.name)
    fields = {
        "quantity": pa.field("Quantity", pa.int32(), False),
        "price": pa.field("UnitPrice", pa.float64(), False),
    }
    converted = {
        name: conform_column(rows[name], field, file.name) for name, field in fields.items()
    }
    return (
        rows.set_column(3, "quantity", converted["quantity"])
        .set_column(5, "price", converted["price"])
        .set_column(4, "date", parse_invoice_dates(rows["date"], file.name))
    )


def _non_merchandise(codes: pa.ChunkedArray) -> pa.ChunkedArray:
    listed = pc.is_in(codes, value_set=pa.array(sorted(NON_MERCHANDISE)))
    return pc.or_(listed, pc.starts_with(codes, "gift_"))


def _classify(rows: pa.Table) -> tuple[pa.ChunkedArray, tuple[str, ...]]:
    """Which lines are sales, and a note counting each kind of line that is not."""
    rules = {
        "cancellation lines (invoice starts with C)": pc.starts_with(rows["invoice"], "C"),
        "non-merchandise lines (postage, fees, discounts, vouchers)": _non_merchandise(
            rows["code"]
        ),
        "lines with quantity ≤ 0 (write-offs)": pc.less_equal(rows["quantity"], 0),
        f"lines above {MAX_LINE_QUANTITY:,} units": pc.greater(rows["quantity"], MAX_LINE_QUANTITY),
        "lines with a negative price": pc.less(rows["price"], 0),
    }
    dropped = pa.chunked_array([pa.array([False] * rows.num_rows)])
    notes = [f"{rows.num_rows:,} input lines"]
    for label, rule in rules.items():
        newly = pc.and_(rule, pc.invert(dropped))
        notes.append(f"dropped {pc.sum(newly).as_py() or 0:,} {label}")
        dropped = pc.or_(dropped, rule)
    anonymous = pc.and_(pc.invert(dropped), pc.is_null(rows["customer"]))
    notes.append(
        f"{pc.sum(anonymous).as_py() or 0:,} lines without CustomerID kept as anonymous sessions"
    )
    return pc.invert(dropped), tuple(notes)


def _products(merchandise: pa.Table, sold: pa.Table) -> pa.Table:
    codes = pc.unique(merchandise["code"]).sort()
    titles = lookup(codes, most_frequent(merchandise, "code", "description"), "code", "description")
    prices = sold.group_by("code").aggregate([("price", "approximate_median"), ("date", "min")])
    return canonical(
        "products",
        len(codes),
        {
            "product_id": codes,
            "sku": codes,
            "title": pc.coalesce(pc.utf8_trim_whitespace(titles), codes),
            "price": pc.round(lookup(codes, prices, "code", "price_approximate_median"), 2),
            "currency": pa.array([CURRENCY] * len(codes)),
            "created_at": lookup(codes, prices, "code", "date_min"),
        },
    )


def _users(known: pa.Table) -> pa.Table:
    first = first_per_group(known.sort_by([("date", "ascending")]), "customer", ["date"])
    country = lookup(
        first["customer"], most_frequent(known, "customer", "country"), "customer", "country"
    )
    codes = pa.array([COUNTRY_CODES.get(name) for name in country.to_pylist()], pa.string())
    return canonical(
        "users",
        first.num_rows,
        {"user_id": first["customer"], "created_at": first["date"], "country": codes},
    )


def _events(sold: pa.Table) -> pa.Table:
    ordered = sold.sort_by([("date", "ascending")])
    return canonical(
        "events",
        ordered.num_rows,
        {
            "user_id": ordered["customer"],
            "session_id": ordered["invoice"],
            "product_id": ordered["code"],
            "event_type": pa.array(["purchase"] * ordered.num_rows),
            "timestamp": ordered["date"],
            "quantity": ordered["quantity"],
            "price": ordered["price"],
        },
    )
