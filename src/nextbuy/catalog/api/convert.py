"""Translate between the public contracts and the catalog's domain models.

Besides shape, this is where the catalog's extra input rules get their request locations:
category segments are checked here so a bad one is a 422 naming e.g. ``body.category_path.1``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

from pydantic import BaseModel

from nextbuy.catalog.domain.categories import segment_problem
from nextbuy.catalog.domain.errors import InvalidProductError
from nextbuy.catalog.domain.events import product_public
from nextbuy.catalog.domain.models import Product, ProductContent, ProductDraft
from nextbuy.contracts.catalog import ProductCreate, ProductPublic, ProductUpdate
from nextbuy.core.errors import FieldError

# PATCH fields that may be set to null; the others reject null with a 422.
NULLABLE_FIELDS = frozenset({"brand", "image_url"})

MAX_NESTING = 32


def to_public(product: Product) -> ProductPublic:
    """The public view of a stored product (the same view the catalog's events carry)."""
    return product_public(product)


def to_draft(body: ProductCreate, *, location: str = "body") -> ProductDraft:
    """A validated draft from a create/replace payload (``location`` prefixes error fields)."""
    _require_storable(body, location)
    category = _category(body.category_path, f"{location}.category_path")
    content = ProductContent(
        sku=body.sku,
        title=body.title,
        description=body.description,
        category_path=category,
        brand=body.brand,
        price=body.price,
        currency=body.currency,
        image_url=str(body.image_url) if body.image_url is not None else None,
        attributes=body.attributes,
        active=body.active,
    )
    return ProductDraft(body.id, content, body.created_at)


def to_drafts(bodies: Sequence[ProductCreate], *, location: str) -> list[ProductDraft]:
    """Drafts of a batch, naming the offending entry by its index."""
    return [to_draft(body, location=f"{location}.{i}") for i, body in enumerate(bodies)]


def to_changes(body: ProductUpdate) -> dict[str, Any]:
    """The content fields a PATCH sets, in domain types; explicit nulls only where allowed."""
    _require_storable(body, "body")
    changes: dict[str, Any] = {}
    errors: list[FieldError] = []
    for name in sorted(body.model_fields_set):
        value = getattr(body, name)
        if value is None and name not in NULLABLE_FIELDS:
            errors.append(FieldError(f"body.{name}", "may not be null"))
        elif name == "category_path":
            changes[name] = _category(value, "body.category_path")
        elif name == "image_url" and value is not None:
            changes[name] = str(value)
        else:
            changes[name] = value
    if errors:
        raise InvalidProductError("some fields may not be null", errors=errors)
    return changes


def _category(segments: Sequence[str], location: str) -> tuple[str, ...]:
    errors = [
        FieldError(f"{location}.{i}", problem)
        for i, segment in enumerate(segments)
        if (problem := segment_problem(segment)) is not None
    ]
    if errors:
        raise InvalidProductError("invalid category path", errors=errors)
    return tuple(segments)


def _require_storable(body: BaseModel, location: str) -> None:
    """Refuse what the catalog cannot store and serve back.

    NUL characters and non-finite numbers: PostgreSQL rejects both, yet JSON parsing lets them
    through. Deep nesting: the response serialiser gives up past a few hundred levels, and a
    stored product that cannot be served would break every listing that includes it.
    """
    errors = [
        FieldError(field, problem)
        for name in sorted(body.model_fields_set)
        for field, problem in _unstorable(getattr(body, name), f"{location}.{name}", 0)
    ]
    if errors:
        raise InvalidProductError("some values cannot be stored", errors=errors)


def _unstorable(value: Any, location: str, depth: int) -> Iterator[tuple[str, str]]:
    if depth > MAX_NESTING:
        yield location, f"nested more than {MAX_NESTING} levels deep"
    elif isinstance(value, str) and "\x00" in value:
        yield location, "must not contain NUL characters"
    elif isinstance(value, float) and not math.isfinite(value):
        yield location, "must be a finite number"
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _unstorable(key, location, depth)
            yield from _unstorable(item, f"{location}.{key}", depth + 1)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _unstorable(item, f"{location}.{index}", depth + 1)
