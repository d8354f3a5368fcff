"""Routes on many products: listing, batch lookup, bulk upsert, export and the change feed.

They live on ``/v1/products:<verb>`` (no slash), so ``/v1/products/{product_id}`` can never
capture them; the app still registers this router first to keep that obvious.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from nextbuy.catalog.api.convert import to_drafts, to_public
from nextbuy.catalog.api.dependencies import CatalogDep, error_responses
from nextbuy.catalog.api.paging import (
    Cursor,
    Limit,
    decode_id_cursor,
    next_feed_cursor,
    next_id_cursor,
)
from nextbuy.catalog.domain.categories import parse_category_filter
from nextbuy.catalog.domain.models import ProductSlice
from nextbuy.contracts.catalog import ProductBulkUpsert, ProductPublic
from nextbuy.contracts.common import BatchResult, IdBatch, Page, UpsertResult
from nextbuy.core.cursors import decode_cursor, start_position
from nextbuy.core.errors import FieldError, InvalidInputError

router = APIRouter(tags=["products"])

CategoryFilter = Annotated[
    str | None,
    Query(max_length=1000, description="A category path such as `Home/Kitchen`."),
]
UpdatedSince = Annotated[
    datetime | None, Query(description="RFC 3339 timestamp; changes at or after it.")
]


@router.get("/v1/products", responses=error_responses(400, 422))
def list_products(
    catalog: CatalogDep, category: CategoryFilter = None, cursor: Cursor = None, limit: Limit = 100
) -> Page[ProductPublic]:
    """Active products in a category and its subcategories (whole segments), by id."""
    try:
        path = parse_category_filter(category) if category is not None else ()
    except ValueError as exc:
        raise InvalidInputError(
            "invalid category filter", errors=[FieldError("query.category", str(exc))]
        ) from exc
    page = catalog.browse(path, after_id=decode_id_cursor(cursor), limit=limit)
    return _page(page, next_id_cursor(page))


@router.post("/v1/products:lookup", responses=error_responses(400, 413, 422))
def lookup_products(body: IdBatch, catalog: CatalogDep) -> BatchResult[ProductPublic]:
    """Many products by id in one query; ids not found are listed under ``missing``."""
    found, missing = catalog.lookup(body.ids)
    return BatchResult[ProductPublic](items=[to_public(p) for p in found], missing=missing)


@router.post("/v1/products:bulkUpsert", responses=error_responses(400, 409, 413, 422))
def bulk_upsert_products(body: ProductBulkUpsert, catalog: CatalogDep) -> UpsertResult:
    """Create or replace up to 1,000 products in one transaction; idempotent."""
    counts = catalog.upsert_many(to_drafts(body.products, location="body.products"))
    return UpsertResult(created=counts.created, updated=counts.updated, unchanged=counts.unchanged)


@router.get("/v1/products:export", responses=error_responses(400, 422))
def export_products(
    catalog: CatalogDep, cursor: Cursor = None, limit: Limit = 100
) -> Page[ProductPublic]:
    """Every product, active or not, by id: a full dump in pages."""
    page = catalog.export(after_id=decode_id_cursor(cursor), limit=limit)
    return _page(page, next_id_cursor(page))


@router.get("/v1/products:changes", responses=error_responses(400, 422))
def product_changes(
    catalog: CatalogDep,
    updated_since: UpdatedSince = None,
    cursor: Cursor = None,
    limit: Limit = 100,
) -> Page[ProductPublic]:
    """Products by ``(updated_at, id)``; a cursor resumes strictly after the last one read."""
    after = decode_cursor(cursor) if cursor is not None else start_position(updated_since)
    page = catalog.changes(after=after, limit=limit)
    return _page(page, next_feed_cursor(page))


def _page(page: ProductSlice, next_cursor: str | None) -> Page[ProductPublic]:
    return Page[ProductPublic](items=[to_public(p) for p in page.items], next_cursor=next_cursor)
