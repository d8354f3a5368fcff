"""The outbox relay: moves events from a service's outbox table to the bus, losing none.

A service writes each event into its outbox in the same transaction as the change, so an
event exists if and only if the change committed. The relay polls the oldest unpublished
rows (by id, so each source's events leave in commit-ish order), publishes them, and marks
them published only once the bus confirmed them. A crash between publish and mark means the
batch goes out again: consumers deduplicate by ``event_id``. Rows that commit out of id order
are not skipped: the relay asks for *unpublished* rows, not for ids above a high-water mark.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable
from uuid import UUID

from nextbuy.bus._backoff import backoff_delay, sleep_unless_stopped
from nextbuy.bus.envelope import decode
from nextbuy.bus.errors import EventDecodeError, PublishError
from nextbuy.bus.ports import EventPublisher
from nextbuy.contracts.events import EventBase

logger = logging.getLogger(__name__)

MAX_BATCH = 500
DEFAULT_RETENTION_S = 7 * 24 * 3600.0
"""How long published rows stay: long enough to replay a recent day by hand, then pruned."""
PRUNE_EVERY_S = 600.0


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    """One unpublished outbox row: its position and the encoded event."""

    id: int
    event_id: UUID
    payload: bytes


class OutboxStore(Protocol):
    """What the relay needs from a service's outbox table (each call its own transaction)."""

    def pending(self, *, limit: int) -> list[OutboxRecord]:
        """Up to ``limit`` unpublished rows, oldest id first."""
        ...

    def mark_published(self, ids: Sequence[int]) -> None:
        """Stamp ``published_at`` on the rows with these ids."""
        ...


@runtime_checkable
class PrunableOutboxStore(OutboxStore, Protocol):
    """An outbox that can forget what was published long ago (the tables would only grow)."""

    def prune(self, *, published_before: datetime) -> int:
        """Delete rows published before ``published_before``; returns how many."""
        ...


class OutboxRelay:
    """Publishes a store's pending events, retrying with backoff while the bus is down."""

    def __init__(
        self,
        store: OutboxStore,
        publisher: EventPublisher,
        *,
        batch_size: int = MAX_BATCH,
        idle_interval_s: float = 0.2,
        max_backoff_s: float = 30.0,
        retention_s: float | None = DEFAULT_RETENTION_S,
    ) -> None:
        if not 1 <= batch_size <= MAX_BATCH:
            raise ValueError(f"batch_size must be 1..{MAX_BATCH}, not {batch_size}")
        self._store = store
        self._publisher = publisher
        self._batch_size = batch_size
        self._idle_interval_s = idle_interval_s
        self._max_backoff_s = max_backoff_s
        self._retention_s = retention_s
        self._next_prune = 0.0
        self.published = 0
        self.failures = 0

    async def relay_once(self) -> int:
        """Publish one batch of pending events; returns how many were marked published."""
        records = self._store.pending(limit=self._batch_size)
        if not records:
            return 0
        by_event: dict[UUID, int] = {}
        events: list[EventBase] = []
        for record in records:
            try:
                events.append(decode(record.payload))
            except EventDecodeError as exc:
                # Our own writer produced it, so this is a bug; keep the row for an operator.
                logger.error("outbox row %s does not decode: %s", record.id, exc.reason)
                continue
            by_event[record.event_id] = record.id
        try:
            await self._publisher.publish(events)
        except PublishError as exc:
            self._mark([by_event[e] for e in exc.confirmed if e in by_event])
            raise
        return self._mark(list(by_event.values()))

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until ``stop`` is set: at once while batches come full, else every idle tick."""
        consecutive_failures = 0
        while not stop.is_set():
            try:
                sent = await self.relay_once()
            except Exception as exc:  # any failure: keep the rows, back off, try again
                consecutive_failures += 1
                self.failures += 1
                delay = backoff_delay(consecutive_failures, cap_s=self._max_backoff_s)
                logger.warning("outbox relay failed, retrying in %.1fs: %s", delay, exc)
            else:
                consecutive_failures = 0
                delay = 0.0 if sent >= self._batch_size else self._idle_interval_s
                if delay:
                    self._prune_if_due()
            await sleep_unless_stopped(stop, delay)

    def _prune_if_due(self) -> None:
        """Delete rows published longer ago than the retention, at most every PRUNE_EVERY_S."""
        store = self._store
        if self._retention_s is None or not isinstance(store, PrunableOutboxStore):
            return
        now = time.monotonic()
        if now < self._next_prune:
            return
        self._next_prune = now + PRUNE_EVERY_S
        cutoff = datetime.now(UTC) - timedelta(seconds=self._retention_s)
        try:
            pruned = store.prune(published_before=cutoff)
        except Exception as exc:  # pruning is housekeeping: never let it stop relaying
            logger.warning("outbox pruning failed: %s", exc)
        else:
            if pruned:
                logger.info("pruned %d published outbox rows", pruned)

    def _mark(self, ids: list[int]) -> int:
        if ids:
            self._store.mark_published(ids)
            self.published += len(ids)
        return len(ids)
