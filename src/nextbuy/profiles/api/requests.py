"""Turning a Flask request into validated contract models, with errors that name the field.

Bodies are read here (not with ``request.get_json``) so that malformed JSON is a 400 problem
body, an oversized body a 413 problem body, and every pydantic error a 422 whose fields
carry their location: ``body.users.0.id``, ``query.limit``, ``path.user_id``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from flask import request
from pydantic import BaseModel, TypeAdapter, ValidationError
from werkzeug.exceptions import RequestEntityTooLarge

from nextbuy.contracts.common import Identifier
from nextbuy.core.errors import (
    BadRequestError,
    FieldError,
    InvalidInputError,
    PayloadTooLargeError,
)
from nextbuy.core.serialization import loads_json

ModelT = TypeVar("ModelT", bound=BaseModel)

_IDENTIFIER: TypeAdapter[str] = TypeAdapter(Identifier)


def parse_body(model: type[ModelT]) -> ModelT:
    """The request body as ``model``: 413 when too large, 400 when not JSON, 422 when invalid."""
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge as exc:
        limit = request.max_content_length
        raise PayloadTooLargeError(f"request body is larger than {limit} bytes") from exc
    try:
        document = loads_json(raw)
    except ValueError as exc:
        raise BadRequestError(
            f"request body is not valid JSON: {exc}",
            errors=[FieldError("body", "malformed JSON")],
        ) from exc
    return validate(model, document, location="body")


def parse_query(model: type[ModelT]) -> ModelT:
    """The query string as ``model``; unknown parameters are a 422 (a typo is not ignored)."""
    return validate(model, request.args.to_dict(flat=True), location="query")


def parse_identifier(name: str, value: str) -> str:
    """A path id checked against the shared ``Identifier`` pattern (422 naming ``path.<name>``)."""
    try:
        return _IDENTIFIER.validate_python(value)
    except ValidationError as exc:
        raise invalid_input(_located(exc.errors(include_url=False), f"path.{name}")) from exc


def validate(model: type[ModelT], document: Any, *, location: str) -> ModelT:
    """Validate ``document`` as ``model``; error fields are prefixed with ``location``."""
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        raise invalid_input(_located(exc.errors(include_url=False), location)) from exc


def invalid_input(errors: list[FieldError]) -> InvalidInputError:
    """A 422 whose detail lists the invalid fields, like the core adapters' own."""
    names = ", ".join(sorted({error.field for error in errors})) or "request"
    return InvalidInputError(f"invalid fields: {names}", errors=errors)


def _located(errors: Iterable[Mapping[str, Any]], location: str) -> list[FieldError]:
    located = []
    for error in errors:
        parts = [location, *(str(part) for part in error.get("loc", ()))]
        located.append(FieldError(".".join(parts), str(error.get("msg"))))
    return located
