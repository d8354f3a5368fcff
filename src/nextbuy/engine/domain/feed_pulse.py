"""Whether a change feed the engine answers from is current, judged from its follower's polls.

Once the engine answers "what has this user bought" from the orders it follows, instead of
asking the Order History service per request, the follower's polls are what notices that
service dying: answers must name ``orders`` as degraded within a second of it (S2). A poll that
failed says so at once; a poll still waiting after ``hung_after_s`` is a hung upstream (S3's
black hole, which would otherwise hold the poll for its whole timeout); and no successful poll
for ``stale_after_s`` means the follower itself stopped.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class FeedPulse:
    hung_after_s: float = 1.0
    stale_after_s: float = 10.0
    clock: Callable[[], float] = time.monotonic
    _last_success: float | None = None
    _failing: bool = False
    _polling_since: float | None = None

    @property
    def synced(self) -> bool:
        """The follower has read the feed to its end at least once."""
        return self._last_success is not None

    def poll_started(self) -> None:
        self._polling_since = self.clock()

    def poll_succeeded(self) -> None:
        self._last_success, self._polling_since, self._failing = self.clock(), None, False

    def poll_failed(self) -> None:
        self._polling_since, self._failing = None, True

    def current(self) -> bool:
        """Synced, the last poll succeeded, none hangs now, and the last success is recent."""
        if self._last_success is None or self._failing:
            return False
        now = self.clock()
        if self._polling_since is not None and now - self._polling_since > self.hung_after_s:
            return False
        return now - self._last_success <= self.stale_after_s
