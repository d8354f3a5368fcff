"""RetailRocket → view / add-to-cart / purchase events, with category paths from the tree.

Download: https://www.kaggle.com/datasets/retailrocket/ecommerce-dataset (events.csv,
item_properties_part1.csv, item_properties_part2.csv, category_tree.csv). The loader also
reads the shared smoke-test layout: ``sample_retailrocket.csv`` (tab-separated, no event type:
every row is a ``view``) with ``item_category.csv``. Items have no titles or prices in this
data set: a product's title is "item <id>", its category path the category ids from the root,
and no orders are made (transactions carry no prices); purchases are events.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from nextbuy.data.format import Dataset, DatasetError, Manifest
from nextbuy.data.format.conform import conform_column
from nextbuy.data.loaders._tables import canonical, lookup
from nextbuy.data.loaders._text import read_delimited
from nextbuy.data.loaders.retailrocket_items import item_categories

EVENT_TYPES = {"view": "view", "addtocart": "add_to_cart", "transaction": "purchase"}


def load(path: Path | str) -> Dataset:
    """Read a RetailRocket folder: the full Kaggle layout, or the shared sample layout."""
    folder = Path(path)
    if (folder / "events.csv").is_file():
        events, notes = _full_events(folder / "events.csv"), ("full Kaggle layout",)
    elif (folder / "sample_retailrocket.csv").is_file():
        events = _sample_events(folder / "sample_retailrocket.csv")
        notes = ("sample layout without event types: every row is a view",)
    else:
        raise DatasetError(str(folder), "expected events.csv or sample_retailrocket.csv")
    items = pc.unique(events["product_id"]).sort()
    categories = item_categories(folder, items)
    products = canonical(
        "products",
        len(items),
        {
            "product_id": items,
            "title": pc.binary_join_element_wise("item ", items, ""),
            "category_path": lookup(items, categories, "item", "path"),
        },
    )
    manifest = Manifest(
        name="retailrocket",
        source="RetailRocket e-commerce dataset (CC BY-NC-SA 4.0)",
        notes=(*notes, "no titles, prices or orders in the source"),
    )
    return Dataset(products=products, events=events, manifest=manifest)


def _milliseconds(column: pa.ChunkedArray, file: str) -> pa.ChunkedArray:
    millis = conform_column(column, pa.field("timestamp", pa.int64(), nullable=False), file)
    return pc.cast(pc.multiply(millis, 1000), pa.timestamp("us", tz="UTC"))


def _full_events(file: Path) -> pa.Table:
    names = ["timestamp", "visitorid", "event", "itemid", "transactionid"]
    raw = read_delimited(file, names, separator=",", header=True)
    unknown = pc.invert(pc.is_in(raw["event"], value_set=pa.array(list(EVENT_TYPES))))
    row = pc.index(unknown, True).as_py()
    if row is not None and row >= 0:
        value = raw["event"][row].as_py()
        raise DatasetError(file.name, f"unknown event {value!r}", row=row + 1, column="event")
    kinds = pc.replace_substring_regex(raw["event"], "^addtocart$", "add_to_cart")
    kinds = pc.replace_substring_regex(kinds, "^transaction$", "purchase")
    return _events(
        raw["visitorid"], None, raw["itemid"], kinds, _milliseconds(raw["timestamp"], file.name)
    )


def _sample_events(file: Path) -> pa.Table:
    names = ["timestamp", "user_id", "item_id", "session_id"]
    raw = read_delimited(file, names, separator="\t", header=True)
    seconds = conform_column(raw["timestamp"], pa.field("t", pa.int64(), nullable=False), file.name)
    times = pc.cast(pc.multiply(seconds, 1_000_000), pa.timestamp("us", tz="UTC"))
    views = pa.array(["view"] * raw.num_rows)
    return _events(raw["user_id"], raw["session_id"], raw["item_id"], views, times)


def _events(
    users: object, sessions: object, items: object, kinds: object, times: object
) -> pa.Table:
    columns = {"user_id": users, "product_id": items, "event_type": kinds, "timestamp": times}
    if sessions is not None:
        columns["session_id"] = sessions
    table = canonical("events", len(items), columns)  # type: ignore[arg-type]
    return table.sort_by([("timestamp", "ascending")])
