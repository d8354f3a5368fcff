"""Typed errors every service raises below its API layer, and the one JSON shape they become.

Domain and storage code raise these; each service's API layer has one handler that turns
them into ``{"type", "title", "status", "detail", "errors"}`` (RFC 9457 problem details).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class FieldError:
    """One invalid field: a dotted location (``body.lines.0.quantity``) and why."""

    field: str
    message: str


class NextbuyError(Exception):
    """Base of every error a service maps to an HTTP response."""

    status: int = 500
    type: str = "internal_error"
    title: str = "Internal error"

    def __init__(self, detail: str, *, errors: Sequence[FieldError] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = tuple(errors)


class NotFoundError(NextbuyError):
    status, type, title = 404, "not_found", "Not found"


class InvalidInputError(NextbuyError):
    status, type, title = 422, "validation_error", "Invalid input"


class BadRequestError(NextbuyError):
    status, type, title = 400, "bad_request", "Bad request"


class ConflictError(NextbuyError):
    status, type, title = 409, "conflict", "Conflict"


class PayloadTooLargeError(NextbuyError):
    status, type, title = 413, "payload_too_large", "Payload too large"


class UnavailableError(NextbuyError):
    status, type, title = 503, "unavailable", "Service unavailable"


@dataclass(frozen=True, slots=True)
class Problem:
    """The JSON error body every Nextbuy endpoint returns."""

    status: int
    type: str
    title: str
    detail: str
    errors: tuple[FieldError, ...] = field(default_factory=tuple)

    @classmethod
    def from_error(cls, error: NextbuyError) -> Problem:
        return cls(error.status, error.type, error.title, error.detail, error.errors)

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.errors:
            body["errors"] = [{"field": e.field, "message": e.message} for e in self.errors]
        return body


def field_errors_from_pydantic(errors: Iterable[Mapping[str, Any]]) -> list[FieldError]:
    """Turn pydantic's ``errors()`` list into FieldErrors with dotted locations."""
    return [
        FieldError(".".join(str(part) for part in error.get("loc", ())), str(error.get("msg")))
        for error in errors
    ]


def validation_problem(errors: Sequence[FieldError], status: int = 422) -> Problem:
    """A 422 problem whose detail names the invalid fields."""
    names = ", ".join(sorted({e.field for e in errors})) or "request"
    return Problem(
        status, "validation_error", "Invalid input", f"invalid fields: {names}", tuple(errors)
    )
