"""``read_dataset``: read a dataset folder (Parquet, or CSV with a header) and validate it."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from nextbuy.data.format.conform import conform_table
from nextbuy.data.format.dataset import Dataset, DatasetError, Manifest
from nextbuy.data.format.schemas import TABLES, TableSpec
from nextbuy.data.format.validation import validate_tables

MANIFEST = "manifest.json"
_SUFFIXES = (".parquet", ".csv", ".csv.gz")


def read_dataset(directory: Path | str) -> Dataset:
    """Read and validate a dataset folder; raise ``DatasetError`` naming file, row and column."""
    directory = Path(directory)
    if not directory.is_dir():
        raise DatasetError(str(directory), "no such dataset folder")
    manifest = read_manifest(directory)
    tables: dict[str, pa.Table] = {}
    files: dict[str, str] = {}
    for name, spec in TABLES.items():
        path = _find_table_file(directory, name)
        if path is None:
            continue
        files[name] = path.name
        tables[name] = conform_table(_read_raw(path, spec), spec, path.name)
    validate_tables(tables, files)
    for name, expected in manifest.counts.items():
        found = tables[name].num_rows if name in tables else 0
        if found != expected:
            message = (
                f"counts say {expected:,} {name} rows but {files.get(name, name)} has {found:,}"
            )
            raise DatasetError(MANIFEST, message, column="counts")
    return Dataset(manifest=manifest, **tables)


def read_manifest(directory: Path) -> Manifest:
    path = directory / MANIFEST
    if not path.is_file():
        raise DatasetError(str(path), "missing: every dataset folder has a manifest.json")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DatasetError(MANIFEST, f"not valid UTF-8 JSON: {error}") from None
    return Manifest.from_json(data)


def _find_table_file(directory: Path, name: str) -> Path | None:
    found = [directory / f"{name}{suffix}" for suffix in _SUFFIXES]
    present = [path for path in found if path.is_file()]
    if len(present) > 1:
        names = " and ".join(path.name for path in present)
        raise DatasetError(names, "the same table is given twice; keep one file")
    return present[0] if present else None


def _read_raw(path: Path, spec: TableSpec) -> pa.Table:
    if path.suffix == ".parquet":
        try:
            return pq.read_table(path)
        except (pa.ArrowInvalid, OSError) as error:
            raise DatasetError(path.name, f"not a readable Parquet file: {error}") from None
    return read_text_table(path, {field.name: pa.string() for field in spec.schema})


def read_text_table(
    path: Path,
    column_types: dict[str, pa.DataType] | None = None,
    *,
    delimiter: str = ",",
    encoding: str = "utf8",
    column_names: list[str] | None = None,
    skip_rows: int = 0,
    quoted: bool = True,
) -> pa.Table:
    """Read a delimited text file; every column named in ``column_types`` as given.

    The first line is the header unless ``column_names`` are given. Bytes that are not valid
    in ``encoding`` are reported with their line, not as a generic Arrow conversion error.
    """
    read_options = pacsv.ReadOptions(
        encoding=encoding, block_size=1 << 24, column_names=column_names, skip_rows=skip_rows
    )
    try:
        return pacsv.read_csv(
            path,
            read_options=read_options,
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, quote_char='"' if quoted else False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=column_types or {}, strings_can_be_null=True, null_values=[""]
            ),
        )
    except pa.ArrowInvalid as error:
        text = str(error)
        if "UTF8" in text or "utf-8" in text.lower():
            line = _first_undecodable_line(path)
            message = f"is not valid UTF-8 (line {line}); re-save it as UTF-8"
            row = line - skip_rows if column_names else max(line - 1, 0)
            raise DatasetError(path.name, message, row=row) from None
        raise DatasetError(path.name, f"cannot be read as CSV: {text}") from None


def _first_undecodable_line(path: Path) -> int:
    import gzip

    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 0
