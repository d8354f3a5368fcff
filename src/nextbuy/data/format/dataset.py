"""A dataset in memory: one Arrow table per canonical table, plus its manifest."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from nextbuy.data.format.schemas import FORMAT_NAME, FORMAT_VERSION, TABLES


class DatasetError(ValueError):
    """A dataset is not valid: the message names the file, the row and the column."""

    def __init__(
        self, file: str, message: str, *, row: int | None = None, column: str | None = None
    ) -> None:
        self.file, self.row, self.column, self.reason = file, row, column, message
        where = [file]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {message}")


@dataclass(frozen=True)
class Manifest:
    """``manifest.json``: where the data came from. Counts are computed when it is written."""

    name: str
    source: str
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    notes: tuple[str, ...] = ()
    parameters: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "name": self.name,
            "source": self.source,
            "created_at": self.created_at.isoformat(),
            "counts": self.counts,
            "notes": list(self.notes),
            "parameters": self.parameters,
        }

    @classmethod
    def from_json(cls, data: Any, file: str = "manifest.json") -> Manifest:
        if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
            raise DatasetError(
                file, f'not a Nextbuy dataset manifest (no "format": "{FORMAT_NAME}")'
            )
        if data.get("version") != FORMAT_VERSION:
            raise DatasetError(file, f"unsupported version {data.get('version')!r}")
        try:
            created = datetime.fromisoformat(str(data.get("created_at")))
        except ValueError as error:
            raise DatasetError(file, f"bad created_at: {error}", column="created_at") from None
        notes = data.get("notes") or ()
        return cls(
            name=str(data.get("name", "")),
            source=str(data.get("source", "")),
            created_at=created,
            notes=(notes,) if isinstance(notes, str) else tuple(str(n) for n in notes),
            parameters=dict(data.get("parameters") or {}),
            counts={str(k): int(v) for k, v in (data.get("counts") or {}).items()},
        )


@dataclass(frozen=True)
class Dataset:
    """Shop data in the canonical format; a table the source lacks is ``None``."""

    products: pa.Table
    events: pa.Table
    manifest: Manifest
    users: pa.Table | None = None
    orders: pa.Table | None = None
    order_lines: pa.Table | None = None
    inventory: pa.Table | None = None

    def tables(self) -> dict[str, pa.Table]:
        """The tables present, in dependency order (referenced tables first)."""
        present = {name: getattr(self, name) for name in TABLES}
        return {name: table for name, table in present.items() if table is not None}

    def counts(self) -> dict[str, int]:
        return {name: table.num_rows for name, table in self.tables().items()}

    def with_counts(self) -> Dataset:
        return replace(self, manifest=replace(self.manifest, counts=self.counts()))
