"""Deciding what a create-or-replace batch does to each profile: create, update or nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from nextbuy.profiles.domain.models import Profile, ProfileInput, UpsertCounts, as_utc


@dataclass(frozen=True, slots=True)
class UpsertPlan:
    """The rows a store must insert and update; ``unchanged`` ones it must leave alone."""

    creates: tuple[Profile, ...]
    updates: tuple[Profile, ...]
    unchanged: int

    @property
    def counts(self) -> UpsertCounts:
        return UpsertCounts(len(self.creates), len(self.updates), self.unchanged)


def profile_from_input(data: ProfileInput, *, now: datetime) -> Profile:
    """A new profile: created now unless the client carries its own creation time over."""
    created_at = as_utc(data.created_at) if data.created_at else now
    return Profile(
        id=data.id,
        demographics=data.demographics,
        preferences=data.preferences,
        attributes=dict(data.attributes),
        created_at=created_at,
        updated_at=now,
    )


def replace_profile(current: Profile, data: ProfileInput, *, now: datetime) -> Profile | None:
    """The replacement of ``current`` by ``data``, or None when it would change nothing.

    ``updated_at`` moves only on a real change, so re-sending a batch is a no-op that a
    change-feed reader never sees.
    """
    candidate = replace(
        current,
        demographics=data.demographics,
        preferences=data.preferences,
        attributes=dict(data.attributes),
        created_at=as_utc(data.created_at) if data.created_at else current.created_at,
    )
    if candidate.content_equals(current):
        return None
    return replace(candidate, updated_at=now)


def plan_upserts(
    incoming: Sequence[ProfileInput],
    existing: Mapping[str, Profile],
    *,
    now: datetime,
) -> UpsertPlan:
    """Sort a batch (ids unique) into creates, updates and unchanged against ``existing``."""
    creates: list[Profile] = []
    updates: list[Profile] = []
    unchanged = 0
    for data in incoming:
        current = existing.get(data.id)
        if current is None:
            creates.append(profile_from_input(data, now=now))
            continue
        replacement = replace_profile(current, data, now=now)
        if replacement is None:
            unchanged += 1
        else:
            updates.append(replacement)
    return UpsertPlan(tuple(creates), tuple(updates), unchanged)
