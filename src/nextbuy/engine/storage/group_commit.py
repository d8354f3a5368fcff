"""Group commit: batches that arrive while a write is in progress share the next commit.

Each ``POST /v1/events`` still waits for its own events to be committed before its 202, but
with several batches in flight they are written by one transaction instead of queueing for
the database's single writer one commit at a time. There is never more than one write in
progress, so the worker thread and the connection pool stay free for everything else.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from nextbuy.contracts.engine import InteractionEvent
from nextbuy.engine.storage.event_log import EventLog

MAX_EVENTS_PER_COMMIT = 20_000
"""Bounds one transaction; what is left waits for the next commit."""


@dataclass
class _Pending:
    events: Sequence[InteractionEvent]
    done: asyncio.Future[set[str]]


@dataclass
class GroupCommitLog:
    """The engine's :class:`~nextbuy.engine.domain.ingestion.EventStore`, over an EventLog."""

    log: EventLog
    commits: int = 0
    """Transactions written (for tests: fewer than batches when they were grouped)."""
    _waiting: list[_Pending] = field(default_factory=list)
    _writer: asyncio.Task[None] | None = None

    async def append(self, events: Sequence[InteractionEvent]) -> set[str]:
        """Return the ids that were new, once they are committed with whatever came with them."""
        done: asyncio.Future[set[str]] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Pending(events, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_while_waiting())
        return await done

    async def _write_while_waiting(self) -> None:
        while self._waiting:
            group = self._take_group()
            try:
                # The database blocks: write in a worker thread, off the event loop.
                new_ids = await asyncio.to_thread(
                    self.log.append_batches, [p.events for p in group]
                )
            except Exception as error:  # every batch of the group fails with it: none was stored
                for pending in group:
                    if not pending.done.done():
                        pending.done.set_exception(error)
                continue
            self.commits += 1
            for pending, ids in zip(group, new_ids, strict=True):
                if not pending.done.done():  # its request may have been cancelled
                    pending.done.set_result(ids)

    def _take_group(self) -> list[_Pending]:
        group: list[_Pending] = []
        size = 0
        while self._waiting and (
            not group or size + len(self._waiting[0].events) <= MAX_EVENTS_PER_COMMIT
        ):
            pending = self._waiting.pop(0)
            group.append(pending)
            size += len(pending.events)
        return group
