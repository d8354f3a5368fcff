"""Tiny canonical dataset folders with planted structure, for the evaluation and CLI tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa

from nextbuy.data.format import Dataset, Manifest, write_dataset
from nextbuy.recommend.events import EventLog

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def parity(n: int) -> str:
    return "even" if n % 2 == 0 else "odd"


def planted_rows(users: int = 30, items: int = 20) -> list[tuple[str, str, datetime]]:
    """User u touches item i when they share parity (with holes), later items later in time."""
    return [
        (f"u{u}", f"p{i}", T0 + timedelta(hours=i * 24 + u))
        for u in range(users)
        for i in range(items)
        if u % 2 == i % 2 and (u + 2 * i) % 7 != 0
    ]


def planted_log(users: int = 30, items: int = 20) -> EventLog:
    rows = planted_rows(users, items)
    return EventLog.of(
        [r[0] for r in rows],
        [r[1] for r in rows],
        ["purchase"] * len(rows),
        [r[2].timestamp() for r in rows],
    )


def write_planted_dataset(folder: Path, users: int = 30, items: int = 20) -> Path:
    """A valid canonical folder: events, products with text and categories, users."""
    rows = planted_rows(users, items)
    events = pa.table(
        {
            "user_id": [r[0] for r in rows],
            "product_id": [r[1] for r in rows],
            "event_type": ["purchase"] * len(rows),
            "timestamp": pa.array([r[2] for r in rows], pa.timestamp("us", tz="UTC")),
            "quantity": pa.array([1] * len(rows), pa.int32()),
        }
    )
    products = pa.table(
        {
            "product_id": [f"p{i}" for i in range(items)],
            "title": [f"{parity(i)} gadget {i}" for i in range(items)],
            "category_path": [f"{parity(i)}/gadgets" for i in range(items)],
            "active": [True] * items,
        }
    )
    people = pa.table(
        {
            "user_id": [f"u{u}" for u in range(users)],
            "age_band": ["18-24" if u % 2 == 0 else "25-34" for u in range(users)],
            "country": ["GB"] * users,
        }
    )
    manifest = Manifest(name="planted", source="tests")
    dataset = Dataset(products=products, events=events, users=people, manifest=manifest)
    return write_dataset(dataset.with_counts(), folder)
