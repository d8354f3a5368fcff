"""Precomputed candidates for recently active users, so a hot request only re-ranks and filters.

Purchase-based candidates change only when the model or the user's purchases change, so they
are computed once per (user, model version, purchases) and kept in a bounded LRU. A request
adds the live part — the session's recent views — and applies stock and exclusion filters.
A background loop fills the cache for users active recently, including right after a model
swap, so the first request after a refresh is as fast as the rest.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from nextbuy.engine.domain.ranking import Candidate

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CandidateKey:
    user_id: str
    model_version: str
    purchases: int
    """hash() of the purchase tuple: new purchases make new candidates."""


class CandidateCache:
    """A bounded LRU of purchase-based candidate lists."""

    def __init__(self, max_users: int = 50_000) -> None:
        self._entries: OrderedDict[CandidateKey, list[Candidate]] = OrderedDict()
        self.max_users = max_users
        self.hits = 0
        self.misses = 0

    def get(self, key: CandidateKey) -> list[Candidate] | None:
        candidates = self._entries.get(key)
        if candidates is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return candidates

    def put(self, key: CandidateKey, candidates: list[Candidate]) -> None:
        self._entries[key] = candidates
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_users:
            self._entries.popitem(last=False)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)


@dataclass
class ActiveUsers:
    """The most recently active users (requests, new orders), newest last, bounded."""

    max_users: int = 10_000
    _users: OrderedDict[str, None] = field(default_factory=OrderedDict)

    def touch(self, user_id: str) -> None:
        self._users[user_id] = None
        self._users.move_to_end(user_id)
        while len(self._users) > self.max_users:
            self._users.popitem(last=False)

    def newest(self, n: int) -> list[str]:
        return list(self._users)[-n:][::-1]


async def precompute_forever(
    active: ActiveUsers,
    warm: Callable[[str], Awaitable[bool]],
    *,
    interval_s: float = 2.0,
    per_round: int = 500,
) -> None:
    """Every round, warm the newest active users; ``warm`` returns True if it computed anything.

    Yields to the event loop between users, so serving requests always comes first.
    """
    while True:
        computed = 0
        for user_id in active.newest(per_round):
            try:
                computed += await warm(user_id)
            except Exception:  # one user's failure must not stop the round
                logger.exception("precompute failed", extra={"user_id": user_id})
            await asyncio.sleep(0)
        if computed:
            logger.debug("precomputed", extra={"users": computed})
        await asyncio.sleep(interval_s)
