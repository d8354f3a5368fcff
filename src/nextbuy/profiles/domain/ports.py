"""The one port of the profiles domain: where users are stored."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from nextbuy.core.cursors import FeedPosition
from nextbuy.profiles.domain.models import ProductView, ProfileInput, UpsertCounts, User


class UserRepository(Protocol):
    """Stores profiles and their recent views. Every method is one transaction."""

    def get(self, user_id: str) -> User | None:
        """The user with ``user_id``, or None."""
        ...

    def get_many(self, user_ids: Sequence[str]) -> list[User]:
        """The users among ``user_ids`` that exist, in any order, with a constant query count."""
        ...

    def upsert(self, profiles: Sequence[ProfileInput], *, now: datetime) -> UpsertCounts:
        """Create or replace each profile (ids unique); unchanged ones keep ``updated_at``."""
        ...

    def append_views(self, user_id: str, views: Sequence[ProductView], *, now: datetime) -> User:
        """Add views, keep the newest; bump ``updated_at`` if the history changed.

        Raises :class:`UserNotFoundError` when the user does not exist.
        """
        ...

    def changed_since(self, after: FeedPosition | None, *, limit: int) -> list[User]:
        """Up to ``limit`` users strictly after ``after`` in ``(updated_at, id)`` order."""
        ...
