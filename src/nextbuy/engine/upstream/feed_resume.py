"""Where the next poll of a ``:changes`` feed starts, so no late commit is missed and a bulk
write is not read again and again.

A feed row carries its writer's ``updated_at``, stamped when its transaction began. A
transaction that commits late can add a row stamped *before* the newest one a poll has already
seen; resuming just after that newest would miss it for ever. Such a row is stamped at most
``overlap`` before its commit, so one poll that re-reads from ``newest - overlap`` once
``overlap`` has passed since ``newest`` was first seen catches it.

The follower used to re-read that overlap on every poll until the newest change was 30 s old.
After a bulk write (the bench seeds 53k orders, ~13k in the last 5 s) that was six reads of
~13k orders in 30 s, which saturated the Order History service and put cold answers past their
budget (docs/benchmarks.md). Now the overlap is read again once per change of ``newest``:
the same with steady traffic (every poll sees something new), once after a burst.

Only time elapsed on our own clock is compared, never our clock with the writer's, so clock
skew between the engine and a service does not matter.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

__all__ = ["RESUME_OVERLAP", "FeedResume"]

RESUME_OVERLAP = timedelta(seconds=5)
"""How long before its commit a row may be stamped (a transaction's longest run, with margin)."""
SETTLED_AFTER = timedelta(seconds=30)
"""A change this old on our clock is settled, whatever the skew between our clock and the
writer's (up to 25 s)."""
JUST_AFTER = timedelta(microseconds=1)


@dataclass
class FeedResume:
    """Plans each poll's ``updated_since``: just after the newest change, or the overlap again."""

    overlap: timedelta = RESUME_OVERLAP
    clock: Callable[[], float] = time.monotonic
    wall_clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    settled_after: timedelta = SETTLED_AFTER
    newest: datetime | None = None
    """The newest ``updated_at`` read so far (the writer's clock)."""
    _newest_seen_at: float = 0.0
    _recheck_from: datetime | None = None
    _recheck_due: float = 0.0

    def next_since(self) -> tuple[datetime | None, bool]:
        """``updated_since`` for the next poll (None: from the start), and whether that poll
        re-reads the overlap."""
        if self._recheck_from is not None and self.clock() >= self._recheck_due:
            return self._recheck_from, True
        if self.newest is None:
            return None, False
        return self.newest + JUST_AFTER, False

    def polled(self, newest_read: datetime | None, *, rechecked: bool) -> None:
        """Record a finished poll: the newest ``updated_at`` it read, and whether it re-read
        the overlap."""
        now = self.clock()
        if rechecked:
            self._recheck_from = None
        if newest_read is not None and (self.newest is None or newest_read > self.newest):
            self.newest = newest_read
            self._newest_seen_at = now
        if self.newest is None or now - self._newest_seen_at > self.overlap.total_seconds():
            # A transaction still running now is stamped later than `overlap` ago, which is
            # after `newest` on the writer's clock: just-after-newest polls will read it.
            return
        if self.wall_clock() - self.newest > self.settled_after:
            return
        start = self.newest - self.overlap
        if self._recheck_from is None:
            self._recheck_from, self._recheck_due = start, now + self.overlap.total_seconds()
        else:
            self._recheck_from = min(self._recheck_from, start)
