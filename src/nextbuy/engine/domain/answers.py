"""Finished answers of hot visitors, served again while nothing they were computed from changed.

A warm request recomputed the same ranking from the same inputs: the precomputed candidates,
the session re-rank, the filters and the reasons cost ~1 ms of CPU for an answer that only
changes when one of its inputs does. Every hit is checked against all of them, read without
awaiting anything:

* the serving model (the object: a rebuilt or newly published model is a new one);
* the user's profile and order history (the decoded signals object, which the data plane keeps
  while their cached bytes are unchanged: an invalidated order history is a new object);
* the visitor's live activity (the session store's versions: a view, a cart change);
* the catalogue and stock as answers see them (the read model's content version: a product
  going out of stock or back, a title, price, category or activity change);
* the catalogue and stock feeds' health (stale, or breaker open): an answer computed while
  the catalog feed was down says so, and is served again only while it still is;
* the request itself (the key: path and the whole validated query, filters and page included).

Answers degraded by anything else (the user's data, a deadline) are never kept, and an entry
also expires after a while, so a rarely asked one does not hold memory. Keeping answers while
a feed is degraded matters under overload: a saturated event loop makes feed polls look slow,
a feed breaker opens, and recomputing every answer then would keep the loop saturated.
ADR 0019 records the measurements and the alternatives.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from nextbuy.core.deadline import Deadline
from nextbuy.engine.domain.ports import UserSignals
from nextbuy.engine.domain.sessions import SessionStore


class CatalogueVersion(Protocol):
    def content_version(self) -> int:
        """Changes whenever a product's listing or its being in stock changes."""
        ...

    def degraded_sources(self) -> tuple[str, ...]:
        """The sources (``catalog``, ``inventory``) an answer would name as degraded now."""
        ...


@dataclass(frozen=True, slots=True)
class AnswerBasis:
    """What an answer was computed from, besides its request."""

    model: object
    signals: UserSignals | None
    activity: tuple[int, int]
    catalogue: int
    feeds_degraded: tuple[str, ...]

    def same_as(self, other: AnswerBasis) -> bool:
        # Identity for the model and the signals: equal content would do, but identity is what
        # the caches guarantee and it costs nothing to compare.
        return (
            self.model is other.model
            and self.signals is other.signals
            and self.activity == other.activity
            and self.catalogue == other.catalogue
            and self.feeds_degraded == other.feeds_degraded
        )


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    body: bytes
    degraded_sources: list[str]

    def explained_by(self, basis: AnswerBasis, deadline: Deadline) -> bool:
        """Whether the basis alone made this answer what it is (then it may be kept).

        Not if a source the basis does not name degraded it (the user's data, a timeout), nor
        if the deadline passed while it was computed (it may have been cut short).
        """
        if deadline.expired:
            return False
        return all(source in basis.feeds_degraded for source in self.degraded_sources)


Visitor = tuple[str | None, str | None]
"""(user_id, session_id) as the request gave them."""


@dataclass(slots=True)
class _Entry:
    basis: AnswerBasis
    answer: CachedAnswer
    visitor: Visitor
    expires_at: float


class AnswerCache:
    """Encoded answers by request key, valid while their basis is (bounded LRU, with a TTL)."""

    def __init__(
        self, max_entries: int, ttl_s: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_entries = max_entries
        self.ttl_s = ttl_s
        self._clock = clock
        self._entries: OrderedDict[object, _Entry] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: object, basis: AnswerBasis) -> CachedAnswer | None:
        """The answer stored under ``key`` if it was computed from ``basis``."""
        entry = self._entries.get(key)
        if entry is None or not entry.basis.same_as(basis) or entry.expires_at <= self._clock():
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry.answer

    def visitor_of(self, key: object) -> Visitor | None:
        """Whose answer is stored under ``key`` (None: none is)."""
        entry = self._entries.get(key)
        return None if entry is None else entry.visitor

    def put(self, key: object, basis: AnswerBasis, answer: CachedAnswer, visitor: Visitor) -> None:
        """Keep ``visitor``'s ``answer``, computed from ``basis`` (read *before* computing it)."""
        self._entries[key] = _Entry(basis, answer, visitor, self._clock() + self.ttl_s)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


@dataclass
class HotAnswers:
    """Reads an answer's basis now, and keeps or finds answers by it."""

    cache: AnswerCache
    current_model: Callable[[], object | None]
    fresh_signals: Callable[[str], UserSignals | None]
    sessions: SessionStore
    catalogue: CatalogueVersion
    touch: Callable[[str], None]
    """Marks a user active (kept precomputed): a hit is activity too."""

    def find(self, key: object, basis: AnswerBasis, visitor: Visitor) -> CachedAnswer | None:
        """The answer under ``key`` if it was computed from ``basis``."""
        answer = self.cache.get(key, basis)
        if answer is not None and visitor[0] is not None:
            self.touch(visitor[0])
        return answer

    def replay(self, key: object) -> CachedAnswer | None:
        """The valid answer under ``key``, for a request not parsed yet.

        The key is the raw request; its visitor was read from it, validated, when the answer
        was stored, so the same key needs no parsing to find out whose answer it asks for.
        """
        visitor = self.cache.visitor_of(key)
        if visitor is None:
            return None
        basis = self.basis(*visitor)
        return None if basis is None else self.find(key, basis, visitor)

    def basis(self, user_id: str | None, session_id: str | None) -> AnswerBasis | None:
        """The basis of this visitor's answer, or None if the answer must not be cached.

        None when there is no model, or when the user's data is not fresh in this process (it
        is being loaded, or is stale, or its breaker is open): the answer then is, or may be,
        degraded in a way that the next request may not be.
        """
        model = self.current_model()
        if model is None:
            return None
        signals = None
        if user_id is not None:
            signals = self.fresh_signals(user_id)
            if signals is None:
                return None
        return AnswerBasis(
            model,
            signals,
            self.sessions.versions(user_id, session_id),
            self.catalogue.content_version(),
            self.catalogue.degraded_sources(),
        )
