"""``nextbuy data seed``: a canonical dataset into running services, idempotent and resumable.

Every call is an upsert keyed by the dataset's ids (engine events by a stable event id), so a
second run changes nothing. Accepted batches are logged in a :class:`Checkpoint`; an
interrupted run skips them when started again, and the log is removed once all is sent.

Products, stock and users go first, side by side (nothing links them); then orders, recent
views and engine events, side by side, since they refer to products and users. Each kind has
its own number of requests in flight, so a slow service never starves a fast one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import aiohttp

from nextbuy.contracts.engine import MAX_EVENTS
from nextbuy.core.http_client import create_session, read_json
from nextbuy.data import seed_records as records
from nextbuy.data.format import Dataset
from nextbuy.data.seed_checkpoint import Checkpoint
from nextbuy.data.seed_events import EngineEvents
from nextbuy.data.seeding import ProgressCallback, SeedError, SeedReport, ServiceUrls

# Requests in flight per kind. Orders: two, so one batch is parsed while the other is written;
# the service is one GIL-bound worker, and on SQLite more writers only queue for the write
# lock. Seeding Online Retail's orders took 31 / 26 / 32 s at 1 / 2 / 4 in flight on SQLite
# and 34 / 22 / 25 s on PostgreSQL (load 5-7). Events at 1, 2 and 4 were within noise.
IN_FLIGHT = {"products": 2, "stock": 2, "users": 2, "orders": 2, "events": 2, "views": 16}
# Names the batching: a checkpoint from another layout would skip the wrong batches.
LAYOUT = (
    f"v2 batch={records.BATCH} order-lines={records.ORDER_BATCH_LINES} "
    f"events={MAX_EVENTS} views={records.RECENT_VIEWS}"
)
__all__ = ["LAYOUT", "Checkpoint", "seed_dataset", "send_events"]


async def seed_dataset(
    dataset: Dataset,
    urls: ServiceUrls,
    checkpoint: Checkpoint,
    notify: ProgressCallback,
    *,
    views: bool = True,
    events: EngineEvents | None = None,
) -> SeedReport:
    """Send ``dataset`` (and ``events`` to ``urls.engine``, when both are given)."""
    report = SeedReport()
    async with create_session(total_timeout_s=300) as session:
        sender = _Sender(session, report, checkpoint, notify, datetime.now(UTC))
        await _together(
            sender.bulk(
                "products",
                f"{urls.catalog}/v1/products:bulkUpsert",
                "products",
                records.product_batches(dataset),
            ),
            sender.bulk(
                "stock",
                f"{urls.inventory}/v1/stock:bulkUpsert",
                "levels",
                records.stock_batches(dataset),
            ),
            sender.bulk(
                "users",
                f"{urls.profiles}/v1/users:bulkUpsert",
                "users",
                records.user_batches(dataset),
            ),
        )
        second = [
            sender.bulk(
                "orders",
                f"{urls.orders}/v1/orders:bulkCreate",
                "orders",
                records.order_batches(dataset),
            )
        ]
        if views:
            second.append(sender.views(urls.profiles, records.recent_views(dataset)))
        if events is not None and urls.engine is not None:
            second.append(sender.events(f"{urls.engine}/v1/events", events.batches()))
        await _together(*second)
    checkpoint.finish()
    return report


async def send_events(
    events: EngineEvents, engine_url: str, notify: ProgressCallback
) -> SeedReport:
    """Only the events, to an engine that came up after the rest was seeded (``nextbuy up``)."""
    report = SeedReport()
    checkpoint = Checkpoint(None)  # nothing to resume: the engine deduplicates a resend
    async with create_session(total_timeout_s=300) as session:
        sender = _Sender(session, report, checkpoint, notify, datetime.now(UTC))
        await sender.events(f"{engine_url}/v1/events", events.batches())
    return report


async def _together(*calls: Coroutine[Any, Any, None]) -> None:
    """Run ``calls`` concurrently; the first failure cancels the rest and is raised as is."""
    try:
        async with asyncio.TaskGroup() as group:
            for call in calls:
                group.create_task(call)
    except ExceptionGroup as failures:
        raise _first(failures) from None


def _first(error: BaseException) -> BaseException:
    while isinstance(error, BaseExceptionGroup):
        error = error.exceptions[0]
    return error


@dataclass
class _Sender:
    session: aiohttp.ClientSession
    report: SeedReport
    checkpoint: Checkpoint
    notify: ProgressCallback
    started: datetime

    async def bulk(
        self, kind: str, url: str, key: str, batches: Iterator[list[records.Record]]
    ) -> None:
        async def send(index: int, batch: list[records.Record]) -> None:
            self._done(kind, index, len(batch), await self._post(url, {key: batch}))

        await self._run(kind, enumerate(batches), send)

    async def events(self, url: str, batches: Iterator[list[records.Record]]) -> None:
        async def send(index: int, batch: list[records.Record]) -> None:
            result = await self._post(url, {"events": batch})
            counts = {
                "created": result.get("accepted", 0),
                "unchanged": result.get("duplicates", 0),
                "rejected": len(result.get("rejected", [])),
            }
            self._done("events", index, len(batch), counts)

        await self._run("events", enumerate(batches), send)

    async def views(
        self, profiles: str, per_user: Iterator[tuple[str, list[records.Record]]]
    ) -> None:
        async def send(index: int, item: tuple[str, list[records.Record]]) -> None:
            user, body = item
            url = f"{profiles}/v1/users/{quote(user, safe='')}/views"
            profile = await self._post(url, {"views": body})
            # The profile moves updated_at only when the append changed its history.
            moved = datetime.fromisoformat(str(profile.get("updated_at"))) >= self.started
            self._done("views", index, len(body), {"updated" if moved else "unchanged": len(body)})

        await self._run("views", enumerate(per_user), send)

    def _done(self, kind: str, index: int, size: int, counts: dict[str, Any]) -> None:
        self.report.add(kind, counts)
        self.checkpoint.mark(kind, index)
        self.notify(kind, size)

    async def _run(self, kind: str, jobs: Iterable[tuple[int, Any]], send: Any) -> None:
        """At most ``IN_FLIGHT[kind]`` requests at once; batches done earlier are skipped."""
        semaphore = asyncio.Semaphore(IN_FLIGHT[kind])

        async def guarded(index: int, item: Any) -> None:
            try:
                await send(index, item)
            finally:
                semaphore.release()

        async with asyncio.TaskGroup() as group:
            for index, item in jobs:
                if self.checkpoint.is_done(kind, index):
                    size = len(item[1]) if kind == "views" else len(item)
                    self.report.add(kind, {"skipped": size})
                    self.notify(kind, size)
                    continue
                await semaphore.acquire()
                group.create_task(guarded(index, item))

    async def _post(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        async with self.session.post(url, json=body) as response:
            payload = await read_json(response, max_bytes=16 * 1024 * 1024)
            if response.status >= 400:
                raise SeedError(f"POST {url} -> {response.status}: {str(payload)[:500]}")
            return payload if isinstance(payload, dict) else {}
