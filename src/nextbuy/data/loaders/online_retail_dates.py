"""Invoice dates as the Online Retail copies write them: ISO, or the UCI sheet's US style."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from nextbuy.data.format import DatasetError
from nextbuy.data.format.conform import parse_timestamps
from nextbuy.data.format.schemas import UTC_TIMESTAMP

# The UCI sheet saved as CSV by a spreadsheet gives "12/1/2010 8:26" (month first).
US_FORMATS = ("%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S")


def parse_invoice_dates(text: Any, file: str) -> Any:
    """Parse the whole column with the first format that reads every value; UTC (the shop's)."""
    try:
        return parse_timestamps(text)
    except pa.ArrowInvalid:
        pass
    for fmt in US_FORMATS:
        try:
            local = pc.strptime(text, format=fmt, unit="us")
        except pa.ArrowInvalid:
            continue
        return pc.cast(local, UTC_TIMESTAMP)
    row = _first_unreadable(text)
    message = f"cannot read {text[row].as_py()!r} as a date (ISO 8601 or m/d/Y H:M)"
    raise DatasetError(file, message, row=row + 1, column="InvoiceDate")


def _first_unreadable(text: Any) -> int:
    for row, value in enumerate(text.to_pylist()):
        if value is None or not _readable(value):
            return row
    return 0


def _readable(value: str) -> bool:
    single = pa.array([value])
    try:
        parse_timestamps(single)
    except pa.ArrowInvalid:
        pass
    else:
        return True
    for fmt in US_FORMATS:
        try:
            pc.strptime(single, format=fmt, unit="us")
        except pa.ArrowInvalid:
            continue
        return True
    return False
