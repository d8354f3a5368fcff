"""RetailRocket item → category path, from item properties (full layout) or item_category.csv."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from nextbuy.data.format import DatasetError
from nextbuy.data.loaders._text import read_delimited

PROPERTY_FILES = ("item_properties_part1.csv", "item_properties_part2.csv")


def item_categories(folder: Path, items: pa.Array) -> pa.Table:
    """``item``, ``path`` for the given items; items with no known category get ""."""
    tree = _category_paths(folder / "category_tree.csv")
    if (folder / "item_category.csv").is_file():
        names = ["item", "category", "parent"]
        pairs = read_delimited(folder / "item_category.csv", names, separator=",", header=True)
        pairs = pairs.select(["item", "category"])
    else:
        pairs = _latest_categories([folder / name for name in PROPERTY_FILES])
    pairs = pairs.filter(pc.is_in(pairs["item"], value_set=items))
    paths = [tree.get(category or "", "") for category in pairs["category"].to_pylist()]
    return pa.table({"item": pairs["item"], "path": pa.array(paths, pa.string())})


def _category_paths(file: Path) -> dict[str, str]:
    """Each category's ids from its root down to itself, '/'-joined."""
    if not file.is_file():
        return {}
    tree = read_delimited(file, ["category", "parent"], separator=",", header=True)
    parent = dict(zip(tree["category"].to_pylist(), tree["parent"].to_pylist(), strict=True))
    paths: dict[str, str] = {}
    for category in parent:
        chain: list[str] = []
        node: str | None = category
        while node is not None and node not in chain and len(chain) < 32:
            chain.append(node)
            node = parent.get(node)
        paths[category] = "/".join(reversed(chain))
    return paths


def _latest_categories(files: list[Path]) -> pa.Table:
    """The last ``categoryid`` property of each item, read in batches (the files are large)."""
    present = [file for file in files if file.is_file()]
    if not present:
        return pa.table({"item": pa.array([], pa.string()), "category": pa.array([], pa.string())})
    batches = []
    for file in present:
        options = pacsv.ConvertOptions(column_types=dict.fromkeys(["itemid", "value"], pa.string()))
        try:
            reader = pacsv.open_csv(file, convert_options=options)
            for batch in reader:
                keep = pc.equal(batch.column("property"), "categoryid")
                batches.append(pa.Table.from_batches([batch]).filter(keep))
        except pa.ArrowInvalid as error:
            raise DatasetError(file.name, f"cannot be read as CSV: {error}") from None
    rows = pa.concat_tables(batches).sort_by([("timestamp", "descending")])
    latest = rows.group_by("itemid", use_threads=False).aggregate([("value", "first")])
    return pa.table({"item": latest["itemid"], "category": latest["value_first"]})
