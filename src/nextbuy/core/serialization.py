"""JSON encoding shared by services and clients: orjson, with pydantic models and decimals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson
from pydantic import BaseModel


def _default(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dumps_json(value: Any) -> bytes:
    """Encode ``value`` as compact JSON bytes (UTC datetimes as RFC 3339)."""
    return orjson.dumps(value, default=_default, option=orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC)


def loads_json(data: bytes | str) -> Any:
    """Decode JSON bytes; raises ``orjson.JSONDecodeError`` (a ValueError) on bad input."""
    return orjson.loads(data)
