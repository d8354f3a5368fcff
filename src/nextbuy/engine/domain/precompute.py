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

from nextbuy.engine.domain.ranking import PERSONAL, Candidate, PersonalScores

logger = logging.getLogger(__name__)


CandidateKey = tuple[str, str, int]
"""(user id, model version, hash of the purchases and hidden items): new purchases, new key.
A plain tuple of atomic values, which the garbage collector stops tracking (see below)."""


def candidate_key(user_id: str, model_version: str, purchases: int) -> CandidateKey:
    return (user_id, model_version, purchases)


class CandidateCache:
    """A bounded LRU of purchase-based (``PERSONAL``) candidate lists, kept packed.

    Each list is stored as a tuple of product ids and a tuple of scores, not as ``Candidate``
    objects: a tuple holding only strings or floats is untracked by the garbage collector,
    while ~100 ``Candidate`` objects per cached user are not. On the bench, 100k cached
    candidates made every full collection walk them: 60–125 ms stalls that every request in
    flight waited out (docs/benchmarks.md). The ranking reads them packed
    (:meth:`get_scores`); :meth:`get` unpacks them.
    """

    def __init__(self, max_users: int = 50_000) -> None:
        self._entries: OrderedDict[CandidateKey, PersonalScores] = OrderedDict()
        self.max_users = max_users
        self.hits = 0
        self.misses = 0

    def get_scores(self, key: CandidateKey) -> PersonalScores | None:
        """The packed list kept under ``key`` (None: none is)."""
        packed = self._entries.get(key)
        if packed is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return packed

    def put_scores(self, key: CandidateKey, scores: PersonalScores) -> None:
        """Keep a packed list of ``PERSONAL`` candidates: (ids in rank order, their scores)."""
        self._entries[key] = scores
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_users:
            self._entries.popitem(last=False)

    def get(self, key: CandidateKey) -> list[Candidate] | None:
        packed = self.get_scores(key)
        if packed is None:
            return None
        ids, scores = packed
        return [Candidate(pid, score, PERSONAL) for pid, score in zip(ids, scores, strict=True)]

    def put(self, key: CandidateKey, candidates: list[Candidate]) -> None:
        """Keep ``candidates``, which must all be ``PERSONAL`` (the reason is not stored)."""
        if any(c.reason is not PERSONAL for c in candidates):
            raise ValueError("only PERSONAL candidates are cached: their reason is not stored")
        self.put_scores(
            key,
            (tuple(c.product_id for c in candidates), tuple(c.score for c in candidates)),
        )

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
