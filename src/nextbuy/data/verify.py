"""``nextbuy data verify``: do the services hold what ``nextbuy data seed`` sent them?

Each service is read back through its own paged API (the catalogue's export, the other
services' change feeds, 1,000 items a page) and compared with what seeding sends: a record
counts as found when its id is there with the same content that matters (stock levels, an
order's number of lines, a user's recent views). Records the service holds beyond the
dataset are reported as extra, not as a failure: a shop may have more than one source.

The engine has no read API for events; its deduplicating log is the only way to ask. With
``events`` given, every event is sent again and must come back as a duplicate. That changes
nothing when all are there; an event that was missing is stored by the check and counted as
not found.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from nextbuy.contracts.common import MAX_PAGE
from nextbuy.core.http_client import create_session, read_json
from nextbuy.data import seed_records as records
from nextbuy.data.format import Dataset
from nextbuy.data.seed_events import EngineEvents
from nextbuy.data.seeding import SeedError, ServiceUrls

Item = dict[str, Any]
Key = Callable[[Item], tuple[str, Any]]


@dataclass(frozen=True, slots=True)
class CountCheck:
    """One kind of record: how many the dataset has, how many match, how many are extra."""

    kind: str
    expected: int
    found: int
    extra: int

    @property
    def ok(self) -> bool:
        return self.found == self.expected


async def verify_dataset(
    dataset: Dataset,
    urls: ServiceUrls,
    *,
    views: bool = True,
    events: EngineEvents | None = None,
) -> list[CountCheck]:
    """Compare every service with the dataset; the engine only when ``events`` is given."""
    async with create_session(total_timeout_s=120) as session:
        reader = _Reader(session)
        checks = [
            await reader.compare(
                "products",
                _expected(records.product_batches(dataset), lambda p: (p["id"], None)),
                f"{urls.catalog}/v1/products:export",
                lambda p: (p["id"], None),
            ),
            await reader.compare(
                "stock",
                _expected(records.stock_batches(dataset), _level),
                f"{urls.inventory}/v1/stock:changes",
                _level,
            ),
        ]
        users = await reader.read_all(f"{urls.profiles}/v1/users:changes")
        checks.append(
            _compare("users", _expected(records.user_batches(dataset), _id), map(_id, users))
        )
        if views:
            # The profile keeps each (product, instant) once.
            expected = {
                user: len({(v["product_id"], v["viewed_at"]) for v in body})
                for user, body in records.recent_views(dataset)
            }
            stored = ((u["id"], len(u["recent_views"])) for u in users if u["id"] in expected)
            checks.append(_compare("views (users)", expected, stored))
        checks.append(
            await reader.compare(
                "orders",
                _expected(records.order_batches(dataset), _order),
                f"{urls.orders}/v1/orders:changes",
                _order,
            )
        )
        if events is not None and urls.engine is not None:
            checks.append(await reader.resend(f"{urls.engine}/v1/events", events))
    return checks


def _id(item: Item) -> tuple[str, Any]:
    return item["id"], None


def _level(item: Item) -> tuple[str, Any]:
    return item["product_id"], (item["available"], item["reserved"])


def _order(item: Item) -> tuple[str, Any]:
    return item["id"], len(item["lines"])


def _expected(batches: Any, key: Key) -> dict[str, Any]:
    return dict(key(item) for batch in batches for item in batch)


def _compare(kind: str, expected: dict[str, Any], stored: Any) -> CountCheck:
    found = extra = 0
    for item_id, value in stored:
        if item_id not in expected:
            extra += 1
        elif expected[item_id] == value:
            found += 1
    return CountCheck(kind, len(expected), found, extra)


@dataclass
class _Reader:
    session: aiohttp.ClientSession

    async def compare(self, kind: str, expected: dict[str, Any], url: str, key: Key) -> CountCheck:
        return _compare(kind, expected, [key(item) async for item in self._pages(url)])

    async def read_all(self, url: str) -> list[Item]:
        return [item async for item in self._pages(url)]

    async def resend(self, url: str, events: EngineEvents) -> CountCheck:
        totals: Counter[str] = Counter()
        for batch in events.batches():
            result = await self._call("POST", url, json={"events": batch})
            totals.update(duplicates=result["duplicates"], accepted=result["accepted"])
        return CountCheck("events (engine)", events.count, totals["duplicates"], 0)

    async def _pages(self, url: str) -> AsyncIterator[Item]:
        cursor: str | None = None
        while True:
            params = {"limit": str(MAX_PAGE)} | ({"cursor": cursor} if cursor else {})
            page = await self._call("GET", url, params=params)
            for item in page["items"]:
                yield item
            cursor = page.get("next_cursor")
            if not cursor:
                return

    async def _call(self, method: str, url: str, **options: Any) -> dict[str, Any]:
        async with self.session.request(method, url, **options) as response:
            payload = await read_json(response, max_bytes=64 * 1024 * 1024)
            if response.status >= 400:
                raise SeedError(f"{method} {url} -> {response.status}: {str(payload)[:500]}")
            if not isinstance(payload, dict):
                raise SeedError(f"{method} {url}: expected a JSON object")
            return payload
