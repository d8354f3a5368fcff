"""Load a shop into running services through their own bulk APIs (never their databases).

Every write is an idempotent upsert keyed by the shop's ids, so seeding twice changes nothing
and an interrupted seed can simply be run again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import aiohttp
from pydantic import BaseModel

from nextbuy.core.http_client import create_session, read_json
from nextbuy.data.demo_shop import DemoShop

BATCH = 500
CONCURRENCY = 4
ProgressCallback = Callable[[str, int], None]


@dataclass(frozen=True, slots=True)
class ServiceUrls:
    profiles: str
    catalog: str
    orders: str
    inventory: str
    engine: str | None = None  # events go to the engine only when it is given


@dataclass
class SeedReport:
    """Per kind of record: how many were created, updated, already there, refused by the
    service (engine events only), or skipped on resume."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, kind: str, result: dict[str, Any]) -> None:
        totals = self.counts.setdefault(
            kind, {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0, "skipped": 0}
        )
        for key in totals:
            totals[key] += int(result.get(key, 0))


class SeedError(RuntimeError):
    """A service refused a batch: the message says which service, call and why."""


async def seed_shop(
    shop: DemoShop, urls: ServiceUrls, progress: ProgressCallback | None = None
) -> SeedReport:
    """Catalogue and stock first (orders and views refer to products), then users, orders, views."""
    report = SeedReport()
    notify = progress or (lambda _kind, _n: None)
    async with create_session(total_timeout_s=60) as session:
        writer = _BulkWriter(session, report, notify)
        await writer.bulk(
            f"{urls.catalog}/v1/products:bulkUpsert", "products", "products", shop.products
        )
        await writer.bulk(f"{urls.inventory}/v1/stock:bulkUpsert", "stock", "levels", shop.stock)
        await writer.bulk(f"{urls.profiles}/v1/users:bulkUpsert", "users", "users", shop.users)
        await writer.bulk(f"{urls.orders}/v1/orders:bulkCreate", "orders", "orders", shop.orders)
        await writer.views(urls.profiles, shop.views)
    return report


@dataclass
class _BulkWriter:
    session: aiohttp.ClientSession
    report: SeedReport
    notify: ProgressCallback

    async def bulk(self, url: str, kind: str, key: str, records: Sequence[BaseModel]) -> None:
        batches = [records[i : i + BATCH] for i in range(0, len(records), BATCH)]

        async def send(batch: Sequence[BaseModel]) -> None:
            body = {key: [r.model_dump(mode="json", exclude_none=True) for r in batch]}
            self.report.add(kind, await self._post(url, body))
            self.notify(kind, len(batch))

        await _bounded([lambda b=b: send(b) for b in batches])  # type: ignore[misc]

    async def views(self, profiles_url: str, views: Mapping[str, Sequence[BaseModel]]) -> None:
        async def send(user_id: str, batch: Sequence[BaseModel]) -> None:
            body = {"views": [v.model_dump(mode="json") for v in batch]}
            await self._post(f"{profiles_url}/v1/users/{quote(user_id, safe='')}/views", body)
            self.report.add("views", {"updated": len(batch)})
            self.notify("views", len(batch))

        await _bounded([lambda u=u, b=b: send(u, b) for u, b in views.items()], limit=16)  # type: ignore[misc]

    async def _post(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        async with self.session.post(url, json=body) as response:
            payload = await read_json(response, max_bytes=16 * 1024 * 1024)
            if response.status >= 400:
                raise SeedError(f"POST {url} -> {response.status}: {payload}")
            return payload if isinstance(payload, dict) else {}


async def _bounded(calls: list[Callable[[], Awaitable[None]]], limit: int = CONCURRENCY) -> None:
    """Run the calls with at most ``limit`` in flight; the first failure stops the rest."""
    semaphore = asyncio.Semaphore(limit)

    async def guarded(call: Callable[[], Awaitable[None]]) -> None:
        async with semaphore:
            await call()

    async with asyncio.TaskGroup() as group:
        for call in calls:
            group.create_task(guarded(call))
