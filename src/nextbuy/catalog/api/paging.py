"""Query parameters and cursors shared by the paginated routes.

Id-ordered listings use an opaque cursor holding the last id read; the change feed uses the
core ``(updated_at, id)`` cursor. A cursor that does not decode is a 400 naming ``query.cursor``.
"""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import Query
from pydantic import TypeAdapter

from nextbuy.catalog.domain.models import ProductSlice
from nextbuy.contracts.common import MAX_PAGE, Identifier
from nextbuy.core.cursors import FeedPosition, encode_cursor
from nextbuy.core.errors import BadRequestError, FieldError

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page size (1..1000).")]
Cursor = Annotated[
    str | None, Query(max_length=512, description="`next_cursor` of the previous page.")
]

_ID_CURSOR_PREFIX = "id:"
_IDENTIFIER: TypeAdapter[str] = TypeAdapter(Identifier)


def encode_id_cursor(product_id: str) -> str:
    """An opaque cursor resuming after ``product_id``."""
    raw = (_ID_CURSOR_PREFIX + product_id).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_id_cursor(cursor: str | None) -> str | None:
    """The id a cursor resumes after; None for the first page."""
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not raw.startswith(_ID_CURSOR_PREFIX):
            raise ValueError("not an id cursor")
        return _IDENTIFIER.validate_python(raw.removeprefix(_ID_CURSOR_PREFIX))
    except ValueError as exc:  # bad base64, bad UTF-8 and pydantic errors are all ValueErrors
        raise BadRequestError(
            "cursor is not a cursor this service issued",
            errors=[FieldError("query.cursor", "malformed cursor")],
        ) from exc


def next_id_cursor(page: ProductSlice) -> str | None:
    """The cursor of the page after ``page``, or None when it was the last."""
    return encode_id_cursor(page.items[-1].id) if page.has_more else None


def next_feed_cursor(page: ProductSlice) -> str | None:
    """The change-feed cursor after ``page``, or None when the feed is drained for now."""
    if not page.has_more:
        return None
    last = page.items[-1]
    return encode_cursor(FeedPosition(last.updated_at, last.id))
