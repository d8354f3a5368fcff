"""Opaque change-feed cursors: the position ``(updated_at, id)`` of the last row read.

Every service's change feed orders rows by ``(updated_at, id)`` and resumes strictly after
the cursor, so a client that pages with ``next_cursor`` sees every change exactly once per
update even when many rows share a timestamp.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime

from nextbuy.core.errors import BadRequestError, FieldError


@dataclass(frozen=True, slots=True)
class FeedPosition:
    updated_at: datetime
    id: str


def encode_cursor(position: FeedPosition) -> str:
    """Return an opaque, URL-safe cursor for ``position``."""
    raw = f"{position.updated_at.astimezone(UTC).isoformat()}|{position.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> FeedPosition:
    """Parse a cursor made by :func:`encode_cursor`; a tampered one is a 400 naming ``cursor``."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        stamp, _, row_id = base64.urlsafe_b64decode(padded.encode()).decode().partition("|")
        updated_at = datetime.fromisoformat(stamp)
    except ValueError as exc:
        raise BadRequestError(
            "cursor is not a cursor this service issued",
            errors=[FieldError("query.cursor", "malformed cursor")],
        ) from exc
    if not row_id:
        raise BadRequestError(
            "cursor has no id", errors=[FieldError("query.cursor", "malformed cursor")]
        )
    return FeedPosition(updated_at if updated_at.tzinfo else updated_at.replace(tzinfo=UTC), row_id)


def start_position(updated_since: datetime | None) -> FeedPosition | None:
    """The position just before the first change at or after ``updated_since``."""
    if updated_since is None:
        return None
    if updated_since.tzinfo is None:
        updated_since = updated_since.replace(tzinfo=UTC)
    return FeedPosition(updated_since, "")
