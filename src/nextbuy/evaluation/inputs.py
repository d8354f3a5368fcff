"""Turn the columns of a canonical dataset (see docs/data-format.md) into algorithm inputs.

Columns arrive as plain numpy arrays (the caller reads the Parquet files), so this package stays
free of any reader: an event log, and the side information some algorithms use.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from nextbuy.recommend.coldstart import segment_of
from nextbuy.recommend.content import product_text
from nextbuy.recommend.events import EventLog
from nextbuy.recommend.registry import SideInformation

Columns = Mapping[str, npt.NDArray[Any]]


def _text(values: npt.NDArray[Any] | None, size: int) -> list[str]:
    if values is None:
        return [""] * size
    return ["" if v is None or v != v else str(v) for v in values.tolist()]  # v != v: NaN


def _seconds(values: npt.NDArray[Any] | None, size: int) -> npt.NDArray[np.float64]:
    """Epoch seconds from datetime64 (NaT → NaN) or numbers; all NaN when the column is absent."""
    if values is None:
        return np.full(size, np.nan)
    if np.issubdtype(values.dtype, np.datetime64):
        micros = values.astype("datetime64[us]")
        seconds = micros.astype(np.int64).astype(np.float64) / 1e6
        return np.where(np.isnat(micros), np.nan, seconds)
    return np.array([np.nan if v is None else float(v) for v in values.tolist()], np.float64)


def events_from_columns(events: Columns) -> EventLog:
    """Events keyed by user, or by ``session:<id>`` for anonymous events."""
    size = len(events["product_id"])
    users = _text(events.get("user_id"), size)
    sessions = _text(events.get("session_id"), size)
    owners = [user or f"session:{session}" for user, session in zip(users, sessions, strict=True)]
    values = events.get("value")
    return EventLog.of(
        owners,
        _text(events["product_id"], size),
        _text(events.get("event_type"), size),
        _seconds(events.get("timestamp"), size),
        np.full(size, np.nan) if values is None else _seconds(values, size),
    )


def side_from_columns(products: Columns | None, users: Columns | None) -> SideInformation:
    """Product text and categories, and user segments from demographics."""
    texts: dict[str, str] = {}
    categories: dict[str, str] = {}
    if products is not None:
        ids = _text(products["product_id"], len(products["product_id"]))
        n = len(ids)
        fields = zip(
            ids,
            _text(products.get("title"), n),
            _text(products.get("description"), n),
            _text(products.get("brand"), n),
            _text(products.get("category_path"), n),
            strict=True,
        )
        for product, title, description, brand, category in fields:
            texts[product] = product_text(title, description, brand, category)
            categories[product] = category
    segments: dict[str, str] = {}
    if users is not None:
        n = len(users["user_id"])
        for user, age, gender, country in zip(
            _text(users["user_id"], n),
            _text(users.get("age_band"), n),
            _text(users.get("gender"), n),
            _text(users.get("country"), n),
            strict=True,
        ):
            segments[user] = segment_of(age or None, gender or None, country or None)
    return SideInformation(texts, categories, segments)
