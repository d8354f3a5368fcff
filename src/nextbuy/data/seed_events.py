"""A dataset's events as the engine's ``POST /v1/events`` takes them, for seeding and replay.

The engine deduplicates on the client's ``event_id``, so each row gets a stable id: a key of
the dataset (a hash of its manifest's name, source, parameters and counts, not of when it was
written: loading or generating the same data again gives the same ids) and the row number.
Seeding twice therefore stores each event once. Rows the engine cannot take are left out and
counted: event types it has no use for (``rating``) and rows without a timestamp.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, get_args

import pyarrow as pa
import pyarrow.compute as pc

from nextbuy.contracts.engine import MAX_EVENTS, InteractionType
from nextbuy.data.format import Dataset

ENGINE_TYPES = frozenset(get_args(InteractionType))
Record = dict[str, Any]


def dataset_key(dataset: Dataset) -> str:
    """Twelve hex digits naming the dataset's content, stable across rewrites of the folder."""
    manifest = dataset.manifest
    identity = {
        "name": manifest.name,
        "source": manifest.source,
        "parameters": manifest.parameters,
        "counts": manifest.counts or dataset.counts(),
    }
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class EngineEvents:
    """The sendable events (with their row numbers) and what was left out, by reason."""

    table: pa.Table
    id_prefix: str
    excluded: dict[str, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return int(self.table.num_rows)

    def batches(self, size: int = MAX_EVENTS) -> Iterator[list[Record]]:
        """Request bodies' ``events`` lists, in the table's order."""
        for start in range(0, self.count, size):
            yield self.records(start, size)

    def records(self, start: int, size: int) -> list[Record]:
        chunk = self.table.slice(start, size)
        rows, prefix = chunk["row"].to_pylist(), self.id_prefix
        stamps = pc.strftime(chunk["timestamp"], format="%Y-%m-%dT%H:%M:%SZ").to_pylist()
        return [
            {
                "event_id": f"{prefix}{row}",
                "type": kind,
                "user_id": user,
                "session_id": session,
                "product_id": product,
                "timestamp": stamp,
                "quantity": quantity,
                "price": price,
            }
            for row, kind, user, session, product, stamp, quantity, price in zip(
                rows,
                chunk["event_type"].to_pylist(),
                chunk["user_id"].to_pylist(),
                chunk["session_id"].to_pylist(),
                chunk["product_id"].to_pylist(),
                stamps,
                chunk["quantity"].to_pylist(),
                _cents(chunk["price"]),
                strict=True,
            )
        ]


def engine_events(
    dataset: Dataset, *, id_prefix: str | None = None, time_order: bool = False
) -> EngineEvents:
    """The events the engine accepts; ``time_order`` sorts them (stably) by timestamp."""
    events = dataset.events.append_column("row", pa.array(range(dataset.events.num_rows)))
    if "price" not in events.column_names:  # nullable, so a table built in memory may lack it
        events = events.append_column("price", pa.nulls(events.num_rows, pa.float64()))
    excluded: dict[str, int] = {}
    known = pc.is_in(events["event_type"], value_set=pa.array(sorted(ENGINE_TYPES)))
    for kind, count in _value_counts(events.filter(pc.invert(known))["event_type"]).items():
        excluded[f"event type {kind!r} (the engine has none)"] = count
    events = events.filter(known)
    timed = pc.is_valid(events["timestamp"])
    untimed = events.num_rows - int(pc.sum(timed).as_py() or 0)
    if untimed:
        excluded["no timestamp"] = untimed
        events = events.filter(timed)
    if time_order:
        events = events.sort_by([("timestamp", "ascending"), ("row", "ascending")])
    prefix = id_prefix if id_prefix is not None else f"{dataset_key(dataset)}-"
    return EngineEvents(events, prefix, excluded)


def _value_counts(column: pa.ChunkedArray) -> dict[str, int]:
    counts = pc.value_counts(column).to_pylist()
    return {str(item["values"]): int(item["counts"]) for item in counts}


def _cents(prices: pa.ChunkedArray) -> list[float | None]:
    # NaN is no JSON number; a price the source lacks is simply not sent.
    rounded = pc.round(prices, 2)
    values: list[float | None] = pc.if_else(pc.is_nan(rounded), None, rounded).to_pylist()
    return values
