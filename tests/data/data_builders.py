"""Builders for small canonical datasets: start valid, override one thing per test."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from nextbuy.data.format import Dataset, Manifest

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def make_products(**overrides: Any) -> pa.Table:
    columns: dict[str, Any] = {
        "product_id": ["p1", "p2", "p3"],
        "title": ["Kettle", "Teapot", "Mug"],
        "category_path": ["Home/Kitchen", "Home/Kitchen", ""],
        "price": [25.0, 18.5, None],
        "currency": ["EUR", "EUR", None],
        "active": [True, True, False],
    }
    return pa.table(columns | overrides)


def make_events(**overrides: Any) -> pa.Table:
    columns: dict[str, Any] = {
        "user_id": ["u1", "u1", None, "u2"],
        "session_id": ["s1", "s1", "s2", None],
        "product_id": ["p1", "p2", "p1", "p3"],
        "event_type": ["view", "purchase", "view", "rating"],
        "timestamp": pa.array([T0] * 4, pa.timestamp("us", tz="UTC")),
        "quantity": pa.array([1, 2, 1, 1], pa.int32()),
        "value": pa.array([None, None, None, 4.0], pa.float32()),
    }
    return pa.table(columns | overrides)


def make_users(**overrides: Any) -> pa.Table:
    columns: dict[str, Any] = {
        "user_id": ["u1", "u2"],
        "age_band": ["25-34", None],
        "country": ["GB", "DE"],
    }
    return pa.table(columns | overrides)


def make_dataset(**tables: Any) -> Dataset:
    parts: dict[str, Any] = {
        "products": make_products(),
        "events": make_events(),
        "users": make_users(),
        "manifest": Manifest(name="tiny", source="tests"),
    }
    return Dataset(**(parts | tables))


def write_csv_dataset(folder: Path, files: dict[str, str | bytes], counts: str = "{}") -> Path:
    """A dataset folder by hand: CSV tables (text or raw bytes) and a manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest = (
        '{"format": "nextbuy-dataset", "version": 1, "name": "hand", "source": "tests", '
        f'"created_at": "2024-05-01T00:00:00+00:00", "counts": {counts}}}'
    )
    (folder / "manifest.json").write_text(manifest, encoding="utf-8")
    for name, content in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    return folder


PRODUCTS_CSV = "product_id,title,price,active\np1,Kettle,25.0,true\np2,Teapot,,false\n"
EVENTS_CSV = (
    "user_id,session_id,product_id,event_type,timestamp,quantity\n"
    "u1,,p1,view,2024-05-01T12:00:00Z,1\n"
    ",s9,p2,purchase,2024-05-01 13:30,2\n"
)
