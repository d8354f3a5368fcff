"""Use cases of the profiles service, over a :class:`UserRepository` and a clock."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from nextbuy.core.cursors import FeedPosition, decode_cursor, encode_cursor, start_position
from nextbuy.profiles.domain.errors import UserNotFoundError
from nextbuy.profiles.domain.models import ProductView, ProfileInput, UpsertCounts, User
from nextbuy.profiles.domain.ports import UserRepository

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Lookup:
    """A batch lookup's answer: users in request order, then the ids that do not exist."""

    found: list[User]
    missing: list[str]


@dataclass(frozen=True, slots=True)
class ChangesPage:
    users: list[User]
    next_cursor: str | None


class ProfileService:
    """What the API can do with profiles; every write takes its timestamp from ``clock``."""

    def __init__(self, repository: UserRepository, *, clock: Clock = system_clock) -> None:
        self._repository = repository
        self._clock = clock

    def get_user(self, user_id: str) -> User:
        """The user with ``user_id``; raises :class:`UserNotFoundError`."""
        user = self._repository.get(user_id)
        if user is None:
            raise UserNotFoundError(user_id)
        return user

    def lookup(self, user_ids: Sequence[str]) -> Lookup:
        """Find many users at once; duplicates in ``user_ids`` are answered once."""
        wanted = list(dict.fromkeys(user_ids))
        by_id = {user.id: user for user in self._repository.get_many(wanted)}
        return Lookup(
            found=[by_id[user_id] for user_id in wanted if user_id in by_id],
            missing=[user_id for user_id in wanted if user_id not in by_id],
        )

    def put_user(self, data: ProfileInput) -> tuple[User, bool]:
        """Create or replace one profile; returns the stored user and whether it is new."""
        counts = self._repository.upsert([data], now=self._clock())
        return self.get_user(data.id), counts.created == 1

    def bulk_upsert(self, profiles: Sequence[ProfileInput]) -> UpsertCounts:
        """Create or replace a batch of profiles (ids unique) in one transaction."""
        return self._repository.upsert(profiles, now=self._clock())

    def append_views(self, user_id: str, views: Sequence[ProductView]) -> User:
        """Add to a user's browsing history; raises :class:`UserNotFoundError`."""
        return self._repository.append_views(user_id, views, now=self._clock())

    def changes(
        self, *, updated_since: datetime | None, cursor: str | None, limit: int
    ) -> ChangesPage:
        """One page of the change feed; a cursor takes precedence over ``updated_since``."""
        after = decode_cursor(cursor) if cursor else start_position(updated_since)
        users = self._repository.changed_since(after, limit=limit)
        next_cursor = None
        if len(users) == limit:
            last = users[-1].profile
            next_cursor = encode_cursor(FeedPosition(last.updated_at, last.id))
        return ChangesPage(users, next_cursor)
