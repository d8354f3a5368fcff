"""The ``/v1/stock`` routes. Sync handlers: FastAPI runs them in its thread pool."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from nextbuy.contracts.common import (
    MAX_PAGE,
    AwareDatetime,
    BatchResult,
    ErrorBody,
    IdBatch,
    Identifier,
    Page,
    UpsertResult,
)
from nextbuy.contracts.inventory import (
    StockAdjustBatch,
    StockAdjustResult,
    StockBulkUpsert,
    StockLevelPublic,
)
from nextbuy.core.cursors import FeedPosition, decode_cursor, encode_cursor, start_position
from nextbuy.inventory.api.convert import to_adjustment, to_level_set, to_public, to_publics
from nextbuy.inventory.domain.errors import StockNotFoundError
from nextbuy.inventory.domain.ports import StockRepository

ProductId = Annotated[Identifier, Path(description="The shop's product id.")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page size, 1 to 1,000.")]
UpdatedSince = Annotated[
    AwareDatetime | None, Query(description="RFC 3339 time; changes at or after it.")
]
Cursor = Annotated[str | None, Query(description="next_cursor of the previous page.")]


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": ErrorBody} for status in (*statuses, 422)}


def build_stock_router(repository: StockRepository) -> APIRouter:
    """The stock routes, reading and writing through ``repository``."""
    router = APIRouter(prefix="/v1", tags=["stock"])

    @router.get("/stock/{product_id}", responses=_errors(404))
    def get_stock(product_id: ProductId) -> StockLevelPublic:
        """The stock of one product; 404 when it was never stocked."""
        level = repository.get(product_id)
        if level is None:
            raise StockNotFoundError(product_id)
        return to_public(level)

    @router.post("/stock:lookup", responses=_errors(400))
    def lookup_stock(batch: IdBatch) -> BatchResult[StockLevelPublic]:
        """The stock of up to 1,000 products, and the ids never stocked."""
        wanted = list(dict.fromkeys(batch.ids))
        found = {level.product_id: level for level in repository.lookup(wanted)}
        return BatchResult[StockLevelPublic](
            items=[to_public(found[pid]) for pid in wanted if pid in found],
            missing=[pid for pid in wanted if pid not in found],
        )

    @router.post("/stock:adjust", responses=_errors(400, 409))
    def adjust_stock(batch: StockAdjustBatch) -> StockAdjustResult:
        """Apply a batch of adjustments atomically and in order; 409 names the one refused."""
        levels = repository.adjust([to_adjustment(a) for a in batch.adjustments])
        return StockAdjustResult(items=to_publics(levels))

    @router.post("/stock:bulkUpsert", responses=_errors(400))
    def bulk_upsert_stock(batch: StockBulkUpsert) -> UpsertResult:
        """Set absolute levels for up to 1,000 products; idempotent, for seeding and syncs."""
        counts = repository.bulk_upsert([to_level_set(s) for s in batch.levels])
        return UpsertResult(
            created=counts.created, updated=counts.updated, unchanged=counts.unchanged
        )

    @router.get("/stock:changes", responses=_errors(400))
    def stock_changes(
        updated_since: UpdatedSince = None, cursor: Cursor = None, limit: Limit = 100
    ) -> Page[StockLevelPublic]:
        """Levels changed since a time or a cursor, ordered by (updated_at, product_id)."""
        after = decode_cursor(cursor) if cursor else start_position(updated_since)
        levels = repository.changes(after=after, limit=limit)
        next_cursor = None
        if len(levels) == limit:
            last = levels[-1]
            next_cursor = encode_cursor(FeedPosition(last.updated_at, last.product_id))
        return Page[StockLevelPublic](items=to_publics(levels), next_cursor=next_cursor)

    return router
