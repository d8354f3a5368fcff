"""``nextbuy data seed``: a canonical dataset into running services, idempotent and resumable.

Every call is an upsert keyed by the dataset's ids, so a second run changes nothing. Which
batches are done is recorded in ``$NEXTBUY_HOME/seed/<dataset>.json`` after each success; an
interrupted run skips them when started again, and the record is removed once all is sent.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp

from nextbuy.core.http_client import create_session, read_json
from nextbuy.data import seed_records as records
from nextbuy.data.format import Dataset
from nextbuy.data.seeding import SeedError, SeedReport, ServiceUrls

CONCURRENCY = 4
Notify = Callable[[str, int], None]


@dataclass
class Checkpoint:
    """Batches already accepted, per kind of record; saved after each one."""

    path: Path
    done: dict[str, set[int]] = field(default_factory=dict)

    @classmethod
    def open(cls, path: Path) -> Checkpoint:
        if not path.is_file():
            return cls(path)
        saved = json.loads(path.read_text(encoding="utf-8"))
        return cls(path, {kind: set(batches) for kind, batches in saved.items()})

    def mark(self, kind: str, batch: int) -> None:
        self.done.setdefault(kind, set()).add(batch)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = {kind: sorted(batches) for kind, batches in self.done.items()}
        self.path.write_text(json.dumps(body), encoding="utf-8")

    def finish(self) -> None:
        self.path.unlink(missing_ok=True)


async def seed_dataset(
    dataset: Dataset,
    urls: ServiceUrls,
    checkpoint: Checkpoint,
    notify: Notify,
    *,
    views: bool = True,
) -> SeedReport:
    """Products and stock first (everything refers to them), then users, orders and views."""
    report = SeedReport()
    async with create_session(total_timeout_s=120) as session:
        sender = _Sender(session, report, checkpoint, notify)
        await sender.bulk(
            "products",
            f"{urls.catalog}/v1/products:bulkUpsert",
            "products",
            records.product_batches(dataset),
        )
        await sender.bulk(
            "stock",
            f"{urls.inventory}/v1/stock:bulkUpsert",
            "levels",
            records.stock_batches(dataset),
        )
        await sender.bulk(
            "users", f"{urls.profiles}/v1/users:bulkUpsert", "users", records.user_batches(dataset)
        )
        await sender.bulk(
            "orders",
            f"{urls.orders}/v1/orders:bulkCreate",
            "orders",
            records.order_batches(dataset),
        )
        if views:
            await sender.views(urls.profiles, records.recent_views(dataset))
    checkpoint.finish()
    return report


@dataclass
class _Sender:
    session: aiohttp.ClientSession
    report: SeedReport
    checkpoint: Checkpoint
    notify: Notify

    async def bulk(
        self, kind: str, url: str, key: str, batches: Iterator[list[records.Record]]
    ) -> None:
        async def send(index: int, batch: list[records.Record]) -> None:
            self.report.add(kind, await self._post(url, {key: batch}))
            self.checkpoint.mark(kind, index)
            self.notify(kind, len(batch))

        await self._run(kind, ((i, b, send) for i, b in enumerate(batches)))

    async def views(
        self, profiles: str, per_user: Iterator[tuple[str, list[records.Record]]]
    ) -> None:
        async def send(index: int, item: tuple[str, list[records.Record]]) -> None:
            user, body = item
            await self._post(f"{profiles}/v1/users/{quote(user, safe='')}/views", {"views": body})
            self.report.add("views", {"updated": len(body)})
            self.checkpoint.mark("views", index)
            self.notify("views", len(body))

        await self._run("views", ((i, item, send) for i, item in enumerate(per_user)), limit=16)

    async def _run(
        self, kind: str, jobs: Iterator[tuple[int, Any, Any]], limit: int = CONCURRENCY
    ) -> None:
        """At most ``limit`` requests in flight; batches done in an earlier run are skipped."""
        done = self.checkpoint.done.get(kind, set())
        semaphore = asyncio.Semaphore(limit)

        async def guarded(index: int, item: Any, send: Any) -> None:
            try:
                await send(index, item)
            finally:
                semaphore.release()

        async with asyncio.TaskGroup() as group:
            for index, item, send in jobs:
                if index in done:
                    self.report.add(kind, {"skipped": len(item)})
                    continue
                await semaphore.acquire()
                group.create_task(guarded(index, item, send))

    async def _post(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        async with self.session.post(url, json=body) as response:
            payload = await read_json(response, max_bytes=16 * 1024 * 1024)
            if response.status >= 400:
                raise SeedError(f"POST {url} -> {response.status}: {str(payload)[:500]}")
            return payload if isinstance(payload, dict) else {}
