"""The order history's HTTP operations (``/v1/...``)."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Path, Router, Status
from pydantic import Field

from nextbuy.contracts.common import (
    MAX_PAGE,
    AwareDatetime,
    ErrorBody,
    Identifier,
    Page,
    UpsertResult,
)
from nextbuy.contracts.orders import (
    OrderBulkCreate,
    OrderCreate,
    OrderPublic,
    PurchasedProductsPublic,
)
from nextbuy.core.cursors import decode_cursor, encode_cursor, start_position
from nextbuy.core.errors import FieldError, InvalidInputError
from nextbuy.orders.api.payloads import new_order, order_public
from nextbuy.orders.domain.history import OrderHistory
from nextbuy.orders.domain.models import OrderPage

PageLimit = Annotated[int, Field(ge=1, le=MAX_PAGE)]
ERRORS = {400: ErrorBody, 413: ErrorBody, 422: ErrorBody}


def orders_router(history: OrderHistory) -> Router:
    """The ``/v1`` operations, bound to ``history``."""
    router = Router(tags=["orders"])

    @router.get(
        "/v1/users/{user_id}/orders",
        response={200: Page[OrderPublic], **ERRORS},
        summary="A user's orders, oldest first",
    )
    def list_user_orders(
        request: HttpRequest,
        user_id: Path[Identifier],
        since: AwareDatetime | None = None,
        cursor: str | None = None,
        limit: PageLimit = 100,
    ) -> Page[OrderPublic]:
        """Orders of ``user_id`` placed at or after ``since``, by ``(created_at, id)``.

        An unknown user has no orders: the answer is an empty page, not a 404.
        """
        _reject_unknown_query(request, {"since", "cursor", "limit"})
        after = decode_cursor(cursor) if cursor else start_position(since)
        return _page(history.user_orders(user_id, after=after, limit=limit))

    @router.get(
        "/v1/users/{user_id}/purchased-products",
        response={200: PurchasedProductsPublic, **ERRORS},
        summary="Distinct products a user bought, first bought first",
    )
    def user_purchased_products(
        request: HttpRequest, user_id: Path[Identifier], limit: PageLimit = MAX_PAGE
    ) -> PurchasedProductsPublic:
        """Product ids of the first ``limit`` orders of ``/v1/users/{user_id}/orders`` (same
        order), without cancelled or returned orders, each id once where it first appears.

        An unknown user bought nothing: an empty list, not a 404.
        """
        _reject_unknown_query(request, {"limit"})
        bought = history.purchased_products(user_id, limit=limit)
        return PurchasedProductsPublic(user_id=user_id, product_ids=bought)

    @router.post(
        "/v1/orders",
        response={200: OrderPublic, 201: OrderPublic, 409: ErrorBody, **ERRORS},
        summary="Record an order (idempotent by id)",
    )
    def create_order(request: HttpRequest, payload: OrderCreate) -> Status[OrderPublic]:
        """201 with the new order; 200 when the same order was already recorded; 409 when
        an order with this id exists with different content."""
        order, created = history.place(new_order(payload))
        return Status(201 if created else 200, order_public(order))

    @router.post(
        "/v1/orders:bulkCreate",
        response={200: UpsertResult, 409: ErrorBody, **ERRORS},
        summary="Record up to 1,000 orders in one transaction",
    )
    def bulk_create_orders(request: HttpRequest, payload: OrderBulkCreate) -> UpsertResult:
        """Orders already recorded with the same content count as unchanged; orders are
        immutable, so ``updated`` is always 0 and one conflicting order rejects the batch."""
        outcome = history.place_many([new_order(order) for order in payload.orders])
        return UpsertResult(created=outcome.created, updated=0, unchanged=outcome.unchanged)

    @router.get(
        "/v1/orders:changes",
        response={200: Page[OrderPublic], **ERRORS},
        summary="Change feed of orders, by (updated_at, id)",
    )
    def order_changes(
        request: HttpRequest,
        updated_since: AwareDatetime | None = None,
        cursor: str | None = None,
        limit: PageLimit = 100,
    ) -> Page[OrderPublic]:
        """Every order written at or after ``updated_since``, resuming strictly after
        ``cursor``; ``next_cursor`` is null on a short (last) page."""
        _reject_unknown_query(request, {"updated_since", "cursor", "limit"})
        after = decode_cursor(cursor) if cursor else start_position(updated_since)
        return _page(history.changes(after=after, limit=limit))

    @router.get(
        "/v1/orders/{order_id}",
        response={200: OrderPublic, 404: ErrorBody, 422: ErrorBody},
        summary="One order",
    )
    def get_order(request: HttpRequest, order_id: Path[Identifier]) -> OrderPublic:
        """The order with this id, or 404."""
        return order_public(history.get(order_id))

    return router


def _reject_unknown_query(request: HttpRequest, known: set[str]) -> None:
    # A misspelt filter (``update_since``) would otherwise silently return the whole feed.
    unknown = sorted(set(request.GET) - known)
    if unknown:
        errors = [FieldError(f"query.{name}", "unknown query parameter") for name in unknown]
        raise InvalidInputError(f"unknown query parameters: {', '.join(unknown)}", errors=errors)


def _page(page: OrderPage) -> Page[OrderPublic]:
    cursor = encode_cursor(page.next_position) if page.next_position else None
    return Page[OrderPublic](items=[order_public(o) for o in page.items], next_cursor=cursor)
