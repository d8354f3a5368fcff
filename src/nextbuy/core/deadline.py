"""Deadlines: a request's time budget, shared by every call it makes."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Deadline:
    """A point on the monotonic clock by which the whole request must be answered."""

    budget_s: float
    started: float = field(default_factory=time.monotonic)

    @property
    def remaining_s(self) -> float:
        return max(0.0, self.started + self.budget_s - time.monotonic())

    def timeout_for_call(self, *, reserve_s: float = 0.02, minimum_s: float = 0.005) -> float:
        """What one upstream call may take: the remaining budget less a reserve to answer in."""
        return max(minimum_s, self.remaining_s - reserve_s)

    @property
    def expired(self) -> bool:
        return self.remaining_s <= 0.0
