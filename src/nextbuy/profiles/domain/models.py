"""What a user profile is, independent of HTTP and of the database."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Demographics:
    age_band: str | None = None
    gender: str | None = None
    country: str | None = None
    city: str | None = None


@dataclass(frozen=True, slots=True)
class Preferences:
    favourite_categories: tuple[str, ...] = ()
    price_band: str | None = None


@dataclass(frozen=True, slots=True)
class ProductView:
    """One product page a user looked at, and when (always UTC)."""

    product_id: str
    viewed_at: datetime

    def __post_init__(self) -> None:
        # Normalise once here so that equal instants compare and dedupe as equal.
        object.__setattr__(self, "viewed_at", as_utc(self.viewed_at))


@dataclass(frozen=True, slots=True)
class ProfileInput:
    """The replaceable part of a profile, as a client sends it in a PUT or bulk upsert.

    ``created_at`` is None when the client lets the service decide (now on create, the
    stored value on replace).
    """

    id: str
    demographics: Demographics = field(default_factory=Demographics)
    preferences: Preferences = field(default_factory=Preferences)
    attributes: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Profile:
    """A stored profile without its browsing history."""

    id: str
    demographics: Demographics
    preferences: Preferences
    attributes: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    def content_equals(self, other: Profile) -> bool:
        """True when both carry the same data; timestamps of the last write do not count."""
        return (
            self.demographics == other.demographics
            and self.preferences == other.preferences
            and canonical_json(self.attributes) == canonical_json(other.attributes)
            and self.created_at == other.created_at
        )


@dataclass(frozen=True, slots=True)
class User:
    """A profile with its recent views, newest first."""

    profile: Profile
    recent_views: tuple[ProductView, ...] = ()

    @property
    def id(self) -> str:
        return self.profile.id


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def as_utc(value: datetime) -> datetime:
    """Return ``value`` as an aware UTC datetime (naive values are taken to be UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def canonical_json(value: Any) -> str:
    """A comparison key for JSON values: key order is ignored, but ``1``, ``1.0`` and ``true``
    stay different (Python's ``==`` would call them equal and lose a client's change)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
