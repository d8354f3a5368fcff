"""The canonical tables: their Arrow schemas, ids, references and allowed values.

One place says what a valid dataset is, so the reader, the writer, every loader and the
generator agree by construction. ``docs/data-format.md`` is the prose version of this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

FORMAT_NAME = "nextbuy-dataset"
FORMAT_VERSION = 1
UTC_TIMESTAMP = pa.timestamp("us", tz="UTC")

EVENT_TYPES = (
    "view",
    "add_to_cart",
    "remove_from_cart",
    "purchase",
    "rating",
    "recommendation_impression",
    "recommendation_click",
)
ORDER_STATUSES = ("placed", "paid", "shipped", "delivered", "cancelled", "returned")
# The User Profile service's enumerations: a dataset that uses others could not be seeded.
AGE_BANDS = ("<18", "18-24", "25-34", "35-44", "45-54", "55-64", "65+")
GENDERS = ("female", "male", "other", "unknown")
PRICE_BANDS = ("budget", "mid", "premium")
# The services' identifier rule (nextbuy.contracts.common.Identifier), checked here so that any
# valid dataset can be seeded.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}$"
COUNTRY_PATTERN = r"^[A-Z]{2}$"
# Required text columns where an empty value is meaningful (no description, no category).
EMPTY_OK = frozenset({"description", "category_path", "favourite_categories"})
CURRENCY_PATTERN = r"^[A-Z]{3}$"


def _s(name: str, nullable: bool = False) -> pa.Field:
    return pa.field(name, pa.string(), nullable=nullable)


def _ts(name: str, nullable: bool = True) -> pa.Field:
    return pa.field(name, UTC_TIMESTAMP, nullable=nullable)


EVENTS = pa.schema(
    [
        _s("user_id", nullable=True),
        _s("session_id", nullable=True),
        _s("product_id"),
        _s("event_type"),
        _ts("timestamp"),
        pa.field("quantity", pa.int32(), nullable=False),
        pa.field("price", pa.float64()),
        pa.field("value", pa.float32()),
    ]
)
PRODUCTS = pa.schema(
    [
        _s("product_id"),
        _s("sku", nullable=True),
        _s("title"),
        _s("description"),
        _s("category_path"),
        _s("brand", nullable=True),
        pa.field("price", pa.float64()),
        _s("currency", nullable=True),
        _s("image_url", nullable=True),
        pa.field("active", pa.bool_(), nullable=False),
        _ts("created_at"),
    ]
)
USERS = pa.schema(
    [
        _s("user_id"),
        _ts("created_at"),
        _s("age_band", nullable=True),
        _s("gender", nullable=True),
        _s("country", nullable=True),
        _s("city", nullable=True),
        _s("favourite_categories"),
        _s("price_band", nullable=True),
    ]
)
ORDERS = pa.schema(
    [
        _s("order_id"),
        _s("user_id"),
        _ts("created_at", nullable=False),
        _s("status"),
        _s("currency"),
    ]
)
ORDER_LINES = pa.schema(
    [
        _s("order_id"),
        pa.field("line_no", pa.int32(), nullable=False),
        _s("product_id"),
        pa.field("quantity", pa.int32(), nullable=False),
        pa.field("unit_price", pa.float64(), nullable=False),
    ]
)
INVENTORY = pa.schema(
    [
        _s("product_id"),
        pa.field("available", pa.int64(), nullable=False),
        pa.field("reserved", pa.int64(), nullable=False),
    ]
)


@dataclass(frozen=True, slots=True)
class TableSpec:
    """What the reader checks for one table beyond its column types."""

    name: str
    schema: pa.Schema
    required: bool
    unique: tuple[str, ...] = ()
    id_columns: tuple[str, ...] = ()
    allowed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    patterns: dict[str, str] = field(default_factory=dict)
    minimums: dict[str, int] = field(default_factory=dict)

    @property
    def file_name(self) -> str:
        return f"{self.name}.parquet"


TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "products",
            PRODUCTS,
            required=True,
            unique=("product_id",),
            id_columns=("product_id",),
            patterns={"currency": CURRENCY_PATTERN},
        ),
        TableSpec(
            "users",
            USERS,
            required=False,
            unique=("user_id",),
            id_columns=("user_id",),
            allowed={"age_band": AGE_BANDS, "gender": GENDERS, "price_band": PRICE_BANDS},
            patterns={"country": COUNTRY_PATTERN},
        ),
        TableSpec(
            "events",
            EVENTS,
            required=True,
            allowed={"event_type": EVENT_TYPES},
            minimums={"quantity": 1},
        ),
        TableSpec(
            "orders",
            ORDERS,
            required=False,
            unique=("order_id",),
            id_columns=("order_id", "user_id"),
            allowed={"status": ORDER_STATUSES},
            patterns={"currency": CURRENCY_PATTERN},
        ),
        TableSpec(
            "order_lines",
            ORDER_LINES,
            required=False,
            unique=("order_id", "line_no"),
            minimums={"quantity": 1, "unit_price": 0, "line_no": 1},
        ),
        TableSpec(
            "inventory",
            INVENTORY,
            required=False,
            unique=("product_id",),
            minimums={"available": 0, "reserved": 0},
        ),
    )
}
"""Every table, in the order they are checked and written (referenced tables first)."""

# (table, column) -> (referenced table, its key column). A reference to a table that is absent
# is checked only for products, which is always present.
REFERENCES: dict[tuple[str, str], tuple[str, str]] = {
    ("events", "product_id"): ("products", "product_id"),
    ("events", "user_id"): ("users", "user_id"),
    ("orders", "user_id"): ("users", "user_id"),
    ("order_lines", "order_id"): ("orders", "order_id"),
    ("order_lines", "product_id"): ("products", "product_id"),
    ("inventory", "product_id"): ("products", "product_id"),
}
