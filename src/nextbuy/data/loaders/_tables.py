"""Building blocks the loaders share: column checks, timestamps, grouping, lookups."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nextbuy.data.format import DatasetError
from nextbuy.data.format.build import canonical
from nextbuy.data.format.schemas import UTC_TIMESTAMP

__all__ = ["canonical", "first_per_group", "line_numbers", "lookup", "most_frequent"]


def require_file(directory: Path, *names: str) -> Path:
    """The first of ``names`` that exists in ``directory``, or a clear error listing them."""
    for name in names:
        if (directory / name).is_file():
            return directory / name
    raise DatasetError(str(directory), f"expected one of: {', '.join(names)}")


def rename_columns(table: pa.Table, aliases: Mapping[str, Sequence[str]], file: str) -> pa.Table:
    """Give each canonical column the name of the first alias the file uses."""
    columns: dict[str, Any] = {}
    for name, candidates in aliases.items():
        found = next((c for c in candidates if c in table.column_names), None)
        if found is None:
            header = ", ".join(table.column_names)
            message = f"missing column (expected one of {', '.join(candidates)}; found {header})"
            raise DatasetError(file, message, column=candidates[0])
        columns[name] = table[found]
    return pa.table(columns)


def seconds_to_timestamps(seconds: Any) -> Any:
    """Unix seconds (an integer column) to UTC timestamps."""
    micros = pc.multiply(pc.cast(seconds, pa.int64()), 1_000_000)
    return pc.cast(micros, UTC_TIMESTAMP)


def first_per_group(table: pa.Table, key: str, values: Iterable[str]) -> pa.Table:
    """The first row's ``values`` for each ``key``, in the table's order (single-threaded)."""
    aggregations = [(value, "first") for value in values]
    grouped = table.group_by(key, use_threads=False).aggregate(aggregations)
    # Name columns explicitly: pyarrow versions disagree on where the key column goes.
    return pa.table({key: grouped[key], **{v: grouped[f"{v}_first"] for v, _ in aggregations}})


def most_frequent(table: pa.Table, key: str, value: str) -> pa.Table:
    """For each ``key``, its most frequent non-null ``value`` (ties: the smallest value)."""
    present = table.select([key, value]).filter(pc.is_valid(table[value]))
    counts = present.group_by([key, value]).aggregate([(value, "count")])
    order = [(key, "ascending"), (f"{value}_count", "descending"), (value, "ascending")]
    return first_per_group(counts.sort_by(order), key, [value])


def line_numbers(keys: Any) -> Any:
    """1, 2, 3… within each run of equal ``keys`` (the table is grouped by key already)."""
    codes = pc.dictionary_encode(keys).combine_chunks().indices.to_numpy(zero_copy_only=False)
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    run_lengths = np.diff(np.r_[starts, len(codes)])
    positions = np.arange(len(codes)) - np.repeat(starts, run_lengths)
    return pa.array(positions + 1, pa.int32())


def lookup(keys: Any, table: pa.Table, key: str, value: str) -> Any:
    """``table[value]`` for each of ``keys`` (null where the key is absent)."""
    positions = pc.index_in(keys, value_set=table[key].combine_chunks())
    return pc.take(table[value], positions)
