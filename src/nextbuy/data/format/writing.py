"""``write_dataset`` and ``DatasetWriter``: a dataset appears complete or not at all.

Tables are written into a hidden folder beside the destination and renamed into place when
the last byte is on disk, so an interrupted or failed write leaves the destination untouched.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path
from types import TracebackType

import pyarrow as pa
import pyarrow.parquet as pq

from nextbuy.data.format.conform import conform_table
from nextbuy.data.format.dataset import Dataset, DatasetError, Manifest
from nextbuy.data.format.reading import MANIFEST
from nextbuy.data.format.schemas import TABLES
from nextbuy.data.format.validation import validate_tables

COMPRESSION = "zstd"


def write_dataset(dataset: Dataset, out_dir: Path | str) -> Path:
    """Validate ``dataset`` and write it to ``out_dir`` atomically; return the folder."""
    tables = {
        name: conform_table(table, TABLES[name], TABLES[name].file_name)
        for name, table in dataset.tables().items()
    }
    validate_tables(tables, {name: TABLES[name].file_name for name in tables})
    with DatasetWriter(Path(out_dir), dataset.manifest) as writer:
        for name, table in tables.items():
            writer.append(name, table)
    return Path(out_dir)


class DatasetWriter:
    """Write tables chunk by chunk (``append``); commit on a clean exit, discard on an error.

    Callers that stream (the generator) are responsible for the references between chunks;
    ``write_dataset`` validates a whole in-memory dataset first.
    """

    def __init__(self, out_dir: Path, manifest: Manifest) -> None:
        self.out_dir = out_dir
        self.manifest = manifest
        self.staging = out_dir.parent / f".{out_dir.name}.partial-{uuid.uuid4().hex[:8]}"
        self._writers: dict[str, pq.ParquetWriter] = {}
        self.counts: dict[str, int] = {}

    def __enter__(self) -> DatasetWriter:
        _refuse_to_clobber(self.out_dir)
        self.staging.mkdir(parents=True)
        return self

    def append(self, name: str, table: pa.Table) -> None:
        writer = self._writers.get(name)
        if writer is None:
            path = self.staging / TABLES[name].file_name
            writer = pq.ParquetWriter(path, table.schema, compression=COMPRESSION)
            self._writers[name] = writer
        writer.write_table(table)
        self.counts[name] = self.counts.get(name, 0) + table.num_rows

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for writer in self._writers.values():
            writer.close()
        if exc_type is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            return
        try:
            self._commit()
        except BaseException:
            shutil.rmtree(self.staging, ignore_errors=True)
            raise

    def _commit(self) -> None:
        manifest = self.manifest.to_json() | {"counts": dict(self.counts)}
        (self.staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
        previous = self.out_dir.parent / f".{self.out_dir.name}.old-{uuid.uuid4().hex[:8]}"
        if self.out_dir.exists():
            os.replace(self.out_dir, previous)
        os.replace(self.staging, self.out_dir)
        shutil.rmtree(previous, ignore_errors=True)


def _refuse_to_clobber(out_dir: Path) -> None:
    """Replace an earlier dataset or an empty folder; never a folder of someone else's files."""
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MANIFEST).is_file():
        raise DatasetError(str(out_dir), "exists and is not a Nextbuy dataset; not overwriting it")
    if out_dir.exists() and not out_dir.is_dir():
        raise DatasetError(str(out_dir), "exists and is not a folder")
