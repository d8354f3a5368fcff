"""Types every contract uses: identifiers, pages of a change feed, batch requests, errors."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

MAX_BATCH = 1000
"""The most ids or records one batch call takes; larger batches are a 422 naming the field."""

MAX_PAGE = 1000

Identifier = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$"),
]
"""An external id: users, products and orders keep the ids the shop already uses."""

CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


def _require_aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("timestamp must carry a timezone (e.g. 2024-05-01T12:00:00Z)")
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_require_aware)]


class InputModel(BaseModel):
    """Base of request bodies: unknown fields are rejected, strings are stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OutputModel(BaseModel):
    """Base of response bodies."""

    model_config = ConfigDict(from_attributes=True)


class IdBatch(InputModel):
    """A batch lookup: ``{"ids": [...]}`` with 1 to 1,000 ids."""

    ids: list[Identifier] = Field(min_length=1, max_length=MAX_BATCH)


ItemT = TypeVar("ItemT")


class Page(OutputModel, Generic[ItemT]):
    """One page of a paginated list or change feed. ``next_cursor`` is null on the last page."""

    items: list[ItemT]
    next_cursor: str | None = None


class BatchResult(OutputModel, Generic[ItemT]):
    """The answer to a batch lookup: the records found, and the ids that were not."""

    items: list[ItemT]
    missing: list[str] = Field(default_factory=list)


class UpsertResult(OutputModel):
    """How a bulk write went: counts, so a seeder can verify idempotency."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


class FieldErrorBody(OutputModel):
    field: str
    message: str


class ErrorBody(OutputModel):
    """Every 4xx/5xx body (RFC 9457 problem details plus the offending fields)."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldErrorBody] = Field(default_factory=list)
