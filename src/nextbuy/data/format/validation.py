"""Checks a dataset's values once its columns have the canonical types.

Column types are checked by ``conform``; this module checks what types cannot say: allowed
values, ids, uniqueness, and that every reference points at a row that exists. Each check is
one vectorised pass, so validating 20 million events takes seconds.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nextbuy.data.format.dataset import DatasetError
from nextbuy.data.format.schemas import ID_PATTERN, REFERENCES, TABLES, TableSpec


def validate_tables(tables: Mapping[str, pa.Table], files: Mapping[str, str]) -> None:
    """Raise ``DatasetError`` at the first invalid value; ``files`` names each table's file."""
    for name, spec in TABLES.items():
        if name not in tables:
            if spec.required:
                raise DatasetError(files.get(name, spec.file_name), "required table is missing")
            continue
        _check_values(tables[name], spec, files.get(name, spec.file_name))
    if "order_lines" in tables and "orders" not in tables:
        raise DatasetError(files["order_lines"], "order lines need an orders table")
    _check_references(tables, files)


def _check_values(table: pa.Table, spec: TableSpec, file: str) -> None:
    for column, allowed in spec.allowed.items():
        known = pc.is_in(table[column], value_set=pa.array(allowed))
        bad = pc.and_(pc.invert(known), pc.is_valid(table[column]))
        _raise_at_first(table, bad, file, column, f"must be one of {', '.join(allowed)}")
    for column, pattern in spec.patterns.items():
        bad = pc.invert(pc.match_substring_regex(table[column], pattern))
        _raise_at_first(table, bad, file, column, f"does not match {pattern}")
    for column in spec.id_columns:
        bad = pc.invert(pc.match_substring_regex(table[column], ID_PATTERN))
        message = "is not a valid id (1-64 letters, digits, '_', '.', ':' or '-')"
        _raise_at_first(table, bad, file, column, message)
    for column, minimum in spec.minimums.items():
        _raise_at_first(
            table, pc.less(table[column], minimum), file, column, f"must be ≥ {minimum}"
        )
    if spec.unique:
        _check_unique(table, spec.unique, file)
    if spec.name == "events":
        anonymous = pc.and_(pc.is_null(table["user_id"]), pc.is_null(table["session_id"]))
        _raise_at_first(table, anonymous, file, "user_id", "neither user_id nor session_id is set")
    if spec.name == "inventory":
        over = pc.greater(table["reserved"], table["available"])
        _raise_at_first(table, over, file, "reserved", "reserved exceeds available")


def _check_unique(table: pa.Table, columns: tuple[str, ...], file: str) -> None:
    key = table[columns[0]]
    if len(columns) > 1:
        parts = [pc.cast(table[c], pa.string()) for c in columns]
        key = pc.binary_join_element_wise(*parts, "\x1f")
    if pc.count_distinct(key).as_py() == len(key):
        return
    # The first row whose key was already seen: dictionary indices give each key a number.
    codes = pc.dictionary_encode(key).combine_chunks().indices.to_numpy(zero_copy_only=False)

    _, first_seen = np.unique(codes, return_index=True)
    repeated = np.ones(len(codes), dtype=bool)
    repeated[first_seen] = False
    row = int(np.flatnonzero(repeated)[0])
    value = " / ".join(str(table[c][row].as_py()) for c in columns)
    raise DatasetError(file, f"duplicate id {value!r}", row=row + 1, column=", ".join(columns))


def _check_references(tables: Mapping[str, pa.Table], files: Mapping[str, str]) -> None:
    for (name, column), (target, key) in REFERENCES.items():
        if name not in tables or target not in tables:
            continue
        values = tables[name][column]
        known = pc.is_in(values, value_set=tables[target][key].combine_chunks())
        bad = pc.and_(pc.invert(known), pc.is_valid(values))
        file = files.get(name, TABLES[name].file_name)
        target_file = files.get(target, TABLES[target].file_name)
        _raise_at_first(tables[name], bad, file, column, f"not found in {target_file}")


def _raise_at_first(
    table: pa.Table, bad: pa.ChunkedArray | pa.Array, file: str, column: str, message: str
) -> None:
    """Nulls in ``bad`` mean "no value to check" and pass."""
    row = pc.index(pc.fill_null(bad, False), True).as_py()
    if row is None or row < 0:
        return
    value = table[column][row].as_py()
    raise DatasetError(file, f"{value!r} {message}", row=row + 1, column=column)
