"""Reading the text layouts of older datasets: '::' separators, Latin-1, no header."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from nextbuy.data.format import DatasetError, read_text_table


def read_delimited(
    path: Path,
    names: list[str],
    *,
    separator: str,
    encoding: str = "utf-8",
    header: bool = False,
    quoted: bool = False,
) -> pa.Table:
    """Every column as text, named ``names``. Unless ``quoted``, quotes are data (titles such
    as ``"Great" Escape`` in the .dat layouts)."""
    if not path.is_file():
        raise DatasetError(str(path), "file not found")
    if len(separator) == 1:
        table = read_text_table(
            path,
            dict.fromkeys(names, pa.string()),
            delimiter=separator,
            encoding=encoding,
            column_names=names,
            skip_rows=1 if header else 0,
            quoted=quoted,
        )
        return table
    return _read_multi_character(path, names, separator, encoding)


def _read_multi_character(path: Path, names: list[str], separator: str, encoding: str) -> pa.Table:
    raw = gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise DatasetError(path.name, f"is not valid {encoding} (line {line})", row=line) from None
    # Arrow splits on one character; the 1M layout uses '::', which no title contains.
    try:
        return pacsv.read_csv(
            pa.BufferReader(text.replace(separator, "\x1f").encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(delimiter="\x1f", quote_char=False),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string())),
        )
    except pa.ArrowInvalid as error:
        raise DatasetError(path.name, f"unexpected layout: {error}") from None
