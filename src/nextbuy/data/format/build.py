"""Build a canonical table from the columns a source has; defaults fill in the rest."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nextbuy.data.format.schemas import TABLES


def canonical(name: str, num_rows: int, columns: Mapping[str, Any]) -> pa.Table:
    """A table of canonical table ``name``: given columns, defaults for the rest, extras last.

    Defaults: null for nullable columns, "" for text that may be empty, ``True`` for ``active``,
    1 for ``quantity``.
    """
    schema = TABLES[name].schema
    arrays: list[Any] = []
    for field in schema:
        if field.name in columns and field.name in _DEFAULTS:
            array = _as_array(columns[field.name], field.type)
            arrays.append(pc.fill_null(array, _DEFAULTS[field.name]))
        elif field.name in columns:
            arrays.append(_as_array(columns[field.name], field.type))
        elif field.nullable:
            arrays.append(pa.nulls(num_rows, field.type))
        else:
            arrays.append(pa.array(np.full(num_rows, _DEFAULTS[field.name]), field.type))
    extras = [key for key in columns if key not in schema.names]
    fields = [*schema, *(pa.field(key, pa.string()) for key in extras)]
    arrays += [_as_array(columns[key], pa.string()) for key in extras]
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


_DEFAULTS: dict[str, Any] = {
    "description": "",
    "category_path": "",
    "favourite_categories": "",
    "active": True,
    "quantity": 1,
}


def _as_array(values: Any, data_type: pa.DataType) -> Any:
    if isinstance(values, pa.ChunkedArray | pa.Array):
        return pc.cast(values, data_type)
    return pa.array(values, data_type)
