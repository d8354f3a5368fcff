"""The four upstream clients: profiles, orders, inventory, and the change feeds."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from pydantic import ValidationError

from nextbuy.contracts.catalog import ProductPublic
from nextbuy.contracts.common import Page
from nextbuy.contracts.inventory import StockLevelPublic
from nextbuy.contracts.orders import OrderPublic
from nextbuy.core.resilience.breaker import CircuitBreaker
from nextbuy.core.resilience.loop_lag import LoopLag
from nextbuy.engine.domain.errors import UpstreamError
from nextbuy.engine.domain.ports import ProductInfo, PurchaseRecord, StockLevel
from nextbuy.engine.domain.translate import product_info, purchase_record, stock_level
from nextbuy.engine.upstream.feed_resume import FeedResume
from nextbuy.engine.upstream.http import UpstreamHttp
from nextbuy.engine.upstream.user_payloads import (
    PayloadError,
    purchased_product_ids,
    purchased_products,
    recent_views,
)

T = TypeVar("T")
FEED_PAGE = 1000
HISTORY_ORDERS = 1000
"""How many of a user's orders (oldest first) their purchases are read from."""
LAGGING_LOOP_S = 0.05
"""A feed poll during which the event loop was this late is not timed for the breaker."""


class ProfilesClient:
    def __init__(self, http: UpstreamHttp) -> None:
        self.http = http

    async def recent_views(self, user_id: str, *, timeout_s: float) -> tuple[str, ...] | None:
        body = await self.http.get(f"/v1/users/{quote(user_id, safe='')}", timeout_s=timeout_s)
        if body is None:
            return None
        try:
            return recent_views(body)
        except PayloadError as error:
            raise UpstreamError(
                self.http.source, f"profile does not match the contract: {error}"
            ) from error


class OrdersClient:
    def __init__(self, http: UpstreamHttp) -> None:
        self.http = http

    async def purchased_products(self, user_id: str, *, timeout_s: float) -> tuple[str, ...]:
        """Distinct products the user bought, from the service's compact projection.

        For a 500-order user ~5 KB of ids instead of a ~115 KB order page, ~1.7 ms of
        service time instead of ~13 ms: the cold path's slowest call (ADR 0021, addendum).
        """
        path = f"/v1/users/{quote(user_id, safe='')}/purchased-products"
        return await self._read(path, purchased_product_ids, timeout_s=timeout_s)

    async def purchased_products_from_history(
        self, user_id: str, *, timeout_s: float
    ) -> tuple[str, ...]:
        """The same, reduced here from the full order page: the naive baseline's call."""
        path = f"/v1/users/{quote(user_id, safe='')}/orders"
        return await self._read(path, purchased_products, timeout_s=timeout_s)

    async def _read(
        self, path: str, reader: Callable[[object], tuple[str, ...]], *, timeout_s: float
    ) -> tuple[str, ...]:
        params = {"limit": str(HISTORY_ORDERS)}
        body = await self.http.get(path, params=params, timeout_s=timeout_s)
        if body is None:
            # Both routes answer an unknown user with 200 and nothing bought, so a 404 is a
            # service without the route (an older one mid-deploy). Reading it as "bought
            # nothing" would silently recommend what the user already has.
            raise UpstreamError(self.http.source, f"HTTP 404 from GET {path}")
        try:
            return reader(body)
        except PayloadError as error:
            raise UpstreamError(
                self.http.source, f"orders do not match the contract: {error}"
            ) from error


class ChangeFeedClient(Generic[T]):
    """Follows one ``:changes`` feed: pages with the cursor, then resumes from the newest timestamp.

    The feed returns no cursor after its last (short) page, so the follower resumes with
    ``updated_since``: just after the newest change seen, and once more from a little before it
    when rows committed late could have been missed (:class:`FeedResume`). Re-read rows are
    idempotent upserts.
    """

    def __init__(
        self,
        http: UpstreamHttp,
        path: str,
        model: Any,
        convert: Callable[[Any], T],
        breaker: CircuitBreaker | None = None,
        lag: LoopLag | None = None,
        resume: FeedResume | None = None,
    ) -> None:
        self.http, self.path, self.model, self.convert = http, path, model, convert
        self.breaker = breaker
        self.lag = lag
        self.resume = resume or FeedResume()

    async def poll(self) -> list[T]:
        if self.breaker is not None and not self.breaker.allow():
            raise UpstreamError(self.http.source, f"feed breaker is {self.breaker.state}")
        since, rechecking = self.resume.next_since()
        changes: list[T] = []
        newest: datetime | None = None
        cursor: str | None = None
        while True:
            params = {"limit": str(FEED_PAGE)}
            if cursor:
                params["cursor"] = cursor
            elif since is not None:
                params["updated_since"] = since.isoformat()
            started = time.monotonic()
            try:
                body = await self.http.get(self.path, params=params, timeout_s=10.0)
                if body is None:
                    # Not "no changes": a service without the feed. Reading it as empty would
                    # make the purchase index look complete while knowing no order (ADR 0024).
                    raise UpstreamError(self.http.source, f"HTTP 404 from GET {self.path}")
                page = parse_contract(self.http.source, Page[self.model], body)  # type: ignore[name-defined]
            except UpstreamError:
                if self.breaker is not None:
                    self.breaker.record_failure()
                raise
            await self._record(started, short=len(page.items) < FEED_PAGE, params=params)
            if page.items:
                newest_here = _aware(max(item.updated_at for item in page.items))
                newest = newest_here if newest is None else max(newest, newest_here)
            changes.extend(self.convert(item) for item in page.items)
            cursor = page.next_cursor
            if not cursor:
                self.resume.polled(newest, rechecked=rechecking)
                return changes

    async def _record(self, started: float, *, short: bool, params: dict[str, str]) -> None:
        # Only a short page is timed: a full page of a first sync is a bulk transfer whose
        # time says more about its size than about the upstream's health.
        if self.breaker is None:
            return
        elapsed = self._elapsed(started) if short else 0.0
        threshold = self.breaker.slow_call_s
        if threshold is not None and elapsed > threshold:
            # One slow page opens a feed breaker (feed_health.py), so one unlucky call must not:
            # with 1% of calls slowed (S5) it opened the catalog's for 5 s, and answers named a
            # healthy catalog. The same page again, at once, tells a slow upstream from noise.
            confirming = time.monotonic()
            try:
                await self.http.get(self.path, params=params, timeout_s=10.0)
            except UpstreamError:
                self.breaker.record_failure()
                return
            elapsed = self._elapsed(confirming)
        self.breaker.record_success(elapsed)

    def _elapsed(self, started: float) -> float:
        if self.lag is not None and self.lag.worst_since(started) > LAGGING_LOOP_S:
            # The loop itself was late while this call ran (closed-loop load): the time is our
            # queue, not the upstream's, and is no evidence either way.
            return 0.0
        return time.monotonic() - started


def _aware(moment: datetime) -> datetime:
    """Feeds send UTC; a timestamp without a zone is read as UTC rather than failing to compare."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def catalogue_feed(
    http: UpstreamHttp, breaker: CircuitBreaker | None = None, lag: LoopLag | None = None
) -> ChangeFeedClient[ProductInfo]:
    return ChangeFeedClient(http, "/v1/products:changes", ProductPublic, product_info, breaker, lag)


def orders_feed(
    http: UpstreamHttp, breaker: CircuitBreaker | None = None, lag: LoopLag | None = None
) -> ChangeFeedClient[PurchaseRecord]:
    return ChangeFeedClient(http, "/v1/orders:changes", OrderPublic, purchase_record, breaker, lag)


def stock_feed(
    http: UpstreamHttp, breaker: CircuitBreaker | None = None, lag: LoopLag | None = None
) -> ChangeFeedClient[StockLevel]:
    return ChangeFeedClient(http, "/v1/stock:changes", StockLevelPublic, stock_level, breaker, lag)


def parse_contract(source: str, model: Any, body: Any) -> Any:
    try:
        return model.model_validate(body)
    except ValidationError as error:
        raise UpstreamError(
            source, f"response does not match the contract: {error.error_count()} errors"
        ) from error
