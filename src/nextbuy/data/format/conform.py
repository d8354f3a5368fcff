"""Bring one column to its canonical Arrow type, or say exactly which row cannot be converted.

Parquet files usually arrive with the right types; CSV files arrive as text. Both go through
the same conversion, so an error reads the same whichever format the user wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

import pyarrow as pa
import pyarrow.compute as pc

from nextbuy.data.format.dataset import DatasetError
from nextbuy.data.format.schemas import EMPTY_OK, UTC_TIMESTAMP, TableSpec

Column: TypeAlias = pa.ChunkedArray
Converter: TypeAlias = Callable[[Column], Column]
# A string that ends in a zone designator; others are taken to be UTC wall time.
_ZONE = r"(Z|[+-]\d\d(:?\d\d)?)$"
_DATE_ONLY = r"^\d{4}-\d\d-\d\d$"


def conform_table(raw: pa.Table, spec: TableSpec, file: str) -> pa.Table:
    """Return ``raw`` with the canonical columns first, converted; extra columns follow as-is."""
    columns: list[Column] = []
    for field in spec.schema:
        if field.name in raw.column_names:
            column = conform_column(raw.column(field.name), field, file)
        elif field.nullable:
            column = pa.chunked_array([pa.nulls(raw.num_rows, field.type)])
        elif field.name in EMPTY_OK:
            column = pa.chunked_array([pa.array([""] * raw.num_rows, pa.string())])
        else:
            header = ", ".join(raw.column_names) or "nothing"
            raise DatasetError(
                file, f"missing required column (the file has: {header})", column=field.name
            )
        columns.append(column)
    extras = [name for name in raw.column_names if name not in spec.schema.names]
    fields = [*spec.schema, *(raw.schema.field(name) for name in extras)]
    return pa.Table.from_arrays(
        [*columns, *(raw.column(name) for name in extras)], schema=pa.schema(fields)
    )


def conform_column(column: Column, field: pa.Field, file: str) -> Column:
    """Convert ``column`` to ``field``'s type; a failure names the first row that fails."""
    convert = _converter(column.type, field.type)
    if convert is None:
        raise DatasetError(
            file, f"has type {column.type}, expected {field.type}", column=field.name
        )
    try:
        result = convert(column)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        row = _first_failing_row(column, convert)
        value = column[row].as_py()
        raise DatasetError(
            file,
            f"cannot read {value!r} as {_describe(field.type)}",
            row=row + 1,
            column=field.name,
        ) from None
    if field.name in EMPTY_OK:
        result = pc.fill_null(result, "")
    if not field.nullable and result.null_count:
        row = pc.index(pc.is_null(result), True).as_py()
        raise DatasetError(file, "empty value in a required column", row=row + 1, column=field.name)
    return result


def parse_timestamps(text: Column) -> Column:
    """ISO 8601 text to UTC timestamps; a value without a zone is taken as UTC."""
    text = pc.utf8_trim_whitespace(text)
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    date_only = pc.match_substring_regex(text, _DATE_ONLY)
    text = pc.if_else(date_only, pc.binary_join_element_wise(text, "T00:00", ""), text)
    zoned = pc.match_substring_regex(text, _ZONE)
    text = pc.if_else(zoned, text, pc.binary_join_element_wise(text, "Z", ""))
    return pc.cast(text, UTC_TIMESTAMP)


def _converter(source: pa.DataType, target: pa.DataType) -> Converter | None:
    if source == target:
        return lambda column: column
    if pa.types.is_null(source):
        return lambda column: pa.chunked_array([pa.nulls(len(column), target)])
    if pa.types.is_string(source) or pa.types.is_large_string(source):
        return _from_text(target)
    if pa.types.is_dictionary(source):
        inner = _converter(source.value_type, target)
        return None if inner is None else (lambda column: inner(pc.cast(column, source.value_type)))
    if pa.types.is_timestamp(target) and (
        pa.types.is_timestamp(source) or pa.types.is_date(source)
    ):
        # Sub-microsecond digits carry no meaning for shop events: truncating them is safe.
        return lambda column: pc.cast(column, target, safe=False)
    if pa.types.is_string(target) and (pa.types.is_integer(source) or pa.types.is_boolean(source)):
        return lambda column: pc.cast(column, target)
    numeric = pa.types.is_integer(source) or pa.types.is_floating(source)
    if numeric and (pa.types.is_integer(target) or pa.types.is_floating(target)):
        return lambda column: pc.cast(column, target)
    return None


def _from_text(target: pa.DataType) -> Converter:
    if pa.types.is_string(target):
        return lambda column: pc.cast(column, target)
    if pa.types.is_timestamp(target):
        return parse_timestamps

    def convert(column: Column) -> Column:
        text = pc.utf8_trim_whitespace(pc.cast(column, pa.string()))
        text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
        if pa.types.is_boolean(target):
            text = pc.utf8_lower(text)
        return pc.cast(text, target)

    return convert


def _first_failing_row(column: Column, convert: Converter) -> int:
    """Bisect to the first row whose conversion fails (the whole column is known to fail)."""
    low, high = 0, len(column)
    while high - low > 1:
        middle = (low + high) // 2
        try:
            convert(column.slice(low, middle - low))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            high = middle
        else:
            low = middle
    return low


def _describe(data_type: pa.DataType) -> str:
    if data_type == UTC_TIMESTAMP:
        return "a date and time (ISO 8601, e.g. 2024-05-01T12:00:00Z)"
    return f"{data_type}"
