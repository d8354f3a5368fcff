"""How a write turns drafts into stored products, and when a write changes nothing.

A write whose content (and ``created_at``, when given) equals what is stored is "unchanged":
it is not written and ``updated_at`` is not bumped, which keeps bulk upserts idempotent and
the change feed free of no-op entries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Any

from nextbuy.catalog.domain.errors import InvalidProductError
from nextbuy.catalog.domain.models import Product, ProductContent, ProductDraft
from nextbuy.core.errors import FieldError

CONTENT_FIELDS = frozenset(f.name for f in fields(ProductContent))


def new_product(draft: ProductDraft, now: datetime) -> Product:
    """The product a draft becomes when its id is not stored yet."""
    return Product(draft.id, draft.content, draft.created_at or now, now)


def revise(existing: Product, draft: ProductDraft, now: datetime) -> Product | None:
    """The full replacement of ``existing`` by ``draft``, or None when nothing changes."""
    created_at = draft.created_at or existing.created_at
    if draft.content == existing.content and created_at == existing.created_at:
        return None
    return Product(existing.id, draft.content, created_at, now)


def patch(existing: Product, changes: Mapping[str, Any], now: datetime) -> Product | None:
    """``existing`` with the given content fields changed, or None when nothing changes."""
    unknown = set(changes) - CONTENT_FIELDS
    if unknown:
        raise InvalidProductError(
            "unknown product fields",
            errors=[FieldError(f"body.{name}", "not a product field") for name in sorted(unknown)],
        )
    content = replace(existing.content, **changes)
    if content == existing.content:
        return None
    return replace(existing, content=content, updated_at=now)


@dataclass
class UpsertPlan:
    """What a bulk upsert writes: products to insert, products to overwrite, and a tally."""

    new: list[Product] = field(default_factory=list)
    changed: list[Product] = field(default_factory=list)
    unchanged: int = 0


def plan_upsert(
    drafts: Sequence[ProductDraft], existing: Mapping[str, Product], now: datetime
) -> UpsertPlan:
    """Sort ``drafts`` into new, changed and unchanged products against ``existing``."""
    plan = UpsertPlan()
    for draft in drafts:
        stored = existing.get(draft.id)
        if stored is None:
            plan.new.append(new_product(draft, now))
            continue
        revised = revise(stored, draft, now)
        if revised is None:
            plan.unchanged += 1
        else:
            plan.changed.append(revised)
    return plan


def check_batch_unique(drafts: Sequence[ProductDraft], *, location: str) -> None:
    """A batch names each id and each sku at most once (else 422 naming the later entry)."""
    errors: list[FieldError] = []
    seen_ids: set[str] = set()
    seen_skus: set[str] = set()
    for index, draft in enumerate(drafts):
        if draft.id in seen_ids:
            errors.append(FieldError(f"{location}.{index}.id", "id appears twice in the batch"))
        if draft.content.sku in seen_skus:
            errors.append(FieldError(f"{location}.{index}.sku", "sku appears twice in the batch"))
        seen_ids.add(draft.id)
        seen_skus.add(draft.content.sku)
    if errors:
        raise InvalidProductError("the batch repeats ids or skus", errors=errors)
